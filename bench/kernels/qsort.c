// Branchy integer code with indirect-free recursion: quicksort of pseudo-random 32-bit keys.
#include "kernel.h"

static volatile uint32_t N = 300000;
static volatile uint32_t REPEAT = 2;
static uint32_t keys[1000000];

static void sort(uint32_t* v, int32_t lo, int32_t hi) {
  while (lo < hi) {
    uint32_t pivot = v[lo + (hi - lo) / 2];
    int32_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
        i++; j--;
      }
    }
    // Recurse into the smaller half, loop on the larger: bounded stack depth.
    if (j - lo < hi - i) { sort(v, lo, j); lo = i; }
    else { sort(v, i, hi); hi = j; }
  }
}

KERNEL(qsort) {
  uint32_t n = N, acc = 0, seed = 7;
  for (uint32_t r = 0; r < REPEAT; r++) {
    for (uint32_t i = 0; i < n; i++) keys[i] = xorshift32(&seed);
    sort(keys, 0, (int32_t)n - 1);
    for (uint32_t i = 0; i < n; i += 997) acc = acc * 31 + keys[i];
  }
  return acc;
}
