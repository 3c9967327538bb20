// Clocks, sleeping (poll_oneoff clock subscriptions) and random bytes; prints only facts that
// hold on every run.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static long long ns(clockid_t c) {
  struct timespec ts;
  if (clock_gettime(c, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  struct timespec res;
  printf("monotonic res ok: %d\n",
         clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0));
  printf("realtime after 2020: %d\n", ns(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);
  long long t0 = ns(CLOCK_MONOTONIC);
  struct timespec d = {0, 20 * 1000000};
  printf("nanosleep: %d\n", nanosleep(&d, NULL));
  long long t1 = ns(CLOCK_MONOTONIC);
  printf("slept >= 20ms: %d\n", t1 - t0 >= 20000000LL);
  usleep(5000);
  printf("monotonic increases: %d\n", ns(CLOCK_MONOTONIC) > t1);
  volatile unsigned x = 0;
  for (unsigned i = 0; i < 20000000u; ++i) x += i;
  if (x == 1) printf("impossible\n");
  printf("cpu time positive: %d\n",
         ns(CLOCK_PROCESS_CPUTIME_ID) > 0 && ns(CLOCK_THREAD_CPUTIME_ID) > 0);

  unsigned char a[32], b[32], zero[32] = {0};
  printf("getentropy: %d\n", getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0);
  printf("random differs: %d\n", memcmp(a, b, sizeof a) != 0 && memcmp(a, zero, sizeof a) != 0);
  static unsigned char big[100000];  // static: the default wasm stack is only 64 KiB
  printf("large random: %d\n",
         getentropy(big, 256) == 0 && __wasi_random_get(big, sizeof big) == 0);
  return 0;
}
