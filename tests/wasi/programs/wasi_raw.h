// Raw wasi_snapshot_preview1 imports (pointers passed as plain i32 values, so tests can hand the
// host deliberately bad ones) and errno names for printing.
#pragma once

#include <stdint.h>

#define WASI_RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WASI_RAW(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
WASI_RAW(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread);
WASI_RAW(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, int32_t out);
WASI_RAW(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
WASI_RAW(fd_readdir)
int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used);
WASI_RAW(fd_close) int32_t raw_fd_close(int32_t fd);
WASI_RAW(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
WASI_RAW(args_sizes_get) int32_t raw_args_sizes_get(int32_t argc, int32_t size);
WASI_RAW(environ_sizes_get) int32_t raw_environ_sizes_get(int32_t count, int32_t size);
WASI_RAW(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
WASI_RAW(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
WASI_RAW(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);
WASI_RAW(proc_raise) int32_t raw_proc_raise(int32_t sig);
WASI_RAW(sock_accept) int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t out);
WASI_RAW(sock_recv)
int32_t raw_sock_recv(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t len,
                      int32_t oflags);
WASI_RAW(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t fd_out);
WASI_RAW(path_filestat_get)
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);
WASI_RAW(path_create_directory)
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len);
WASI_RAW(path_remove_directory)
int32_t raw_path_remove_directory(int32_t fd, int32_t path, int32_t len);
WASI_RAW(path_unlink_file) int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t len);
WASI_RAW(path_rename)
int32_t raw_path_rename(int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
                        int32_t new_path, int32_t new_len);
WASI_RAW(path_link)
int32_t raw_path_link(int32_t old_fd, int32_t flags, int32_t old_path, int32_t old_len,
                      int32_t new_fd, int32_t new_path, int32_t new_len);
WASI_RAW(path_symlink)
int32_t raw_path_symlink(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
                         int32_t new_len);
WASI_RAW(path_readlink)
int32_t raw_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len,
                          int32_t used);

#define PTR(p) ((int32_t)(uintptr_t)(p))

static inline const char* errno_name(int e) {
  // clang-format off
  static const char* const names[] = {
      "ESUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN",
      "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED",
      "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST",
      "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
      "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
      "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
      "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
      "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
      "ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO",
      "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
      "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE"};
  // clang-format on
  return e >= 0 && e <= 76 ? names[e] : "E?";
}

// wasi-libc's errno values are the WASI ones, so the same table names libc errors.
#define ERRNAME(e) errno_name(e)
