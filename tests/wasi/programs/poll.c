// poll_oneoff with clock and descriptor subscriptions, checking the event records.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
  __wasi_subscription_t subs[3];
  __wasi_event_t events[3];
  __wasi_size_t n = 0;
  memset(subs, 0, sizeof subs);

  // 1. A relative 10 ms timer alone.
  __wasi_timestamp_t t0, t1;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0) != 0) return 1;
  subs[0].userdata = 42;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 10 * 1000000;
  int e = __wasi_poll_oneoff(subs, events, 1, &n);
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1) != 0) return 1;
  printf("timer: errno=%d n=%lu userdata=%llu type=%d waited=%d\n", e, n,
         (unsigned long long)events[0].userdata, events[0].type, t1 - t0 >= 10 * 1000000);

  // 2. An absolute deadline already in the past fires at once.
  subs[0].u.u.clock.timeout = t0;
  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  e = __wasi_poll_oneoff(subs, events, 1, &n);
  printf("past deadline: errno=%d n=%lu type=%d\n", e, n, events[0].type);

  // 3. stdin (a regular file in the test) is readable at once, before a long timer.
  subs[0].u.u.clock.timeout = 10ull * 1000000000;
  subs[0].u.u.clock.flags = 0;
  subs[1].userdata = 7;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[1].u.u.fd_read.file_descriptor = 0;
  subs[2].userdata = 8;
  subs[2].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[2].u.u.fd_write.file_descriptor = 1;
  e = __wasi_poll_oneoff(subs, events, 3, &n);
  printf("fds: errno=%d n=%lu\n", e, n);
  for (__wasi_size_t i = 0; i < n; ++i)
    printf("  userdata=%llu error=%d type=%d nbytes=%llu\n", (unsigned long long)events[i].userdata,
           events[i].error, events[i].type,
           (unsigned long long)(events[i].type == __WASI_EVENTTYPE_FD_READ
                                    ? events[i].fd_readwrite.nbytes
                                    : 0));

  // 4. A bad descriptor is reported in its event, not as the call's error.
  subs[1].u.u.fd_read.file_descriptor = 77;
  e = __wasi_poll_oneoff(subs, events, 2, &n);
  printf("bad fd: errno=%d n=%lu userdata=%llu error=%d\n", e, n,
         (unsigned long long)events[0].userdata, events[0].error);
  return 0;
}
