// Native driver for a kernel: calls run() REPEAT times and reports like the other runners, so the
// harness treats all engines alike. Usage: native --timing FILE [--repeat N]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint32_t run(void);

static double clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
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
  double best = 1e300, best_cpu = 1e300;
  uint32_t result = 0;
  for (int r = 0; r < repeat; r++) {
    double c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = clock_ms(CLOCK_MONOTONIC);
    result = run();
    double t = clock_ms(CLOCK_MONOTONIC) - t0;
    double c = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (t < best) best = t;
    if (c < best_cpu) best_cpu = c;
  }
  printf("run() = %u\n", result);
  FILE* f = timing ? fopen(timing, "w") : stderr;
  if (!f) return 1;
  fprintf(f, "{\"engine\": \"native\", \"bench_ms\": %.6f, \"bench_cpu_ms\": %.6f, \"exit_code\": 0}\n",
          best, best_cpu);
  if (timing) fclose(f);
  return 0;
}
