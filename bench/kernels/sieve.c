// Memory-heavy byte loads/stores and tight loops: sieve of Eratosthenes, repeated.
#include "kernel.h"

static volatile uint32_t N = 4000000;
static volatile uint32_t REPEAT = 4;
static uint8_t composite[4000000];

KERNEL(sieve) {
  uint32_t n = N, total = 0;
  for (uint32_t r = 0; r < REPEAT; r++) {
    for (uint32_t i = 0; i < n; i++) composite[i] = 0;
    for (uint32_t i = 2; i * i < n; i++)
      if (!composite[i])
        for (uint32_t j = i * i; j < n; j += i) composite[j] = 1;
    uint32_t count = 0;
    for (uint32_t i = 2; i < n; i++) count += !composite[i];
    total += count;
  }
  return total;
}
