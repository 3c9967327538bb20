// fs: exercises the filesystem of a WASI host inside one pre-opened directory.
//
// Usage: fs [DIR]   (DIR is the guest path of a pre-opened directory, default ".")
//
// Works in DIR/fs-test (removed first if left over), prints one "ok ..." or "FAIL ..." line per
// check and exits with the number of failures. On success it leaves DIR/fs_result.txt containing
// "fs: done\n" so that a host-side test can see the writes reached the host directory.
//
// Checks: mkdir, create, write, read back, pread/pwrite, lseek, append, ftruncate, fstat/stat
// sizes and types, readdir, rename, unlink, rmdir, and that escaping the pre-open fails:
// "..", "sub/../..", absolute paths (through libc and directly relative to the directory fd),
// and symlinks pointing outside (absolute target or "..").
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what) {
    if (ok) printf("ok %s\n", what);
    else { printf("FAIL %s (errno %d: %s)\n", what, errno, strerror(errno)); failures++; }
    errno = 0;
}

// An escape attempt must fail; prints what the error was.
static void must_fail(int fd_or_rc, const char *what) {
    if (fd_or_rc >= 0) {
        printf("FAIL escape allowed: %s\n", what);
        failures++;
        if (fd_or_rc > 2) close(fd_or_rc);
    } else {
        printf("ok escape denied: %s (errno %d)\n", what, errno);
    }
    errno = 0;
}

// An absolute path may legitimately resolve to the pre-open itself when it is mounted at "." or
// "/" (wasi-libc maps absolute paths onto pre-opens by prefix): that is not an escape, as long as
// what was reached is the sandbox directory, recognised by its device and inode numbers.
static struct stat sandbox_st;
static void must_fail_or_be_sandbox(int rc, const struct stat *st, const char *what) {
    if (rc < 0) {
        printf("ok escape denied: %s (errno %d)\n", what, errno);
    } else if (st->st_dev == sandbox_st.st_dev && st->st_ino == sandbox_st.st_ino) {
        printf("ok %s resolves to the pre-opened directory itself\n", what);
    } else {
        printf("FAIL escape allowed: %s\n", what);
        failures++;
    }
    errno = 0;
}

static char path_buf[4][512];
static const char *P(int slot, const char *dir, const char *rel) {
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, rel);
    return path_buf[slot];
}

static int write_all(int fd, const char *s, size_t n) {
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) return -1;
        s += w; n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    char base[512];
    snprintf(base, sizeof base, "%s/fs-test", dir);

    // Clean up a previous run (ignore errors).
    unlink(P(0, base, "sub/a.txt"));
    unlink(P(0, base, "sub/b.txt"));
    unlink(P(0, base, "abs_link"));
    unlink(P(0, base, "up_link"));
    rmdir(P(0, base, "sub"));
    rmdir(base);
    unlink(P(0, dir, "fs_result.txt"));
    errno = 0;

    check(mkdir(base, 0755) == 0, "mkdir fs-test");
    check(mkdir(P(0, base, "sub"), 0755) == 0, "mkdir fs-test/sub");
    struct stat st;
    check(stat(P(0, base, "sub"), &st) == 0 && S_ISDIR(st.st_mode), "stat sub is a directory");

    const char *text = "hello file\nsecond line\n";
    size_t tlen = strlen(text);
    int fd = open(P(0, base, "sub/a.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644);
    check(fd >= 0, "create sub/a.txt");
    check(fd >= 0 && write_all(fd, text, tlen) == 0, "write sub/a.txt");
    check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == (off_t)tlen && S_ISREG(st.st_mode),
          "fstat size and type after write");
    if (fd >= 0) close(fd);
    check(open(P(0, base, "sub/a.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 && errno == EEXIST,
          "O_EXCL on an existing file fails with EEXIST");

    char buf[256] = {0};
    fd = open(P(0, base, "sub/a.txt"), O_RDONLY);
    check(fd >= 0, "open sub/a.txt for reading");
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    check(n == (ssize_t)tlen && memcmp(buf, text, tlen) == 0, "read back the same bytes");
    check(fd >= 0 && lseek(fd, 6, SEEK_SET) == 6 && read(fd, buf, 4) == 4 && memcmp(buf, "file", 4) == 0,
          "lseek + read");
    check(fd >= 0 && pread(fd, buf, 6, 11) == 6 && memcmp(buf, "second", 6) == 0, "pread");
    check(fd >= 0 && write(fd, "x", 1) < 0, "write to a read-only descriptor fails");
    if (fd >= 0) close(fd);

    fd = open(P(0, base, "sub/a.txt"), O_RDWR);
    check(fd >= 0 && pwrite(fd, "HELLO", 5, 0) == 5, "pwrite");
    check(fd >= 0 && ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10, "ftruncate to 10");
    if (fd >= 0) close(fd);
    fd = open(P(0, base, "sub/a.txt"), O_WRONLY | O_APPEND);
    check(fd >= 0 && write_all(fd, "!\n", 2) == 0, "append");
    if (fd >= 0) close(fd);
    memset(buf, 0, sizeof buf);
    fd = open(P(0, base, "sub/a.txt"), O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    check(n == 12 && memcmp(buf, "HELLO file!\n", 12) == 0, "content after pwrite/truncate/append");
    if (fd >= 0) close(fd);
    check(stat(P(0, base, "sub/a.txt"), &st) == 0 && st.st_size == 12, "stat size by path");

    DIR *d = opendir(P(0, base, "sub"));
    int seen_a = 0, entries = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        entries++;
        if (strcmp(de->d_name, "a.txt") == 0) seen_a = 1;
    }
    if (d) closedir(d);
    check(d != NULL && seen_a && entries == 1, "readdir lists exactly a.txt");

    check(rename(P(0, base, "sub/a.txt"), P(1, base, "sub/b.txt")) == 0, "rename a.txt -> b.txt");
    check(access(P(0, base, "sub/a.txt"), F_OK) != 0 && errno == ENOENT, "a.txt is gone");
    errno = 0;
    check(stat(P(0, base, "sub/b.txt"), &st) == 0 && st.st_size == 12, "b.txt has the content");
    check(rmdir(P(0, base, "sub")) != 0, "rmdir of a non-empty directory fails");
    check(unlink(P(0, base, "sub/b.txt")) == 0, "unlink b.txt");
    check(open(P(0, base, "sub/b.txt"), O_RDONLY) < 0 && errno == ENOENT, "open after unlink fails with ENOENT");
    check(rmdir(P(0, base, "sub")) == 0, "rmdir sub");

    // Escapes through libc path resolution.
    must_fail(open(P(0, dir, "../fs-escape.txt"), O_CREAT | O_WRONLY, 0644), "create DIR/../fs-escape.txt");
    must_fail(open(P(0, dir, ".."), O_RDONLY | O_DIRECTORY), "open DIR/..");
    must_fail(open(P(0, base, "../../"), O_RDONLY | O_DIRECTORY), "open DIR/fs-test/../../");
    must_fail(open("/etc/passwd", O_RDONLY), "open /etc/passwd");
    check(stat(dir, &sandbox_st) == 0, "stat DIR");
    must_fail_or_be_sandbox(stat("/", &st), &st, "stat /");

    // Escapes relative to the directory descriptor (absolute paths reach the host unchanged).
    int dfd = open(base, O_RDONLY | O_DIRECTORY);
    check(dfd >= 0, "open fs-test as a directory");
    must_fail(openat(dfd, "../..", O_RDONLY | O_DIRECTORY), "openat(dir, \"../..\")");
    must_fail(openat(dfd, "/etc/passwd", O_RDONLY), "openat(dir, \"/etc/passwd\")");
    {
        int rfd = openat(dfd, "/", O_RDONLY | O_DIRECTORY);
        if (rfd >= 0 && fstat(rfd, &st) != 0) memset(&st, 0, sizeof st);
        must_fail_or_be_sandbox(rfd, &st, "openat(dir, \"/\")");
        if (rfd >= 0) close(rfd);
    }
    must_fail(fstatat(dfd, "../../..", &st, 0), "fstatat(dir, \"../../..\")");
    must_fail(mkdirat(dfd, "../../fs-escape-dir", 0755), "mkdirat(dir, \"../../fs-escape-dir\")");

    // Symlinks: creating one may be refused; following one out of the sandbox must be.
    if (symlinkat("/etc", dfd, "abs_link") == 0) {
        printf("note: symlink with an absolute target was created\n");
        must_fail(openat(dfd, "abs_link/passwd", O_RDONLY), "open through a symlink to /etc");
        must_fail(openat(dfd, "abs_link", O_RDONLY | O_DIRECTORY), "open a symlink to /etc");
        unlinkat(dfd, "abs_link", 0);
    } else {
        printf("ok escape denied: symlink with an absolute target refused (errno %d)\n", errno);
    }
    errno = 0;
    if (symlinkat("../..", dfd, "up_link") == 0) {
        printf("note: symlink to ../.. was created\n");
        must_fail(openat(dfd, "up_link", O_RDONLY | O_DIRECTORY), "open a symlink to ../..");
        must_fail(fstatat(dfd, "up_link/.", &st, 0), "stat through a symlink to ../..");
        char target[64] = {0};
        check(readlinkat(dfd, "up_link", target, sizeof target - 1) == 5 && strcmp(target, "../..") == 0,
              "readlink gives the link text");
        check(unlinkat(dfd, "up_link", 0) == 0, "unlink the symlink");
    } else {
        printf("ok escape denied: symlink to ../.. refused (errno %d)\n", errno);
    }
    errno = 0;
    if (dfd >= 0) close(dfd);
    check(rmdir(base) == 0, "rmdir fs-test");

    if (failures == 0) {
        fd = open(P(0, dir, "fs_result.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
        check(fd >= 0 && write_all(fd, "fs: done\n", 9) == 0, "write fs_result.txt");
        if (fd >= 0) close(fd);
    }
    printf("%s\n", failures ? "fs: FAILED" : "fs: all ok");
    return failures;
}
