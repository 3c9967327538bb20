// Table-driven CRC-32 (IEEE) over a pseudo-random buffer: loads, shifts, xors, table lookups.
#include "kernel.h"

static volatile uint32_t SIZE = 1 << 20;
static volatile uint32_t REPEAT = 16;
static uint8_t buf[1 << 20];
static uint32_t table[256];

KERNEL(crc32) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t seed = 12345, size = SIZE;
  for (uint32_t i = 0; i < size; i++) buf[i] = (uint8_t)xorshift32(&seed);
  uint32_t acc = 0;
  for (uint32_t r = 0; r < REPEAT; r++) {
    uint32_t crc = 0xFFFFFFFFu ^ r;
    for (uint32_t i = 0; i < size; i++) crc = table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
    acc = acc * 31 + ~crc;
  }
  return acc;
}
