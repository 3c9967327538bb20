// Context creation: stdio descriptors, pre-opened directories, arguments.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "wasi/preview1/state.hpp"

namespace kumo::wasi::preview1 {
namespace {

// Guest fds 0-2 get their own duplicates of the host descriptors, so the guest's fd_close (or
// fd_renumber over them) never closes the embedder's stdio.
void add_stdio(State& s, uint32_t guest_fd, int host_fd) {
  if (host_fd < 0) return;
  UniqueFd fd(::fcntl(host_fd, F_DUPFD_CLOEXEC, 3));
  if (!fd) return;  // the host has no such descriptor: the guest sees a closed fd
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return;
  FdEntry e;
  e.type = filetype_of(st, fd.get());
  e.base = max_rights(e.type);
  // wasi-libc's isatty() is "a character device without seek/tell rights"; that picks line
  // buffering for terminals.
  if (::isatty(fd.get())) e.base &= ~(rights::FdSeek | rights::FdTell);
  e.inheriting = 0;
  e.host = std::move(fd);
  s.fds.insert_at(guest_fd, std::move(e));
}

}  // namespace

Expected<Options::Preopen> parse_preopen(std::string_view spec) {
  Options::Preopen p;
  size_t sep = spec.find("::");
  if (sep == std::string_view::npos) {
    p.host_path = p.guest_path = std::string(spec);
  } else {
    p.host_path = std::string(spec.substr(0, sep));
    p.guest_path = std::string(spec.substr(sep + 2));
  }
  if (p.host_path.empty() || p.guest_path.empty())
    return err("invalid --dir '{}': expected HOST or HOST::GUEST", spec);
  return p;
}

Context::Context(std::unique_ptr<State> state) : state_(std::move(state)) {}
Context::~Context() = default;

Expected<std::unique_ptr<Context>> Context::create(Options options) {
  auto s = std::make_unique<State>(
      State{std::move(options.args), std::move(options.env), Sandbox(options.resolver), FdTable{}});
  if (options.resolver == PathResolver::Openat2 && !openat2_supported())
    return err("openat2 is not supported by this kernel");
  add_stdio(*s, 0, options.stdin_fd);
  add_stdio(*s, 1, options.stdout_fd);
  add_stdio(*s, 2, options.stderr_fd);
  uint32_t next = 3;
  for (auto& dir : options.dirs) {
    UniqueFd fd(::open(dir.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return err("cannot open directory '{}': {}", dir.host_path, std::strerror(errno));
    FdEntry e;
    e.host = std::move(fd);
    e.type = Filetype::Directory;
    e.base = max_rights(Filetype::Directory);
    e.inheriting = rights::All;
    e.preopen = dir.guest_path;
    s->fds.insert_at(next++, std::move(e));
  }
  return std::unique_ptr<Context>(new Context(std::move(s)));
}

}  // namespace kumo::wasi::preview1
