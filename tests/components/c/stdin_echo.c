// stdin_echo: copies stdin to stdout until end of input, then writes
// "stdin_echo: N bytes" to stderr. Exits 0 (1 on a read or write error).
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[4096];
    long long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) { perror("stdin_echo: read"); return 1; }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w <= 0) { perror("stdin_echo: write"); return 1; }
            off += w;
        }
        total += n;
    }
    fprintf(stderr, "stdin_echo: %lld bytes\n", total);
    return 0;
}
