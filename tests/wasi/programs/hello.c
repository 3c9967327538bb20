// Writes to stdout and stderr.
#include <stdio.h>

int main(void) {
  printf("Hello, world!\n");
  fprintf(stderr, "this goes to stderr\n");
  return 0;
}
