// Shared by the compute kernels: each kernel defines `KERNEL(name) { ... return checksum; }`, a
// function of no arguments returning a 32-bit checksum, so that every engine (native, Kumo, V8,
// wabt's wasm-interp --run-all-exports) calls exactly the same thing and the results can be compared.
// Inputs are read through volatile globals so the compiler cannot fold the work away.
#pragma once
#include <stdint.h>

#if defined(__wasm__)
#define KERNEL(name) __attribute__((export_name("run"))) uint32_t run(void)
#else
#define KERNEL(name) uint32_t run(void)
#endif

// A small deterministic PRNG (xorshift32) for generating inputs.
static inline uint32_t xorshift32(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}
