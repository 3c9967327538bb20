// A library-style module: no _start and no imports, just exported functions that the host calls
// with `kumo run --invoke NAME fib.wasm ARGS...`.
#include <stdint.h>

// Iterative Fibonacci; i64 result so fib(90) still fits.
__attribute__((export_name("fib"))) uint64_t fib(uint32_t n) {
  uint64_t a = 0, b = 1;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

// Recursive version: exercises calls (try n = 30 and compare with the iterative one).
__attribute__((export_name("fib_rec"))) uint32_t fib_rec(uint32_t n) {
  return n < 2 ? n : fib_rec(n - 1) + fib_rec(n - 2);
}
