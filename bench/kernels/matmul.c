// Floating-point loops over arrays: dense double-precision matrix multiply (i-k-j order).
#include "kernel.h"

#define DIM 160
static volatile uint32_t REPEAT = 8;
static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

KERNEL(matmul) {
  uint32_t seed = 42;
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      a[i][j] = (double)(xorshift32(&seed) % 1000) / 100.0;
      b[i][j] = (double)(xorshift32(&seed) % 1000) / 100.0;
    }
  double sum = 0;
  for (uint32_t r = 0; r < REPEAT; r++) {
    for (int i = 0; i < DIM; i++)
      for (int j = 0; j < DIM; j++) c[i][j] = 0;
    for (int i = 0; i < DIM; i++)
      for (int k = 0; k < DIM; k++) {
        double aik = a[i][k] + r;
        for (int j = 0; j < DIM; j++) c[i][j] += aik * b[k][j];
      }
    for (int i = 0; i < DIM; i++) sum += c[i][(i * 7) % DIM];
  }
  return (uint32_t)(int64_t)sum;
}
