// Echoes its arguments and environment.
#include <stdio.h>
#include <stdlib.h>

extern char** environ;

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  for (char** e = environ; *e; ++e) printf("env %s\n", *e);
  const char* v = getenv("KUMO_TEST");
  printf("KUMO_TEST=%s\n", v ? v : "(unset)");
  return 0;
}
