#include "host/http/worker.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>

namespace kumo::host::http {

// epoll tags: the two fixed descriptors; anything else is a Connection*.
static constexpr uint64_t kListenerTag = 1, kWakeTag = 2;

Worker::Worker(unsigned index, const ServerConfig& config, const Handler& handler,
               UniqueFd listener)
    : index_(index), config_(config), handler_(handler), listener_(std::move(listener)) {}

Worker::~Worker() {
  if (thread_.joinable()) {
    request_stop(Clock::now());
    join();
  }
}

Expected<void> Worker::start() {
  epoll_ = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  wake_ = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_ || !wake_) return err("epoll/eventfd: {}", std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerTag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev) != 0)
    return err("epoll_ctl: {}", std::strerror(errno));
  ev.data.u64 = kWakeTag;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
  thread_ = std::thread([this] { run(); });
  return {};
}

void Worker::request_stop(Clock::time_point grace_deadline) {
  grace_deadline_.store(grace_deadline.time_since_epoch().count());
  stop_.store(true);
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::accept_all() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener stays readable, so stop watching it for a while
        // instead of spinning; connections wait in the backlog meanwhile.
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
        accept_paused_until_ = Clock::now() + std::chrono::milliseconds(100);
        if (config_.log) config_.log("http: out of file descriptors; accepting again in 100 ms");
      }
      return;  // EAGAIN: try again on the next event
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::unique_ptr<Connection> c;
    if (!pool_.empty())
      c = std::move(pool_.back()), pool_.pop_back();
    else
      c = std::make_unique<Connection>(config_, index_);
    SocketAddress peer;
    peer.storage = addr;
    peer.length = len;
    c->open(UniqueFd(fd), peer.to_string());
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c.get();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
    c->slot = live_.size();
    live_.push_back(std::move(c));
  }
}

void Worker::close_connection(Connection* c) {
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c->fd(), nullptr);
  c->close();
  size_t slot = c->slot;
  std::unique_ptr<Connection> owned = std::move(live_[slot]);
  if (slot + 1 != live_.size()) {
    live_[slot] = std::move(live_.back());
    live_[slot]->slot = slot;
  }
  live_.pop_back();
  if (pool_.size() < 256) pool_.push_back(std::move(owned));
}

void Worker::sweep(Clock::time_point now) {
  bool stopping = stop_.load();
  for (size_t i = live_.size(); i-- > 0;) {
    Connection* c = live_[i].get();
    // Idle keep-alive connections, and requests whose head or body stopped coming (no
    // progress for idle_timeout: slow-loris), are closed.
    bool quiet_too_long = now - c->last_active() > config_.idle_timeout;
    if (quiet_too_long || (stopping && c->idle())) close_connection(c);
  }
}

void Worker::run() {
  epoll_event events[128];
  bool listening = true;
  Clock::time_point last_sweep = Clock::now();
  for (;;) {
    bool stopping = stop_.load();
    if (stopping) {
      if (listening) {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
        listener_.reset();
        listening = false;
      }
      sweep(Clock::now());
      auto grace = Clock::time_point(Clock::duration(grace_deadline_.load()));
      if (live_.empty() || Clock::now() >= grace) break;
    }
    int n = ::epoll_wait(epoll_.get(), events, 128, stopping || accept_paused_until_ ? 50 : 1000);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; i++) {
      uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag) {
        if (listening) accept_all();
      } else if (tag == kWakeTag) {
        uint64_t v;
        [[maybe_unused]] auto r = ::read(wake_.get(), &v, sizeof v);
      } else {
        auto* c = static_cast<Connection*>(events[i].data.ptr);
        bool keep = (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
                    c->on_readable(handler_, stop_.load());
        if (!keep) close_connection(c);
      }
    }
    auto now = Clock::now();
    if (accept_paused_until_ && now >= *accept_paused_until_ && listening) {
      accept_paused_until_.reset();
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenerTag;
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev);
    }
    if (now - last_sweep > std::chrono::seconds(1)) {
      sweep(now);
      last_sweep = now;
    }
  }
  while (!live_.empty()) close_connection(live_.back().get());
}

}  // namespace kumo::host::http
