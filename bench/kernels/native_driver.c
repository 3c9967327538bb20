// Native driver for a kernel: calls run() REPEAT times and reports like the other runners, so the
// harness treats all engines alike. Usage: native --timing FILE [--repeat N]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint32_t run(void);

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  const char* timing = NULL;
  int repeat = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--timing") && i + 1 < argc) timing = argv[++i];
    else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
  }
  if (repeat < 1) repeat = 1;
  double best = 1e300;
  uint32_t result = 0;
  for (int r = 0; r < repeat; r++) {
    double t0 = now_ms();
    result = run();
    double t = now_ms() - t0;
    if (t < best) best = t;
  }
  printf("run() = %u\n", result);
  FILE* f = timing ? fopen(timing, "w") : stderr;
  if (!f) return 1;
  fprintf(f, "{\"engine\": \"native\", \"bench_ms\": %.6f, \"exit_code\": 0}\n", best);
  if (timing) fclose(f);
  return 0;
}
