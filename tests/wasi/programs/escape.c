// Tries to leave the pre-opened directory (fd 3) in every way the host must refuse, using the
// raw WASI calls so that wasi-libc's own path handling is not what stops it. The host test sets
// up the tree (see wasi_programs_test.cpp): outside/secret.txt next to the sandbox, and symlinks
// inside the sandbox pointing out of it.
#include <stdio.h>
#include <string.h>

#include "wasi_raw.h"

#define PRE 3
#define FOLLOW 1
#define ALL_RIGHTS 0x3fffffffLL

static int open_at(int dir, int dirflags, const char* path, int oflags, int* fd) {
  return raw_path_open(dir, dirflags, PTR(path), (int32_t)strlen(path), oflags, ALL_RIGHTS,
                       ALL_RIGHTS, 0, PTR(fd));
}

// Opens `path` for reading and prints the result; prints the content when it opened.
static void try_open(int dir, int dirflags, const char* path) {
  int fd = -1;
  int e = open_at(dir, dirflags, path, 0, &fd);
  printf("open %-32s %s", path, ERRNAME(e));
  if (e == 0) {
    char buf[64] = {0};
    struct {
      int32_t buf, len;
    } iov = {PTR(buf), sizeof buf - 1};
    int32_t n = 0;
    if (raw_fd_read(fd, PTR(&iov), 1, PTR(&n)) == 0) printf(" [%.*s]", (int)n, buf);
    raw_fd_close(fd);
  }
  printf("\n");
}

static void report(const char* what, int e) { printf("%-37s %s\n", what, ERRNAME(e)); }

#define S(p) PTR(p), (int32_t)strlen(p)

int main(void) {
  try_open(PRE, FOLLOW, "inside.txt");
  try_open(PRE, FOLLOW, "../outside/secret.txt");
  try_open(PRE, FOLLOW, "/etc/passwd");
  try_open(PRE, FOLLOW, "sub/../../outside/secret.txt");
  try_open(PRE, FOLLOW, "sub/../inside.txt");
  try_open(PRE, FOLLOW, "./sub/./x.txt");
  try_open(PRE, FOLLOW, "..");
  try_open(PRE, FOLLOW, "abs_link/secret.txt");
  try_open(PRE, FOLLOW, "abs_file_link");
  try_open(PRE, 0, "abs_file_link");
  try_open(PRE, FOLLOW, "rel_link/secret.txt");
  try_open(PRE, FOLLOW, "chain1/secret.txt");
  try_open(PRE, FOLLOW, "deep_escape/secret.txt");
  try_open(PRE, FOLLOW, "dotdot_link/outside/secret.txt");
  try_open(PRE, FOLLOW, "inner_link/x.txt");
  try_open(PRE, FOLLOW, "inner_link/../inside.txt");
  try_open(PRE, FOLLOW, "loop1");
  try_open(PRE, FOLLOW, "sub/up_link/inside.txt");

  // A directory opened inside the sandbox confines paths relative to it in the same way.
  int sub = -1;
  report("open sub (dir)", open_at(PRE, FOLLOW, "sub", 2 /* O_DIRECTORY */, &sub));
  try_open(sub, FOLLOW, "x.txt");
  try_open(sub, FOLLOW, "../inside.txt");
  try_open(sub, FOLLOW, "up_link/inside.txt");

  // Creating the file through an escaping link must not create anything outside.
  int fd = -1;
  report("create rel_link/created.txt",
         open_at(PRE, FOLLOW, "rel_link/created.txt", 1 /* O_CREAT */, &fd));
  report("create ../created.txt", open_at(PRE, FOLLOW, "../created.txt", 1, &fd));
  report("create dangling_out (link)", open_at(PRE, FOLLOW, "dangling_out", 1, &fd));

  char st[64];
  report("filestat rel_link (follow)", raw_path_filestat_get(PRE, FOLLOW, S("rel_link"), PTR(st)));
  report("filestat rel_link (nofollow)", raw_path_filestat_get(PRE, 0, S("rel_link"), PTR(st)));
  report("filestat ../outside", raw_path_filestat_get(PRE, 0, S("../outside"), PTR(st)));
  report("mkdir ../newdir", raw_path_create_directory(PRE, S("../newdir")));
  report("mkdir rel_link/newdir", raw_path_create_directory(PRE, S("rel_link/newdir")));
  report("rmdir ../outside", raw_path_remove_directory(PRE, S("../outside")));
  report("unlink ../outside/secret.txt", raw_path_unlink_file(PRE, S("../outside/secret.txt")));
  report("unlink rel_link/secret.txt", raw_path_unlink_file(PRE, S("rel_link/secret.txt")));
  report("rename inside.txt -> ../stolen.txt",
         raw_path_rename(PRE, S("inside.txt"), PRE, S("../stolen.txt")));
  report("rename ../outside/secret.txt -> got",
         raw_path_rename(PRE, S("../outside/secret.txt"), PRE, S("got.txt")));
  report("rename via rel_link -> got",
         raw_path_rename(PRE, S("rel_link/secret.txt"), PRE, S("got.txt")));
  report("link rel_link/secret.txt -> got",
         raw_path_link(PRE, FOLLOW, S("rel_link/secret.txt"), PRE, S("got.txt")));
  report("link abs_file_link (follow) -> got",
         raw_path_link(PRE, FOLLOW, S("abs_file_link"), PRE, S("got.txt")));
  report("symlink /etc/passwd -> mylink", raw_path_symlink(S("/etc/passwd"), PRE, S("mylink")));
  report("symlink ../outside -> mylink2", raw_path_symlink(S("../outside"), PRE, S("mylink2")));
  try_open(PRE, FOLLOW, "mylink2/secret.txt");
  report("symlink x -> ../outside/evil", raw_path_symlink(S("x"), PRE, S("../outside/evil")));

  char target[64] = {0};
  int32_t used = 0;
  int e = raw_path_readlink(PRE, S("rel_link"), PTR(target), sizeof target, PTR(&used));
  printf("%-37s %s [%.*s]\n", "readlink rel_link", ERRNAME(e), (int)used, target);
  report("readlink ../outside", raw_path_readlink(PRE, S("../x"), PTR(target), 64, PTR(&used)));

  // And through wasi-libc: an absolute path outside every pre-open is refused by libc itself.
  FILE* f = fopen("/etc/passwd", "r");
  printf("fopen /etc/passwd: %s\n", f ? "OPENED" : "refused");
  return 0;
}
