// Kumo's bundled example: a WASI preview1 command built by Debian's clang for wasm32-wasi.
// It prints a greeting, its arguments and one environment variable, then reads a file through a
// pre-opened directory, which is the only way a sandboxed module can see the host's files.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* who = getenv("KUMO_GREETING_NAME");
  printf("Hello from WebAssembly, %s!\n", who && *who ? who : "world");
  printf("argc = %d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);

  // Relative paths resolve against the pre-opened directories (kumo run --dir HOST::GUEST).
  const char* path = "data/message.txt";
  FILE* f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "hello: cannot open %s (was its directory pre-opened with --dir?)\n", path);
    return 1;
  }
  char line[256];
  unsigned lines = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    printf("%s: %s", path, line);
    if (!strchr(line, '\n')) putchar('\n');
  }
  fclose(f);
  printf("read %u line(s) through the sandbox\n", lines);
  return 0;
}
