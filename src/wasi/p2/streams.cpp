#include "wasi/p2/streams.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace kumo::wasi::p2 {

// ---- pollables ---------------------------------------------------------------------------------

bool Pollable::block(Deadline deadline) {
  Pollable* self = this;
  return !poll_many(std::span<Pollable* const>(&self, 1), deadline).empty();
}

bool FdPollable::ready() {
  struct pollfd p {
    fd_, events_, 0
  };
  return ::poll(&p, 1, 0) > 0;
}

std::vector<uint32_t> poll_many(std::span<Pollable* const> ps, Deadline deadline) {
  std::vector<uint32_t> out;
  std::vector<struct pollfd> fds;
  auto backoff = std::chrono::microseconds(50);
  for (;;) {
    for (uint32_t i = 0; i < ps.size(); i++)
      if (ps[i]->ready()) out.push_back(i);
    if (!out.empty()) return out;
    Clock::time_point now = Clock::now();
    if (deadline && now >= *deadline) return out;
    // Sleep in poll(2) until an fd changes, the earliest time-based pollable, or the deadline.
    fds.clear();
    Deadline wake = deadline;
    bool opaque = false;  // some pollable can only be re-checked
    for (Pollable* p : ps) {
      Pollable::FdWait w = p->fd_wait();
      Deadline at = p->ready_at();
      if (w.fd >= 0) fds.push_back({w.fd, w.events, 0});
      if (at && (!wake || *at < *wake)) wake = at;
      if (w.fd < 0 && !at) opaque = true;
    }
    if (opaque) {
      Clock::time_point b = now + backoff;
      if (!wake || b < *wake) wake = b;
      backoff = std::min<std::chrono::microseconds>(backoff * 2, std::chrono::milliseconds(10));
    }
    int timeout = -1;
    if (wake) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(*wake - now).count();
      timeout = left <= 0 ? 0 : int(std::min<int64_t>((left + 999) / 1000, 1 << 30));
    }
    if (fds.empty() && timeout < 0) return out;  // nothing can ever become ready: give up
    int r = ::poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno != EINTR) return out;
  }
}

// ---- default stream operations -----------------------------------------------------------------

StreamResult<std::vector<uint8_t>> InputStream::blocking_read(uint64_t len) {
  for (;;) {
    auto r = read(len);
    if (!r || !r->empty() || len == 0) return r;
    subscribe()->block();
  }
}

StreamResult<uint64_t> InputStream::skip(uint64_t len) {
  auto r = read(len);
  if (!r) return Unexpected{std::move(r.error())};
  return uint64_t(r->size());
}

StreamResult<uint64_t> InputStream::blocking_skip(uint64_t len) {
  auto r = blocking_read(len);
  if (!r) return Unexpected{std::move(r.error())};
  return uint64_t(r->size());
}

StreamResult<void> OutputStream::blocking_flush() {
  KUMO_CHECK(flush());
  // Flushed when a write is accepted again.
  for (;;) {
    auto n = check_write();
    if (!n) return Unexpected{std::move(n.error())};
    if (*n > 0) return {};
    subscribe()->block();
  }
}

StreamResult<void> OutputStream::blocking_write_and_flush(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    auto n = check_write();
    if (!n) return Unexpected{std::move(n.error())};
    if (*n == 0) {
      subscribe()->block();
      continue;
    }
    size_t k = size_t(std::min<uint64_t>(*n, bytes.size()));
    KUMO_CHECK(write(bytes.first(k)));
    bytes = bytes.subspan(k);
  }
  return blocking_flush();
}

StreamResult<void> OutputStream::write_zeroes(uint64_t len) {
  std::vector<uint8_t> zeroes(size_t(std::min<uint64_t>(len, kMaxWriteChunk)), 0);
  while (len > 0) {
    size_t k = size_t(std::min<uint64_t>(len, zeroes.size()));
    KUMO_CHECK(write(std::span<const uint8_t>(zeroes.data(), k)));
    len -= k;
  }
  return {};
}

StreamResult<void> OutputStream::blocking_write_zeroes_and_flush(uint64_t len) {
  std::vector<uint8_t> zeroes(size_t(std::min<uint64_t>(len, kMaxWriteChunk)), 0);
  while (len > 0) {
    size_t k = size_t(std::min<uint64_t>(len, zeroes.size()));
    KUMO_CHECK(blocking_write_and_flush(std::span<const uint8_t>(zeroes.data(), k)));
    len -= k;
  }
  return blocking_flush();
}

StreamResult<uint64_t> OutputStream::splice(InputStream& src, uint64_t len) {
  auto n = check_write();
  if (!n) return Unexpected{std::move(n.error())};
  uint64_t k = std::min(*n, len);
  if (k == 0) return uint64_t{0};
  auto bytes = src.read(k);
  if (!bytes) return Unexpected{std::move(bytes.error())};
  KUMO_CHECK(write(*bytes));
  return uint64_t(bytes->size());
}

StreamResult<uint64_t> OutputStream::blocking_splice(InputStream& src, uint64_t len) {
  for (;;) {
    auto n = check_write();
    if (!n) return Unexpected{std::move(n.error())};
    if (*n == 0) {
      subscribe()->block();
      continue;
    }
    auto bytes = src.blocking_read(std::min(*n, len));
    if (!bytes) return Unexpected{std::move(bytes.error())};
    KUMO_CHECK(write(*bytes));
    return uint64_t(bytes->size());
  }
}

// ---- memory streams ----------------------------------------------------------------------------

StreamResult<std::vector<uint8_t>> MemoryInputStream::read(uint64_t len) {
  if (pos_ >= data_.size() && len > 0) return stream_closed();
  size_t k = size_t(std::min<uint64_t>(len, data_.size() - pos_));
  std::vector<uint8_t> out(data_.begin() + pos_, data_.begin() + pos_ + k);
  pos_ += k;
  return out;
}

StreamResult<uint64_t> MemoryOutputStream::check_write() {
  if (sink_->size() >= limit_) return stream_failed("output limit reached");
  return std::min<uint64_t>(limit_ - sink_->size(), kMaxWriteChunk);
}

StreamResult<void> MemoryOutputStream::write(std::span<const uint8_t> bytes) {
  if (bytes.size() > limit_ - std::min(limit_, sink_->size()))
    return stream_failed("output limit reached");
  sink_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return {};
}

// ---- pipes -------------------------------------------------------------------------------------

std::shared_ptr<Pipe> Pipe::create(size_t capacity) {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return std::shared_ptr<Pipe>(new Pipe(std::max<size_t>(capacity, 1), fd));
}

Pipe::~Pipe() {
  if (event_fd_ >= 0) ::close(event_fd_);
}

void Pipe::signal() {
  cv_.notify_all();
  uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(event_fd_, &one, sizeof one);
}

size_t Pipe::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mu_);
  if (closed_ || reader_closed_) return 0;
  size_t used = buf_.size() - head_;
  size_t k = std::min(bytes.size(), capacity_ > used ? capacity_ - used : 0);
  if (k == 0) return 0;
  if (head_ > 0 && head_ >= buf_.size() / 2) {  // compact now and then
    buf_.erase(buf_.begin(), buf_.begin() + head_);
    head_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.begin() + k);
  signal();
  return k;
}

bool Pipe::write_all(std::span<const uint8_t> bytes, Deadline deadline) {
  while (!bytes.empty()) {
    size_t k = write(bytes);
    bytes = bytes.subspan(k);
    if (k > 0) continue;
    std::unique_lock lock(mu_);
    auto full = [&] { return !closed_ && !reader_closed_ && buf_.size() - head_ >= capacity_; };
    if (deadline) {
      if (!cv_.wait_until(lock, *deadline, [&] { return !full(); })) return false;
    } else {
      cv_.wait(lock, [&] { return !full(); });
    }
    if (closed_ || reader_closed_) return false;
  }
  return true;
}

size_t Pipe::space() {
  std::lock_guard lock(mu_);
  size_t used = buf_.size() - head_;
  return capacity_ > used ? capacity_ - used : 0;
}

void Pipe::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  signal();
}

void Pipe::fail(std::string message) {
  std::lock_guard lock(mu_);
  failure_ = std::move(message);
  closed_ = true;
  signal();
}

size_t Pipe::read(uint8_t* out, size_t max) {
  std::lock_guard lock(mu_);
  size_t k = std::min(max, buf_.size() - head_);
  if (k > 0) std::memcpy(out, buf_.data() + head_, k);
  head_ += k;
  if (head_ == buf_.size()) buf_.clear(), head_ = 0;
  if (k > 0) signal();
  return k;
}

bool Pipe::wait_readable(Deadline deadline) {
  std::unique_lock lock(mu_);
  auto ok = [&] { return buf_.size() > head_ || closed_; };
  if (deadline) return cv_.wait_until(lock, *deadline, ok);
  cv_.wait(lock, ok);
  return true;
}

void Pipe::close_reader() {
  std::lock_guard lock(mu_);
  reader_closed_ = true;
  signal();
}

bool Pipe::closed() {
  std::lock_guard lock(mu_);
  return closed_;
}

bool Pipe::reader_closed() {
  std::lock_guard lock(mu_);
  return reader_closed_;
}

size_t Pipe::available() {
  std::lock_guard lock(mu_);
  return buf_.size() - head_;
}

std::optional<std::string> Pipe::failure() {
  std::lock_guard lock(mu_);
  return failure_;
}

// Ready when the pipe is readable (bytes or closed) or writable (space or reader gone). Before
// reporting "not ready" it drains the eventfd under the pipe's lock, so a change after the check
// signals again and poll(2) wakes.
class PipePollable final : public Pollable {
 public:
  PipePollable(std::shared_ptr<Pipe> p, bool for_read) : pipe_(std::move(p)), for_read_(for_read) {}
  bool ready() override {
    std::lock_guard lock(pipe_->mu_);
    if (check()) return true;
    uint64_t v;
    [[maybe_unused]] ssize_t r = ::read(pipe_->event_fd_, &v, sizeof v);
    return check();
  }
  FdWait fd_wait() override { return {pipe_->event_fd_, POLLIN}; }

 private:
  bool check() {
    Pipe& p = *pipe_;
    if (for_read_) return p.buf_.size() > p.head_ || p.closed_;
    return p.reader_closed_ || p.closed_ || p.buf_.size() - p.head_ < p.capacity_;
  }
  std::shared_ptr<Pipe> pipe_;
  bool for_read_;
};

StreamResult<std::vector<uint8_t>> PipeInputStream::read(uint64_t len) {
  std::vector<uint8_t> out(size_t(std::min<uint64_t>(len, kMaxWriteChunk)));
  size_t k = pipe_->read(out.data(), out.size());
  out.resize(k);
  if (k == 0 && len > 0 && pipe_->closed()) {
    if (auto f = pipe_->failure()) return stream_failed(*f);
    return stream_closed();
  }
  return out;
}

std::unique_ptr<Pollable> PipeInputStream::subscribe() {
  return std::make_unique<PipePollable>(pipe_, true);
}

StreamResult<uint64_t> PipeOutputStream::check_write() {
  if (pipe_->reader_closed()) return stream_closed();
  return std::min<uint64_t>(pipe_->space(), kMaxWriteChunk);
}

StreamResult<void> PipeOutputStream::write(std::span<const uint8_t> bytes) {
  if (pipe_->reader_closed()) return stream_closed();
  if (pipe_->write(bytes) != bytes.size())
    return stream_failed("write exceeds the permitted size (check-write)");
  return {};
}

std::unique_ptr<Pollable> PipeOutputStream::subscribe() {
  return std::make_unique<PipePollable>(pipe_, false);
}

// ---- fd streams --------------------------------------------------------------------------------

SharedFd::~SharedFd() {
  if (owned && fd >= 0) ::close(fd);
}

namespace {
bool fd_ready(int fd, short events) {
  struct pollfd p {
    fd, events, 0
  };
  return ::poll(&p, 1, 0) > 0;
}
std::string errno_text(const char* what, int e) {
  return std::string(what) + ": " + std::strerror(e);
}
}  // namespace

StreamResult<std::vector<uint8_t>> FdInputStream::read(uint64_t len) {
  if (closed_) return stream_closed();
  std::vector<uint8_t> out;
  if (len == 0) return out;
  if (!offset_ && !fd_ready(fd_->fd, POLLIN)) return out;
  out.resize(size_t(std::min<uint64_t>(len, kMaxWriteChunk)));
  ssize_t n;
  do {
    n = offset_ ? ::pread(fd_->fd, out.data(), out.size(), off_t(*offset_))
                : ::read(fd_->fd, out.data(), out.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::vector<uint8_t>{};
    closed_ = true;
    return stream_failed(errno_text("read", errno), errno);
  }
  if (n == 0) {
    closed_ = true;
    return stream_closed();
  }
  out.resize(size_t(n));
  if (offset_) *offset_ += uint64_t(n);
  return out;
}

StreamResult<std::vector<uint8_t>> FdInputStream::blocking_read(uint64_t len) {
  if (!offset_ && !closed_ && len > 0) {
    struct pollfd p {
      fd_->fd, POLLIN, 0
    };
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
  }
  return read(len);
}

std::unique_ptr<Pollable> FdInputStream::subscribe() {
  if (offset_ || closed_) return std::make_unique<ReadyPollable>();
  return std::make_unique<FdPollable>(fd_->fd, POLLIN);
}

StreamResult<uint64_t> FdOutputStream::check_write() {
  if (closed_) return stream_closed();
  if (mode_ == Mode::Stream && !fd_ready(fd_->fd, POLLOUT)) return uint64_t{0};
  return kMaxWriteChunk;
}

StreamResult<void> FdOutputStream::write(std::span<const uint8_t> bytes) {
  if (closed_) return stream_closed();
  while (!bytes.empty()) {
    // Append: descriptors read and write with pread/pwrite, so the fd's own offset is free to
    // be moved to the end here.
    if (mode_ == Mode::Append) ::lseek(fd_->fd, 0, SEEK_END);
    ssize_t n = mode_ == Mode::Offset
                    ? ::pwrite(fd_->fd, bytes.data(), bytes.size(), off_t(offset_))
                    : ::write(fd_->fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a non-blocking fd: wait for room
        struct pollfd p {
          fd_->fd, POLLOUT, 0
        };
        ::poll(&p, 1, -1);
        continue;
      }
      closed_ = true;
      int e = errno;
      return stream_failed(errno_text("write", e), e);
    }
    if (mode_ == Mode::Offset) offset_ += uint64_t(n);
    bytes = bytes.subspan(size_t(n));
  }
  return {};
}

std::unique_ptr<Pollable> FdOutputStream::subscribe() {
  if (mode_ != Mode::Stream || closed_) return std::make_unique<ReadyPollable>();
  return std::make_unique<FdPollable>(fd_->fd, POLLOUT);
}

}  // namespace kumo::wasi::p2
