// Host-side wasi:io (WASI 0.2): pollables, input and output streams, and their memory-, pipe- and
// fd-backed implementations. These are plain C++ objects with no knowledge of the component
// runtime; io.cpp exposes them to guests through the per-store ResourceTable (table.hpp).
//
// Threading: a stream belongs to one store and is used by one thread at a time, except `Pipe`,
// whose host end may be fed or drained from another thread (an HTTP server's I/O thread) while
// the guest reads or writes the other end; its pollables wake through an eventfd.
//
// A request body (the host writes, the guest reads):
//   auto pipe = p2::Pipe::create(64 * 1024);
//   uint32_t rep = table.push(std::make_unique<p2::PipeInputStream>(pipe), body_rep);
//   pipe->write_all(bytes); pipe->close();                 // from any thread
// A response body (the guest writes, the host reads):
//   auto pipe = p2::Pipe::create(64 * 1024);
//   uint32_t rep = table.push(std::make_unique<p2::PipeOutputStream>(pipe), body_rep);
//   pipe->wait_readable(deadline); pipe->read(buf, n); pipe->closed();  // host side
// Or implement InputStream / OutputStream directly over the host's own buffers.
#pragma once

#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasi/p2/table.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::wasi::p2 {

using Clock = std::chrono::steady_clock;
// std::nullopt: no deadline (wait as long as it takes).
using Deadline = std::optional<Clock::time_point>;

// The object behind a wasi:io/error resource. `errno_value` lets wasi:filesystem's
// filesystem-error-code (and wasi:sockets) recover a typed error code; 0 when there is none.
struct IoError : HostObject {
  std::string message;
  int errno_value = 0;
  IoError(std::string m, int e = 0) : message(std::move(m)), errno_value(e) {}
};

// wasi:io/streams stream-error: the stream is closed, or the last operation failed (the stream
// is then closed too: later operations report Closed).
struct StreamError {
  enum Kind : uint8_t { Closed, Failed } kind = Closed;
  std::shared_ptr<IoError> error;  // Failed only
  static StreamError closed() { return {Closed, nullptr}; }
  static StreamError failed(std::string message, int errno_value = 0) {
    return {Failed, std::make_shared<IoError>(std::move(message), errno_value)};
  }
};
template <class T>
using StreamResult = Expected<T, StreamError>;
inline Unexpected<StreamError> stream_closed() { return Unexpected{StreamError::closed()}; }
inline Unexpected<StreamError> stream_failed(std::string m, int e = 0) {
  return Unexpected{StreamError::failed(std::move(m), e)};
}

// ---- pollables ---------------------------------------------------------------------------------

// Something a guest can wait for (wasi:io/poll pollable). poll_many() waits on many at once: it
// asks each for an fd to poll(2) and/or a time at which it becomes ready, so a wait really sleeps.
class Pollable : public HostObject {
 public:
  // Non-blocking: is it ready now?
  virtual bool ready() = 0;
  // An fd (and poll(2) events) whose readiness may make this ready; fd < 0: none.
  struct FdWait {
    int fd = -1;
    short events = 0;
  };
  virtual FdWait fd_wait() { return {}; }
  // A time at which it becomes ready by itself (clocks); nullopt: none.
  virtual Deadline ready_at() { return std::nullopt; }
  // Blocks until ready or `deadline`; returns ready().
  bool block(Deadline deadline = std::nullopt);
};

// Waits until at least one of `ps` is ready (or `deadline` passes) and returns the indices of the
// ready ones, ascending (empty only on deadline). A pollable with neither an fd nor a time is
// re-checked with a short back-off sleep (e.g. one fed by a condition another thread changes
// without an fd).
std::vector<uint32_t> poll_many(std::span<Pollable* const> ps, Deadline deadline = std::nullopt);

// Ready from the start (regular files, memory streams).
class ReadyPollable final : public Pollable {
 public:
  bool ready() override { return true; }
};

// Ready at a point of the monotonic clock (wasi:clocks subscribe-instant/-duration).
class TimerPollable final : public Pollable {
 public:
  explicit TimerPollable(Clock::time_point at) : at_(at) {}
  bool ready() override { return Clock::now() >= at_; }
  Deadline ready_at() override { return at_; }

 private:
  Clock::time_point at_;
};

// Ready when poll(2) reports `events` on `fd` (not owned).
class FdPollable final : public Pollable {
 public:
  FdPollable(int fd, short events) : fd_(fd), events_(events) {}
  bool ready() override;
  FdWait fd_wait() override { return {fd_, events_}; }

 private:
  int fd_;
  short events_;
};

// ---- streams -----------------------------------------------------------------------------------

// wasi:io/streams input-stream. read() never blocks: an empty result means "nothing yet"; the end
// of the stream is StreamError::Closed. subscribe() returns a pollable that is ready when a read
// would return data or an error; it refers to the stream (ResourceTable keeps the stream alive
// while the pollable lives, see table.hpp).
class InputStream : public HostObject {
 public:
  virtual StreamResult<std::vector<uint8_t>> read(uint64_t len) = 0;
  virtual std::unique_ptr<Pollable> subscribe() = 0;

  // Defaults in terms of the above: wait on subscribe(), then read / read and discard.
  virtual StreamResult<std::vector<uint8_t>> blocking_read(uint64_t len);
  virtual StreamResult<uint64_t> skip(uint64_t len);
  virtual StreamResult<uint64_t> blocking_skip(uint64_t len);
};

// wasi:io/streams output-stream. check_write() says how many bytes write() accepts now (0: wait
// on subscribe()); write() of more than that is an error (as the spec says: it traps in wasmtime,
// here it fails the operation). flush() starts flushing; subscribe() is ready when check_write()
// would return non-zero or an error (after a flush: when the flush completed).
class OutputStream : public HostObject {
 public:
  virtual StreamResult<uint64_t> check_write() = 0;
  virtual StreamResult<void> write(std::span<const uint8_t> bytes) = 0;
  virtual std::unique_ptr<Pollable> subscribe() = 0;
  virtual StreamResult<void> flush() { return {}; }

  // Defaults in terms of the above.
  virtual StreamResult<void> blocking_flush();
  virtual StreamResult<void> blocking_write_and_flush(std::span<const uint8_t> bytes);
  virtual StreamResult<void> write_zeroes(uint64_t len);
  virtual StreamResult<void> blocking_write_zeroes_and_flush(uint64_t len);
  // Reads up to min(len, check_write()) bytes from `src` (non-blocking) and writes them.
  virtual StreamResult<uint64_t> splice(InputStream& src, uint64_t len);
  // Waits for this stream to accept a write and for `src` to have data, then splices.
  virtual StreamResult<uint64_t> blocking_splice(InputStream& src, uint64_t len);
};

// A finite input stream over bytes held in memory; Closed at the end.
class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(std::vector<uint8_t> data) : data_(std::move(data)) {}
  explicit MemoryInputStream(std::string_view s) : data_(s.begin(), s.end()) {}
  StreamResult<std::vector<uint8_t>> read(uint64_t len) override;
  std::unique_ptr<Pollable> subscribe() override { return std::make_unique<ReadyPollable>(); }

 private:
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
};

// An output stream appending to a buffer shared with the host (tests capture stdout with it).
// `limit` bounds the total size: a write beyond it fails. Never blocks.
class MemoryOutputStream final : public OutputStream {
 public:
  explicit MemoryOutputStream(std::shared_ptr<std::string> sink, size_t limit = SIZE_MAX)
      : sink_(std::move(sink)), limit_(limit) {}
  StreamResult<uint64_t> check_write() override;
  StreamResult<void> write(std::span<const uint8_t> bytes) override;
  std::unique_ptr<Pollable> subscribe() override { return std::make_unique<ReadyPollable>(); }

 private:
  std::shared_ptr<std::string> sink_;
  size_t limit_;
};

// An output stream that discards everything (a closed stdio slot).
class NullOutputStream final : public OutputStream {
 public:
  StreamResult<uint64_t> check_write() override { return uint64_t{1} << 20; }
  StreamResult<void> write(std::span<const uint8_t>) override { return {}; }
  std::unique_ptr<Pollable> subscribe() override { return std::make_unique<ReadyPollable>(); }
};

// A bounded, thread-safe byte channel between the host and a guest stream. One side writes, the
// other reads; close() ends it (the reader sees Closed once drained), fail() ends it with an
// error. Readiness changes signal an eventfd, so guest pollables on a Pipe sleep in poll(2).
class Pipe {
 public:
  static std::shared_ptr<Pipe> create(size_t capacity = 64 * 1024);
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Writer side. write() appends up to free space and returns how much it took (0 when full or
  // closed); write_all() blocks until everything is in or the pipe is closed by the reader
  // (returns false then).
  size_t write(std::span<const uint8_t> bytes);
  bool write_all(std::span<const uint8_t> bytes, Deadline deadline = std::nullopt);
  size_t space();
  void close();                    // no more data: the reader sees Closed after draining
  void fail(std::string message);  // the reader sees last-operation-failed(message)
  // Reader side. read() takes up to `max` bytes (0 when empty). wait_readable() blocks until
  // there are bytes, or the pipe is closed/failed; returns false on deadline.
  size_t read(uint8_t* out, size_t max);
  bool wait_readable(Deadline deadline = std::nullopt);
  void close_reader();  // the reader is gone: writes fail with Closed
  bool closed();        // close() or fail() was called
  bool reader_closed();
  size_t available();
  std::optional<std::string> failure();

  // poll(2) on this fd (POLLIN) wakes on every change of state; reading it resets it.
  int event_fd() const { return event_fd_; }

 private:
  explicit Pipe(size_t capacity, int event_fd) : capacity_(capacity), event_fd_(event_fd) {}
  void signal();  // with mu_ held
  friend class PipeInputStream;
  friend class PipeOutputStream;
  friend class PipePollable;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint8_t> buf_;  // buf_[head_..] is unread
  size_t head_ = 0;
  size_t capacity_;
  bool closed_ = false, reader_closed_ = false;
  std::optional<std::string> failure_;
  int event_fd_;
};

// The guest reads what the host writes into `pipe` (e.g. an HTTP request body).
class PipeInputStream final : public InputStream {
 public:
  explicit PipeInputStream(std::shared_ptr<Pipe> pipe) : pipe_(std::move(pipe)) {}
  ~PipeInputStream() override { pipe_->close_reader(); }
  StreamResult<std::vector<uint8_t>> read(uint64_t len) override;
  std::unique_ptr<Pollable> subscribe() override;

 private:
  std::shared_ptr<Pipe> pipe_;
};

// The guest writes what the host reads from `pipe` (e.g. an HTTP response body). Dropping the
// stream closes the pipe (the host reader sees the end). Flushing completes once the bytes are
// in the pipe (the host owns them then); only a full pipe makes the guest wait. A host that
// drains the pipe on the guest's own thread (after the call returns) must create it unbounded
// (Pipe::create(SIZE_MAX)), or a large body would wait forever.
class PipeOutputStream final : public OutputStream {
 public:
  explicit PipeOutputStream(std::shared_ptr<Pipe> pipe) : pipe_(std::move(pipe)) {}
  ~PipeOutputStream() override { pipe_->close(); }
  StreamResult<uint64_t> check_write() override;
  StreamResult<void> write(std::span<const uint8_t> bytes) override;
  std::unique_ptr<Pollable> subscribe() override;

 private:
  std::shared_ptr<Pipe> pipe_;
};

// Shares an fd between a descriptor and its streams: the fd closes when the last one goes.
struct SharedFd {
  int fd = -1;
  bool owned = true;
  explicit SharedFd(int f, bool own = true) : fd(f), owned(own) {}
  ~SharedFd();
  SharedFd(const SharedFd&) = delete;
  SharedFd& operator=(const SharedFd&) = delete;
};

// Reads an fd. With an offset: pread from it (files, wasi:filesystem read-via-stream), always
// ready. Without: read(2) after poll(2) says it is readable (stdin, sockets, pipes).
class FdInputStream final : public InputStream {
 public:
  FdInputStream(std::shared_ptr<SharedFd> fd, std::optional<uint64_t> offset = std::nullopt)
      : fd_(std::move(fd)), offset_(offset) {}
  StreamResult<std::vector<uint8_t>> read(uint64_t len) override;
  StreamResult<std::vector<uint8_t>> blocking_read(uint64_t len) override;
  std::unique_ptr<Pollable> subscribe() override;

 private:
  std::shared_ptr<SharedFd> fd_;
  std::optional<uint64_t> offset_;
  bool closed_ = false;
};

// Writes an fd. Mode Offset: pwrite at a moving offset (write-via-stream); Append: write(2) on an
// fd opened with O_APPEND (append-via-stream); Stream: write(2) after poll(2) (stdout, sockets).
// check_write() of a Stream fd is its poll(2) POLLOUT readiness; writes then block until done
// (stdio is expected to be blocking).
class FdOutputStream final : public OutputStream {
 public:
  enum class Mode : uint8_t { Stream, Offset, Append };
  FdOutputStream(std::shared_ptr<SharedFd> fd, Mode mode, uint64_t offset = 0)
      : fd_(std::move(fd)), mode_(mode), offset_(offset) {}
  StreamResult<uint64_t> check_write() override;
  StreamResult<void> write(std::span<const uint8_t> bytes) override;
  std::unique_ptr<Pollable> subscribe() override;

 private:
  std::shared_ptr<SharedFd> fd_;
  Mode mode_;
  uint64_t offset_;
  bool closed_ = false;
};

// The largest write check_write() grants at once (guests loop; this bounds one copy).
constexpr uint64_t kMaxWriteChunk = 1 << 20;

}  // namespace kumo::wasi::p2
