// Call-heavy: naive recursive Fibonacci (calls, returns, small integer arithmetic).
#include "kernel.h"

static volatile uint32_t N = 35;

__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

KERNEL(fib) { return fib(N); }
