// clocks_random: checks the clocks and the random source a WASI host provides.
//
// Prints one "ok ..." or "FAIL ..." line per check and exits with the number of failures.
//   - wall clock (CLOCK_REALTIME) is after 2020-01-01 and its resolution is known
//   - monotonic clock never goes backwards over 1000 reads
//   - a 20 ms sleep (nanosleep, i.e. poll_oneoff on a clock) lasts at least 20 ms
//   - getentropy gives 32 bytes that are not all zero and differ between two calls
//   - arc4random/random bytes (libc) vary
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) failures++;
}

static int64_t ns(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void) {
    int64_t wall = ns(CLOCK_REALTIME);
    check(wall > (int64_t)1577836800 * 1000000000, "wall clock after 2020-01-01");
    struct timespec res;
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0),
          "monotonic clock resolution is positive");

    int64_t prev = ns(CLOCK_MONOTONIC), first = prev;
    int backwards = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t now = ns(CLOCK_MONOTONIC);
        if (now < prev) backwards = 1;
        prev = now;
    }
    check(first >= 0 && !backwards, "monotonic clock never goes backwards");

    struct timespec req = {0, 20 * 1000 * 1000};
    int64_t t0 = ns(CLOCK_MONOTONIC);
    int slept = nanosleep(&req, NULL);
    int64_t elapsed = ns(CLOCK_MONOTONIC) - t0;
    check(slept == 0 && elapsed >= 20 * 1000 * 1000, "20 ms sleep lasts at least 20 ms");
    printf("slept %lld us\n", (long long)(elapsed / 1000));

    unsigned char a[32], b[32], zero[32] = {0};
    int ga = getentropy(a, sizeof a), gb = getentropy(b, sizeof b);
    check(ga == 0 && gb == 0, "getentropy succeeds");
    check(memcmp(a, zero, sizeof a) != 0, "random bytes are not all zero");
    check(memcmp(a, b, sizeof a) != 0, "two random draws differ");

    uint32_t r1 = arc4random(), r2 = arc4random(), r3 = arc4random();
    check(!(r1 == r2 && r2 == r3), "arc4random varies");

    printf("%s\n", failures ? "clocks_random: FAILED" : "clocks_random: all ok");
    return failures;
}
