// File system operations inside the pre-opened directory argv[1]; prints what it observes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_raw.h"

static char path_buf[8][512];
static int path_slot;
// "<dir>/<rel>" in a rotating buffer.
static const char* P(const char* dir, const char* rel) {
  char* p = path_buf[path_slot++ % 8];
  snprintf(p, 512, "%s/%s", dir, rel);
  return p;
}

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      printf("FAILED line %d: %s (errno %s)\n", __LINE__, #cond, ERRNAME(errno)); \
      exit(1);                                                                    \
    }                                                                             \
  } while (0)

static void print_file(const char* label, const char* path) {
  FILE* f = fopen(path, "r");
  CHECK(f);
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  printf("%s: [%s]\n", label, buf);
}

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

// Lists a directory, sorted, skipping "." and ".." (their presence is checked separately).
static void list_dir(const char* dir, int print) {
  DIR* d = opendir(dir);
  CHECK(d);
  char* names[512];
  int n = 0, dots = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      ++dots;
      continue;
    }
    CHECK(n < 512);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp);
  printf("listing %d entries (+%d dots)\n", n, dots);
  for (int i = 0; i < n; ++i) {
    if (print) printf("  %s\n", names[i]);
    free(names[i]);
  }
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* D = argv[1];

  // create, write, read
  CHECK(mkdir(P(D, "sub"), 0755) == 0);
  FILE* f = fopen(P(D, "sub/a.txt"), "w");
  CHECK(f);
  fputs("hello file\n", f);
  fclose(f);
  print_file("read", P(D, "sub/a.txt"));

  // append
  f = fopen(P(D, "sub/a.txt"), "a");
  CHECK(f);
  fputs("more\n", f);
  fclose(f);
  print_file("appended", P(D, "sub/a.txt"));

  struct stat st;
  CHECK(stat(P(D, "sub/a.txt"), &st) == 0);
  printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));

  // positioned I/O and seeking on one descriptor
  int fd = open(P(D, "sub/a.txt"), O_RDWR);
  CHECK(fd >= 0);
  CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
  char buf[64] = {0};
  CHECK(pread(fd, buf, 4, 6) == 4);
  printf("pread: [%s]\n", buf);
  CHECK(lseek(fd, 0, SEEK_END) == 16);
  CHECK(lseek(fd, -5, SEEK_CUR) == 11);
  memset(buf, 0, sizeof buf);
  CHECK(read(fd, buf, sizeof buf) == 5);
  printf("tail: [%s]\n", buf);
  CHECK(ftruncate(fd, 5) == 0);
  CHECK(fstat(fd, &st) == 0);
  printf("truncated size=%lld\n", (long long)st.st_size);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  CHECK(posix_fadvise(fd, 0, 5, POSIX_FADV_SEQUENTIAL) == 0);
  CHECK(close(fd) == 0);
  print_file("after truncate", P(D, "sub/a.txt"));

  // rename
  CHECK(rename(P(D, "sub/a.txt"), P(D, "sub/b.txt")) == 0);
  errno = 0;
  CHECK(open(P(D, "sub/a.txt"), O_RDONLY) < 0);
  printf("old name: %s\n", ERRNAME(errno));
  print_file("renamed", P(D, "sub/b.txt"));

  // many entries: fd_readdir is called repeatedly with cookies
  for (int i = 0; i < 300; ++i) {
    char name[128];
    snprintf(name, sizeof name, "sub/many_%03d_with_a_rather_long_name_to_fill_buffers.txt", i);
    int c = open(P(D, name), O_CREAT | O_WRONLY | O_EXCL, 0644);
    CHECK(c >= 0);
    close(c);
  }
  list_dir(P(D, "sub"), 0);
  for (int i = 0; i < 300; ++i) {
    char name[128];
    snprintf(name, sizeof name, "sub/many_%03d_with_a_rather_long_name_to_fill_buffers.txt", i);
    CHECK(unlink(P(D, name)) == 0);
  }

  // symlinks and hard links
  CHECK(symlink("b.txt", P(D, "sub/link")) == 0);
  char target[64] = {0};
  CHECK(readlink(P(D, "sub/link"), target, sizeof target - 1) == 5);
  printf("readlink: [%s]\n", target);
  print_file("via link", P(D, "sub/link"));
  CHECK(lstat(P(D, "sub/link"), &st) == 0);
  printf("lstat link: symlink=%d\n", S_ISLNK(st.st_mode));
  CHECK(stat(P(D, "sub/link"), &st) == 0);
  printf("stat link: regular=%d\n", S_ISREG(st.st_mode));
  CHECK(link(P(D, "sub/b.txt"), P(D, "sub/hard.txt")) == 0);
  CHECK(stat(P(D, "sub/hard.txt"), &st) == 0);
  printf("nlink=%llu\n", (unsigned long long)st.st_nlink);

  // times
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 500}};
  CHECK(utimensat(AT_FDCWD, P(D, "sub/b.txt"), times, 0) == 0);
  CHECK(stat(P(D, "sub/b.txt"), &st) == 0);
  printf("mtime=%lld.%09ld atime=%lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
         (long long)st.st_atim.tv_sec);

  list_dir(P(D, "sub"), 1);

  // errors
  errno = 0;
  CHECK(mkdir(P(D, "sub"), 0755) < 0);
  printf("mkdir existing: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(open(P(D, "missing.txt"), O_RDONLY) < 0);
  printf("open missing: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(open(P(D, "sub"), O_WRONLY) < 0);
  printf("open dir for writing: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(rmdir(P(D, "sub")) < 0);
  printf("rmdir non-empty: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(unlink(P(D, "sub")) < 0);
  printf("unlink dir: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(open(P(D, "sub/b.txt/x"), O_RDONLY) < 0);
  printf("file as dir: %s\n", ERRNAME(errno));
  errno = 0;
  CHECK(open(P(D, "sub/b.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644) < 0);
  printf("create existing exclusive: %s\n", ERRNAME(errno));

  // clean up
  CHECK(unlink(P(D, "sub/link")) == 0);
  CHECK(unlink(P(D, "sub/hard.txt")) == 0);
  CHECK(unlink(P(D, "sub/b.txt")) == 0);
  CHECK(rmdir(P(D, "sub")) == 0);
  list_dir(D, 1);

  // leave one file behind for the host to check
  f = fopen(P(D, "result.txt"), "w");
  CHECK(f);
  fputs("written by wasm\n", f);
  fclose(f);
  printf("done\n");
  return 0;
}
