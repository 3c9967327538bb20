// Hands the host out-of-bounds pointers: each call must fail with EFAULT (or the listed errno)
// and the host must keep running.
#include <stdio.h>
#include <string.h>

#include "wasi_raw.h"

static void report(const char* what, int e) { printf("%-34s %s\n", what, ERRNAME(e)); }

int main(void) {
  const int32_t end = (int32_t)(__builtin_wasm_memory_size(0) * 65536u);  // one past the last byte
  static int32_t out[16];
  static char buf[64];

  struct {
    int32_t buf, len;
  } iov = {end - 2, 10};
  report("fd_write iovs array out of range", raw_fd_write(1, -16, 1, PTR(out)));
  report("fd_write buffer crosses the end", raw_fd_write(1, PTR(&iov), 1, PTR(out)));
  report("fd_write nwritten out of range", raw_fd_write(1, PTR(&iov), 0, end));
  iov.buf = end;
  iov.len = 0;
  report("fd_write empty buffer at the end", raw_fd_write(1, PTR(&iov), 1, PTR(out)));
  iov.buf = end + 1;
  report("fd_write empty buffer past the end", raw_fd_write(1, PTR(&iov), 1, PTR(out)));
  iov.buf = -1;
  iov.len = 2;
  report("fd_read buffer wraps around", raw_fd_read(0, PTR(&iov), 1, PTR(out)));
  report("args_sizes_get out of range", raw_args_sizes_get(-1, PTR(out)));
  report("args_get out of range", raw_args_get(end - 1, PTR(buf)));
  report("environ_sizes_get at the end", raw_environ_sizes_get(PTR(out), end - 3));
  report("clock_time_get half out", raw_clock_time_get(1, 0, end - 4));
  report("clock_time_get last 8 bytes", raw_clock_time_get(1, 0, end - 8));
  report("random_get crossing the end", raw_random_get(end - 10, 100));
  report("random_get last 10 bytes", raw_random_get(end - 10, 10));
  report("fd_fdstat_get out of range", raw_fd_fdstat_get(1, -1));
  report("fd_prestat_dir_name out of range", raw_fd_prestat_dir_name(3, end - 4, 100));
  report("fd_readdir buffer crosses the end", raw_fd_readdir(3, end - 4, 100, 0, PTR(out)));
  report("path_open path crosses the end", raw_path_open(3, 0, end - 2, 10, 0, 0, 0, 0, PTR(out)));
  report("path_open fd_out out of range", raw_path_open(3, 0, PTR("."), 1, 0, 0, 0, 0, end));
  report("path_filestat_get out of range", raw_path_filestat_get(3, 0, PTR("."), 1, end - 63));
  report("poll_oneoff subscriptions out", raw_poll_oneoff(end - 8, PTR(buf), 1, PTR(out)));
  report("poll_oneoff no subscriptions", raw_poll_oneoff(PTR(buf), PTR(buf), 0, PTR(out)));
  report("path_open invalid UTF-8", raw_path_open(3, 0, PTR("\xff\xfe"), 2, 0, 0, 0, 0, PTR(out)));
  report("path_open embedded NUL", raw_path_open(3, 0, PTR("a\0b"), 3, 0, 0, 0, 0, PTR(out)));
  report("fd_write to a closed fd", raw_fd_write(99, PTR(&iov), 0, PTR(out)));
  report("clock_time_get unknown clock", raw_clock_time_get(99, 0, PTR(out)));
  report("proc_raise", raw_proc_raise(9));
  report("sock_accept on stdout", raw_sock_accept(1, 0, PTR(out)));
  report("sock_recv on a closed fd", raw_sock_recv(99, PTR(&iov), 1, 0, PTR(out), PTR(out + 1)));
  printf("still alive\n");
  return 0;
}
