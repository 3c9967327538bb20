// Copies stdin to stdout in upper case; reports the byte count on stderr.
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buf[100];  // small on purpose: many fd_read calls
  long total = 0;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; ++i) buf[i] = (char)toupper((unsigned char)buf[i]);
    if (write(1, buf, (size_t)n) != n) return 2;
    total += n;
  }
  if (n < 0) return 1;
  fprintf(stderr, "%ld bytes\n", total);
  return 0;
}
