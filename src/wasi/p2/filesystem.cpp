// wasi:filesystem/types and preopens. Every path is resolved beneath the descriptor it is relative
// to by preview1's Sandbox (openat2 RESOLVE_BENEATH, or the portable walk): "..", absolute paths
// and symlinks cannot leave a pre-opened directory (escapes fail with not-permitted).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/p2/vals.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2 {

namespace p1 = preview1;

namespace {

// wasi:filesystem/types error-code cases, by index.
// clang-format off
enum Code : uint32_t {
  kAccess, kWouldBlock, kAlready, kBadDescriptor, kBusy, kDeadlock, kQuota, kExist, kFileTooLarge,
  kIllegalByteSequence, kInProgress, kInterrupted, kInvalid, kIo, kIsDirectory, kLoop,
  kTooManyLinks, kMessageSize, kNameTooLong, kNoDevice, kNoEntry, kNoLock, kInsufficientMemory,
  kInsufficientSpace, kNotDirectory, kNotEmpty, kNotRecoverable, kUnsupported, kNoTty,
  kNoSuchDevice, kOverflow, kNotPermitted, kPipe, kReadOnly, kInvalidSeek, kTextFileBusy,
  kCrossDevice,
};
// clang-format on

Code code_of(p1::Errno e) {
  using E = p1::Errno;
  switch (e) {
    case E::Acces: return kAccess;
    case E::Again: return kWouldBlock;
    case E::Already: return kAlready;
    case E::Badf: return kBadDescriptor;
    case E::Busy: return kBusy;
    case E::Deadlk: return kDeadlock;
    case E::Dquot: return kQuota;
    case E::Exist: return kExist;
    case E::Fbig: return kFileTooLarge;
    case E::Ilseq: return kIllegalByteSequence;
    case E::InProgress: return kInProgress;
    case E::Intr: return kInterrupted;
    case E::Inval: return kInvalid;
    case E::IsDir: return kIsDirectory;
    case E::Loop: return kLoop;
    case E::Mlink: return kTooManyLinks;
    case E::MsgSize: return kMessageSize;
    case E::NameTooLong: return kNameTooLong;
    case E::NoDev: return kNoDevice;
    case E::NoEnt: return kNoEntry;
    case E::NoLck: return kNoLock;
    case E::NoMem: return kInsufficientMemory;
    case E::NoSpc: return kInsufficientSpace;
    case E::NotDir: return kNotDirectory;
    case E::NotEmpty: return kNotEmpty;
    case E::NotRecoverable: return kNotRecoverable;
    case E::NotSup:
    case E::NoSys: return kUnsupported;
    case E::NoTty: return kNoTty;
    case E::Nxio: return kNoSuchDevice;
    case E::Overflow: return kOverflow;
    case E::Perm:
    case E::NotCapable: return kNotPermitted;
    case E::Pipe: return kPipe;
    case E::Rofs: return kReadOnly;
    case E::Spipe: return kInvalidSeek;
    case E::TxtBsy: return kTextFileBusy;
    case E::Xdev: return kCrossDevice;
    default: return kIo;
  }
}
Code last_code() { return code_of(p1::errno_from_host(errno)); }

// descriptor-flags bits
constexpr uint32_t kFlagRead = 1, kFlagWrite = 2, kFlagFileSync = 4, kFlagDataSync = 8,
                   kFlagMutateDir = 32;

struct Descriptor : HostObject {
  std::shared_ptr<SharedFd> fd;
  bool dir = false;
  uint32_t flags = 0;  // descriptor-flags
  int get() const { return fd->fd; }
};

struct DirStream : HostObject {
  DIR* dir = nullptr;
  ~DirStream() override {
    if (dir) ::closedir(dir);
  }
};

Val fs_err(Code c) { return Val::error(Val::enumeration(c)); }
Val fs_err(p1::Errno e) { return fs_err(code_of(e)); }

uint32_t type_of(mode_t m) {
  if (S_ISBLK(m)) return 1;
  if (S_ISCHR(m)) return 2;
  if (S_ISDIR(m)) return 3;
  if (S_ISFIFO(m)) return 4;
  if (S_ISLNK(m)) return 5;
  if (S_ISREG(m)) return 6;
  if (S_ISSOCK(m)) return 7;
  return 0;
}
Val datetime(const struct timespec& ts) {
  return Val::option(Val::record({Val::u64(uint64_t(ts.tv_sec)), Val::u32(uint32_t(ts.tv_nsec))}));
}
Val stat_val(const struct stat& st) {
  return Val::record({Val::enumeration(type_of(st.st_mode)), Val::u64(st.st_nlink),
                      Val::u64(uint64_t(st.st_size)), datetime(st.st_atim), datetime(st.st_mtim),
                      datetime(st.st_ctim)});
}
Val hash_val(const struct stat& st) {
  return Val::record({Val::u64(uint64_t(st.st_ino)), Val::u64(uint64_t(st.st_dev))});
}
// new-timestamp: no-change | now | timestamp(datetime)
struct timespec new_timestamp(const Val& v) {
  if (v.index == 0) return {0, UTIME_OMIT};
  if (v.index == 1) return {0, UTIME_NOW};
  const Val& dt = part(v, 0);
  return {time_t(part(dt, 0).u), long(std::min<uint64_t>(part(dt, 1).u, 999999999))};
}

}  // namespace

void add_filesystem(rt::Linker& linker, const WasiTypes& t) {
  rt::ResourceType* desc_t = t.descriptor.get();
  rt::ResourceType* dirstream_t = t.directory_entry_stream.get();
  rt::ResourceType* input_t = t.input_stream.get();
  rt::ResourceType* output_t = t.output_stream.get();

  rt::LinkerInstance& pre = linker.instance(versioned("wasi:filesystem/preopens"));
  pre.func(
      "get-directories", KUMO_P2_FN {
        WasiView& v = wasi_view(call.store);
        std::vector<Val> items;
        for (const WasiCtx::Dir& d : v.wasi().preopens) {
          auto obj = std::make_unique<Descriptor>();
          obj->fd = d.fd;
          obj->dir = true;
          obj->flags = kFlagRead | (d.writable ? kFlagMutateDir : 0);
          items.push_back(Val::tuple(
              {own_val(desc_t, v.table().push(std::move(obj))), Val::string(d.guest_path)}));
        }
        out.push_back(Val::list(std::move(items)));
        return {};
      });

  rt::LinkerInstance& fs = linker.instance(versioned("wasi:filesystem/types"));
  fs.resource("descriptor", desc_t);
  fs.resource("directory-entry-stream", dirstream_t);
  // Every method: look up `self`, then the body (which pushes exactly one result).
  auto method = [&fs](const std::string& name, auto body) {
    fs.func("[method]descriptor." + name,
            [body](rt::HostCall& call, std::span<const Val> p,
                   std::vector<Val>& out) -> rt::Trapping<void> {
              KUMO_TRY(Descriptor * d, self<Descriptor>(call, p[0], "descriptor"));
              out.push_back(body(call, *d, p));
              return {};
            });
  };
  const WasiTypes* types = &t;
  (void)types;

  method("read-via-stream", [input_t](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagRead)) return fs_err(kBadDescriptor);
    auto s = std::make_unique<FdInputStream>(d.fd, p[1].u);
    return Val::ok(own_val(input_t, table_of(call).push(std::move(s))));
  });
  method("write-via-stream", [output_t](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagWrite)) return fs_err(kBadDescriptor);
    auto s = std::make_unique<FdOutputStream>(d.fd, FdOutputStream::Mode::Offset, p[1].u);
    return Val::ok(own_val(output_t, table_of(call).push(std::move(s))));
  });
  method("append-via-stream", [output_t](rt::HostCall& call, Descriptor& d, std::span<const Val>) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagWrite)) return fs_err(kBadDescriptor);
    auto s = std::make_unique<FdOutputStream>(d.fd, FdOutputStream::Mode::Append);
    return Val::ok(own_val(output_t, table_of(call).push(std::move(s))));
  });
  method("advise", [](rt::HostCall&, Descriptor& d, std::span<const Val> p) {
    static const int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                  POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    if (d.dir) return fs_err(kBadDescriptor);
    int r = ::posix_fadvise(d.get(), off_t(p[1].u), off_t(p[2].u), kAdvice[p[3].index % 6]);
    return r == 0 ? Val::ok() : fs_err(code_of(p1::errno_from_host(r)));
  });
  method("sync-data", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    return ::fdatasync(d.get()) == 0 ? Val::ok() : fs_err(last_code());
  });
  method("sync", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    return ::fsync(d.get()) == 0 ? Val::ok() : fs_err(last_code());
  });
  method("get-flags", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    return Val::ok(Val::flag_set({d.flags}));
  });
  method("get-type", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    struct stat st;
    if (::fstat(d.get(), &st) != 0) return fs_err(last_code());
    return Val::ok(Val::enumeration(type_of(st.st_mode)));
  });
  method("set-size", [](rt::HostCall&, Descriptor& d, std::span<const Val> p) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagWrite)) return fs_err(kBadDescriptor);
    if (p[1].u > uint64_t(INT64_MAX)) return fs_err(kFileTooLarge);
    return ::ftruncate(d.get(), off_t(p[1].u)) == 0 ? Val::ok() : fs_err(last_code());
  });
  method("set-times", [](rt::HostCall&, Descriptor& d, std::span<const Val> p) {
    struct timespec ts[2] = {new_timestamp(p[1]), new_timestamp(p[2])};
    return ::futimens(d.get(), ts) == 0 ? Val::ok() : fs_err(last_code());
  });
  method("read", [](rt::HostCall&, Descriptor& d, std::span<const Val> p) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagRead)) return fs_err(kBadDescriptor);
    std::vector<uint8_t> buf(size_t(std::min<uint64_t>(p[1].u, kMaxWriteChunk)));
    ssize_t n;
    do n = ::pread(d.get(), buf.data(), buf.size(), off_t(p[2].u));
    while (n < 0 && errno == EINTR);
    if (n < 0) return fs_err(last_code());
    buf.resize(size_t(n));
    bool eof = n == 0 && p[1].u > 0;
    return Val::ok(Val::tuple({bytes_val(buf), Val::boolean(eof)}));
  });
  method("write", [](rt::HostCall&, Descriptor& d, std::span<const Val> p) {
    if (d.dir) return fs_err(kIsDirectory);
    if (!(d.flags & kFlagWrite)) return fs_err(kBadDescriptor);
    std::vector<uint8_t> buf = val_bytes(p[1]);
    ssize_t n;
    do n = ::pwrite(d.get(), buf.data(), buf.size(), off_t(p[2].u));
    while (n < 0 && errno == EINTR);
    if (n < 0) return fs_err(last_code());
    return Val::ok(Val::u64(uint64_t(n)));
  });
  method("read-directory", [dirstream_t](rt::HostCall& call, Descriptor& d, std::span<const Val>) {
    if (!d.dir) return fs_err(kNotDirectory);
    // A fresh open of "." so the stream has its own position.
    int fd = ::openat(d.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fs_err(last_code());
    auto s = std::make_unique<DirStream>();
    s->dir = ::fdopendir(fd);
    if (!s->dir) {
      Code c = last_code();
      ::close(fd);
      return fs_err(c);
    }
    return Val::ok(own_val(dirstream_t, table_of(call).push(std::move(s))));
  });
  method("stat", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    struct stat st;
    if (::fstat(d.get(), &st) != 0) return fs_err(last_code());
    return Val::ok(stat_val(st));
  });
  method("is-same-object", [](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    Descriptor* o = table_of(call).get<Descriptor>(p[1].handle.rep);
    struct stat a, b;
    if (!o || ::fstat(d.get(), &a) != 0 || ::fstat(o->get(), &b) != 0) return Val::boolean(false);
    return Val::boolean(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
  });
  method("metadata-hash", [](rt::HostCall&, Descriptor& d, std::span<const Val>) {
    struct stat st;
    if (::fstat(d.get(), &st) != 0) return fs_err(last_code());
    return Val::ok(hash_val(st));
  });

  // ---- path operations: all through the sandbox ----
  auto sandbox = [](rt::HostCall& call) -> const p1::Sandbox& {
    return wasi_view(call.store).wasi().sandbox;
  };
  auto stat_at = [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p,
                           struct stat& st) -> Code {
    if (!d.dir) return kNotDirectory;
    bool follow = p[1].flag(0);
    auto par = sandbox(call).parent(d.get(), p[2].str, follow);
    if (!par) return code_of(par.error());
    if (::fstatat(par->fd, par->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_code();
    if (par->trailing_slash && !S_ISDIR(st.st_mode)) return kNotDirectory;
    return Code(UINT32_MAX);
  };
  method("stat-at", [stat_at](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    struct stat st;
    Code c = stat_at(call, d, p, st);
    return c == Code(UINT32_MAX) ? Val::ok(stat_val(st)) : fs_err(c);
  });
  method("metadata-hash-at", [stat_at](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    struct stat st;
    Code c = stat_at(call, d, p, st);
    return c == Code(UINT32_MAX) ? Val::ok(hash_val(st)) : fs_err(c);
  });
  method("set-times-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (!d.dir) return fs_err(kNotDirectory);
    if (!(d.flags & kFlagMutateDir)) return fs_err(kReadOnly);
    auto par = sandbox(call).parent(d.get(), p[2].str, p[1].flag(0));
    if (!par) return fs_err(par.error());
    struct timespec ts[2] = {new_timestamp(p[3]), new_timestamp(p[4])};
    if (::utimensat(par->fd, par->name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
      return fs_err(last_code());
    return Val::ok();
  });
  method(
      "create-directory-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
        if (!d.dir) return fs_err(kNotDirectory);
        if (!(d.flags & kFlagMutateDir)) return fs_err(kReadOnly);
        auto par = sandbox(call).parent(d.get(), p[1].str, false);
        if (!par) return fs_err(par.error());
        if (par->name == ".") return fs_err(kExist);
        return ::mkdirat(par->fd, par->name.c_str(), 0777) == 0 ? Val::ok() : fs_err(last_code());
      });
  method("link-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    Descriptor* nd = table_of(call).get<Descriptor>(p[3].handle.rep);
    if (!d.dir || !nd || !nd->dir) return fs_err(kNotDirectory);
    if (!(nd->flags & kFlagMutateDir)) return fs_err(kReadOnly);
    auto from = sandbox(call).parent(d.get(), p[2].str, p[1].flag(0));
    if (!from) return fs_err(from.error());
    auto to = sandbox(call).parent(nd->get(), p[4].str, false);
    if (!to) return fs_err(to.error());
    if (::linkat(from->fd, from->name.c_str(), to->fd, to->name.c_str(), 0) != 0)
      return fs_err(last_code());
    return Val::ok();
  });
  method("open-at", [sandbox, desc_t](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (!d.dir) return fs_err(kNotDirectory);
    bool follow = p[1].flag(0);
    const Val& of = p[3];
    uint32_t want = p[4].flags.empty() ? 0 : p[4].flags[0];
    bool create = of.flag(0), directory = of.flag(1), exclusive = of.flag(2), truncate = of.flag(3);
    // A directory is never open for writing; the preview1 adapter asks for WRITE whenever the
    // guest's rights include fd_write (e.g. all rights), so the flag is ignored, not refused.
    bool write = (want & kFlagWrite) && !directory;
    // A read-only directory grants no writes beneath it, nor directory mutation.
    if (!(d.flags & kFlagMutateDir) && (create || truncate || write || (want & kFlagMutateDir)))
      return fs_err(kReadOnly);
    int flags = (want & kFlagRead) && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
    if (create) flags |= O_CREAT;
    if (exclusive) flags |= O_EXCL;
    if (truncate) flags |= O_TRUNC;
    if (directory) flags |= O_DIRECTORY;
    if (want & kFlagFileSync) flags |= O_SYNC;
    if (want & kFlagDataSync) flags |= O_DSYNC;
    if (directory && (create || truncate)) return fs_err(kInvalid);
    auto fd = sandbox(call).open(d.get(), p[2].str, flags | O_NOCTTY, 0666, follow);
    if (!fd) return fs_err(fd.error());
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return fs_err(last_code());
    auto obj = std::make_unique<Descriptor>();
    obj->dir = S_ISDIR(st.st_mode);
    obj->fd = std::make_shared<SharedFd>(fd->release());
    obj->flags = want;
    // A directory inherits its parent's permission to mutate (as wasmtime's DirPerms do): guests
    // rarely ask for mutate-directory explicitly. Its fd is opened read-only either way.
    if (obj->dir) obj->flags = kFlagRead | (d.flags & kFlagMutateDir);
    return Val::ok(own_val(desc_t, table_of(call).push(std::move(obj))));
  });
  method("readlink-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (!d.dir) return fs_err(kNotDirectory);
    auto par = sandbox(call).parent(d.get(), p[1].str, false);
    if (!par) return fs_err(par.error());
    auto target = p1::read_link(par->fd, par->name.c_str());
    if (!target) return fs_err(target.error());
    return Val::ok(Val::string(*target));
  });
  method("remove-directory-at",
         [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
           if (!d.dir) return fs_err(kNotDirectory);
           if (!(d.flags & kFlagMutateDir)) return fs_err(kReadOnly);
           auto par = sandbox(call).parent(d.get(), p[1].str, false);
           if (!par) return fs_err(par.error());
           if (par->name == ".") return fs_err(kInvalid);
           return ::unlinkat(par->fd, par->name.c_str(), AT_REMOVEDIR) == 0 ? Val::ok()
                                                                            : fs_err(last_code());
         });
  method("rename-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    Descriptor* nd = table_of(call).get<Descriptor>(p[2].handle.rep);
    if (!d.dir || !nd || !nd->dir) return fs_err(kNotDirectory);
    if (!(d.flags & kFlagMutateDir) || !(nd->flags & kFlagMutateDir)) return fs_err(kReadOnly);
    auto from = sandbox(call).parent(d.get(), p[1].str, false);
    if (!from) return fs_err(from.error());
    auto to = sandbox(call).parent(nd->get(), p[3].str, false);
    if (!to) return fs_err(to.error());
    if (from->name == "." || to->name == ".") return fs_err(kBusy);
    if (::renameat(from->fd, from->name.c_str(), to->fd, to->name.c_str()) != 0)
      return fs_err(last_code());
    return Val::ok();
  });
  method("symlink-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (!d.dir) return fs_err(kNotDirectory);
    if (!(d.flags & kFlagMutateDir)) return fs_err(kReadOnly);
    // An absolute target could only ever point outside the sandbox.
    if (!p[1].str.empty() && p[1].str.front() == '/') return fs_err(kNotPermitted);
    auto par = sandbox(call).parent(d.get(), p[2].str, false);
    if (!par) return fs_err(par.error());
    if (::symlinkat(p[1].str.c_str(), par->fd, par->name.c_str()) != 0) return fs_err(last_code());
    return Val::ok();
  });
  method("unlink-file-at", [sandbox](rt::HostCall& call, Descriptor& d, std::span<const Val> p) {
    if (!d.dir) return fs_err(kNotDirectory);
    if (!(d.flags & kFlagMutateDir)) return fs_err(kReadOnly);
    auto par = sandbox(call).parent(d.get(), p[1].str, false);
    if (!par) return fs_err(par.error());
    if (par->trailing_slash) return fs_err(kNotDirectory);
    return ::unlinkat(par->fd, par->name.c_str(), 0) == 0 ? Val::ok() : fs_err(last_code());
  });

  fs.func(
      "[method]directory-entry-stream.read-directory-entry", KUMO_P2_FN {
        KUMO_TRY(DirStream * s, self<DirStream>(call, p[0], "directory-entry-stream"));
        for (;;) {
          errno = 0;
          struct dirent* e = ::readdir(s->dir);
          if (!e) {
            out.push_back(errno ? fs_err(last_code()) : Val::ok(Val::option(std::nullopt)));
            return {};
          }
          std::string_view name = e->d_name;
          if (name == "." || name == "..") continue;
          uint32_t type = 0;
          switch (e->d_type) {
            case DT_BLK: type = 1; break;
            case DT_CHR: type = 2; break;
            case DT_DIR: type = 3; break;
            case DT_FIFO: type = 4; break;
            case DT_LNK: type = 5; break;
            case DT_REG: type = 6; break;
            case DT_SOCK: type = 7; break;
            default: {
              struct stat st;
              if (::fstatat(::dirfd(s->dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                type = type_of(st.st_mode);
            }
          }
          out.push_back(Val::ok(
              Val::option(Val::record({Val::enumeration(type), Val::string(std::string(name))}))));
          return {};
        }
      });

  fs.func(
      "filesystem-error-code", KUMO_P2_FN {
        IoError* e = table_of(call).get<IoError>(p[0].handle.rep);
        if (!e || e->errno_value == 0) {
          out.push_back(Val::option(std::nullopt));
        } else {
          out.push_back(
              Val::option(Val::enumeration(code_of(p1::errno_from_host(e->errno_value)))));
        }
        return {};
      });
}

}  // namespace kumo::wasi::p2
