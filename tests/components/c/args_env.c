// args_env: prints its arguments and selected environment variables, then exits with a
// chosen code.
//
// Output (stdout), one item per line:
//   argc=N
//   argv[i]=<arg>            for every argument (argv[0] included)
//   env NAME=<value>         for every NAME listed in KUMO_SHOW_ENV (comma separated),
//                            or "env NAME unset"
//   envc=N                   the number of environment variables
// Exit code: the value of KUMO_EXIT_CODE if set (0..255), else 0. An argument "--stderr"
// also writes "to stderr" to stderr.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
        if (strcmp(argv[i], "--stderr") == 0) fprintf(stderr, "to stderr\n");
    }
    const char *show = getenv("KUMO_SHOW_ENV");
    if (show) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", show);
        for (char *name = strtok(buf, ","); name; name = strtok(NULL, ",")) {
            const char *v = getenv(name);
            if (v) printf("env %s=%s\n", name, v);
            else printf("env %s unset\n", name);
        }
    }
    int envc = 0;
    for (char **e = environ; e && *e; e++) envc++;
    printf("envc=%d\n", envc);
    fflush(stdout);
    const char *code = getenv("KUMO_EXIT_CODE");
    return code ? atoi(code) & 255 : 0;
}
