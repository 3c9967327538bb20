// WASI preview1 ABI constants and guest struct layouts (from the witx definitions of
// wasi_snapshot_preview1). Everything a guest sees in memory is little-endian.
#pragma once

#include <cstdint>

namespace kumo::wasi::preview1 {

// errno values returned by every preview1 function (u16 on the wire).
// clang-format off
enum class Errno : uint16_t {
  Success = 0, TooBig = 1, Acces = 2, AddrInUse = 3, AddrNotAvail = 4, AfNoSupport = 5,
  Again = 6, Already = 7, Badf = 8, BadMsg = 9, Busy = 10, Canceled = 11, Child = 12,
  ConnAborted = 13, ConnRefused = 14, ConnReset = 15, Deadlk = 16, DestAddrReq = 17, Dom = 18,
  Dquot = 19, Exist = 20, Fault = 21, Fbig = 22, HostUnreach = 23, Idrm = 24, Ilseq = 25,
  InProgress = 26, Intr = 27, Inval = 28, Io = 29, IsConn = 30, IsDir = 31, Loop = 32,
  Mfile = 33, Mlink = 34, MsgSize = 35, Multihop = 36, NameTooLong = 37, NetDown = 38,
  NetReset = 39, NetUnreach = 40, Nfile = 41, NoBufs = 42, NoDev = 43, NoEnt = 44, NoExec = 45,
  NoLck = 46, NoLink = 47, NoMem = 48, NoMsg = 49, NoProtoOpt = 50, NoSpc = 51, NoSys = 52,
  NotConn = 53, NotDir = 54, NotEmpty = 55, NotRecoverable = 56, NotSock = 57, NotSup = 58,
  NoTty = 59, Nxio = 60, Overflow = 61, OwnerDead = 62, Perm = 63, Pipe = 64, Proto = 65,
  ProtoNoSupport = 66, ProtoType = 67, Range = 68, Rofs = 69, Spipe = 70, Srch = 71,
  Stale = 72, TimedOut = 73, TxtBsy = 74, Xdev = 75, NotCapable = 76,
};
// clang-format on

// Maps a host (Linux) errno value to its WASI counterpart; unknown values become Io.
Errno errno_from_host(int host_errno);
// The errno of the last failed libc call.
Errno last_errno();
// "ENOENT"-style name, for diagnostics and tests.
const char* errno_name(Errno e);

enum class Filetype : uint8_t {
  Unknown = 0,
  BlockDevice = 1,
  CharacterDevice = 2,
  Directory = 3,
  RegularFile = 4,
  SocketDgram = 5,
  SocketStream = 6,
  SymbolicLink = 7,
};

using Rights = uint64_t;
namespace rights {
inline constexpr Rights FdDatasync = 1ull << 0;
inline constexpr Rights FdRead = 1ull << 1;
inline constexpr Rights FdSeek = 1ull << 2;
inline constexpr Rights FdFdstatSetFlags = 1ull << 3;
inline constexpr Rights FdSync = 1ull << 4;
inline constexpr Rights FdTell = 1ull << 5;
inline constexpr Rights FdWrite = 1ull << 6;
inline constexpr Rights FdAdvise = 1ull << 7;
inline constexpr Rights FdAllocate = 1ull << 8;
inline constexpr Rights PathCreateDirectory = 1ull << 9;
inline constexpr Rights PathCreateFile = 1ull << 10;
inline constexpr Rights PathLinkSource = 1ull << 11;
inline constexpr Rights PathLinkTarget = 1ull << 12;
inline constexpr Rights PathOpen = 1ull << 13;
inline constexpr Rights FdReaddir = 1ull << 14;
inline constexpr Rights PathReadlink = 1ull << 15;
inline constexpr Rights PathRenameSource = 1ull << 16;
inline constexpr Rights PathRenameTarget = 1ull << 17;
inline constexpr Rights PathFilestatGet = 1ull << 18;
inline constexpr Rights PathFilestatSetSize = 1ull << 19;
inline constexpr Rights PathFilestatSetTimes = 1ull << 20;
inline constexpr Rights FdFilestatGet = 1ull << 21;
inline constexpr Rights FdFilestatSetSize = 1ull << 22;
inline constexpr Rights FdFilestatSetTimes = 1ull << 23;
inline constexpr Rights PathSymlink = 1ull << 24;
inline constexpr Rights PathRemoveDirectory = 1ull << 25;
inline constexpr Rights PathUnlinkFile = 1ull << 26;
inline constexpr Rights PollFdReadwrite = 1ull << 27;
inline constexpr Rights SockShutdown = 1ull << 28;
inline constexpr Rights SockAccept = 1ull << 29;
inline constexpr Rights All = (1ull << 30) - 1;
// Rights that only make sense on a directory; a file descriptor for a non-directory drops them.
inline constexpr Rights DirectoryOnly =
    PathCreateDirectory | PathCreateFile | PathLinkSource | PathLinkTarget | PathOpen | FdReaddir |
    PathReadlink | PathRenameSource | PathRenameTarget | PathFilestatGet | PathFilestatSetSize |
    PathFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile;
}  // namespace rights

namespace fdflags {
inline constexpr uint16_t Append = 1 << 0, Dsync = 1 << 1, Nonblock = 1 << 2, Rsync = 1 << 3,
                          Sync = 1 << 4, All = 0x1f;
}
namespace oflags {
inline constexpr uint16_t Creat = 1 << 0, Directory = 1 << 1, Excl = 1 << 2, Trunc = 1 << 3,
                          All = 0xf;
}
namespace lookupflags {
inline constexpr uint32_t SymlinkFollow = 1 << 0;
}
namespace fstflags {
inline constexpr uint16_t Atim = 1 << 0, AtimNow = 1 << 1, Mtim = 1 << 2, MtimNow = 1 << 3,
                          All = 0xf;
}
enum class Whence : uint8_t { Set = 0, Cur = 1, End = 2 };
enum class Advice : uint8_t {
  Normal = 0,
  Sequential = 1,
  Random = 2,
  WillNeed = 3,
  DontNeed = 4,
  NoReuse = 5,
};
enum class ClockId : uint32_t {
  Realtime = 0,
  Monotonic = 1,
  ProcessCputime = 2,
  ThreadCputime = 3
};
enum class EventType : uint8_t { Clock = 0, FdRead = 1, FdWrite = 2 };
namespace subclockflags {
inline constexpr uint16_t Abstime = 1 << 0;
}
namespace eventrwflags {
inline constexpr uint16_t Hangup = 1 << 0;
}
inline constexpr uint8_t kPreopenTypeDir = 0;

// Guest struct layouts: sizes and field offsets in bytes.
namespace layout {
inline constexpr uint32_t kIovecSize = 8;  // buf: u32 @0, buf_len: u32 @4
inline constexpr uint32_t kFdstatSize =
    24;  // filetype u8 @0, flags u16 @2, base u64 @8, inh u64 @16
inline constexpr uint32_t kFilestatSize = 64;  // dev @0 ino @8 filetype u8 @16 nlink @24 size @32
                                               // atim @40 mtim @48 ctim @56
inline constexpr uint32_t kDirentSize = 24;    // d_next u64 @0, d_ino u64 @8, d_namlen u32 @16,
                                               // d_type u8 @20; the name follows the header
inline constexpr uint32_t kPrestatSize = 8;    // tag u8 @0, pr_name_len u32 @4
inline constexpr uint32_t kSubscriptionSize = 48;  // userdata u64 @0, tag u8 @8, clock: id u32 @16,
                                                   // timeout u64 @24, precision u64 @32,
                                                   // flags u16 @40; fd_readwrite: fd u32 @16
inline constexpr uint32_t kEventSize = 32;         // userdata u64 @0, error u16 @8, type u8 @10,
                                                   // nbytes u64 @16, flags u16 @24
}  // namespace layout

inline constexpr const char* kModuleName = "wasi_snapshot_preview1";

}  // namespace kumo::wasi::preview1
