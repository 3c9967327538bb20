// Exits with the status given as argv[1]: "exit N" calls exit(N), "return N" returns N from main,
// "trap" executes unreachable.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc < 3) return 99;
  int n = atoi(argv[2]);
  printf("before exit\n");
  fflush(stdout);
  if (strcmp(argv[1], "exit") == 0) exit(n);
  if (strcmp(argv[1], "trap") == 0) __builtin_trap();
  return n;
}
