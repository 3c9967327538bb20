// The wasi_snapshot_preview1 functions, one C++ function each, in witx order of parameters.
// Pointers (u32) are guest addresses checked against `mem`; results go through "retptr"
// parameters. Each returns the WASI errno. linker.cpp binds them to wasm imports; the tests call
// them directly on a fake memory.
#pragma once

#include <cstdint>

#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/guest_memory.hpp"
#include "wasi/preview1/state.hpp"

namespace kumo::wasi::preview1::fn {

using u32 = uint32_t;
using u64 = uint64_t;
using M = const GuestMemory&;

// args, environment, clocks, randomness, scheduling (misc.cpp)
Errno args_get(State&, M, u32 argv, u32 argv_buf);
Errno args_sizes_get(State&, M, u32 argc_out, u32 argv_buf_size_out);
Errno environ_get(State&, M, u32 environ, u32 environ_buf);
Errno environ_sizes_get(State&, M, u32 count_out, u32 buf_size_out);
Errno clock_res_get(State&, M, u32 clock_id, u32 res_out);
Errno clock_time_get(State&, M, u32 clock_id, u64 precision, u32 time_out);
Errno random_get(State&, M, u32 buf, u32 buf_len);
Errno sched_yield(State&, M);
Errno proc_raise(State&, M, u32 sig);
Errno sock_accept(State&, M, u32 fd, u32 flags, u32 fd_out);
Errno sock_recv(State&, M, u32 fd, u32 ri_data, u32 ri_data_len, u32 ri_flags, u32 ro_datalen_out,
                u32 ro_flags_out);
Errno sock_send(State&, M, u32 fd, u32 si_data, u32 si_data_len, u32 si_flags, u32 so_datalen_out);
Errno sock_shutdown(State&, M, u32 fd, u32 how);

// descriptors (fd_io.cpp, fd_meta.cpp, fd_readdir.cpp)
Errno fd_read(State&, M, u32 fd, u32 iovs, u32 iovs_len, u32 nread_out);
Errno fd_write(State&, M, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_out);
Errno fd_pread(State&, M, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nread_out);
Errno fd_pwrite(State&, M, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_out);
Errno fd_seek(State&, M, u32 fd, u64 offset, u32 whence, u32 newoffset_out);
Errno fd_tell(State&, M, u32 fd, u32 offset_out);
Errno fd_close(State&, M, u32 fd);
Errno fd_renumber(State&, M, u32 fd, u32 to);
Errno fd_sync(State&, M, u32 fd);
Errno fd_datasync(State&, M, u32 fd);
Errno fd_advise(State&, M, u32 fd, u64 offset, u64 len, u32 advice);
Errno fd_allocate(State&, M, u32 fd, u64 offset, u64 len);
Errno fd_fdstat_get(State&, M, u32 fd, u32 fdstat_out);
Errno fd_fdstat_set_flags(State&, M, u32 fd, u32 flags);
Errno fd_fdstat_set_rights(State&, M, u32 fd, u64 base, u64 inheriting);
Errno fd_filestat_get(State&, M, u32 fd, u32 filestat_out);
Errno fd_filestat_set_size(State&, M, u32 fd, u64 size);
Errno fd_filestat_set_times(State&, M, u32 fd, u64 atim, u64 mtim, u32 fst_flags);
Errno fd_prestat_get(State&, M, u32 fd, u32 prestat_out);
Errno fd_prestat_dir_name(State&, M, u32 fd, u32 path, u32 path_len);
Errno fd_readdir(State&, M, u32 fd, u32 buf, u32 buf_len, u64 cookie, u32 bufused_out);

// paths (path.cpp)
Errno path_open(State&, M, u32 fd, u32 dirflags, u32 path, u32 path_len, u32 oflags,
                u64 rights_base, u64 rights_inheriting, u32 fdflags, u32 fd_out);
Errno path_create_directory(State&, M, u32 fd, u32 path, u32 path_len);
Errno path_remove_directory(State&, M, u32 fd, u32 path, u32 path_len);
Errno path_unlink_file(State&, M, u32 fd, u32 path, u32 path_len);
Errno path_rename(State&, M, u32 fd, u32 old_path, u32 old_len, u32 new_fd, u32 new_path,
                  u32 new_len);
Errno path_filestat_get(State&, M, u32 fd, u32 flags, u32 path, u32 path_len, u32 filestat_out);
Errno path_filestat_set_times(State&, M, u32 fd, u32 flags, u32 path, u32 path_len, u64 atim,
                              u64 mtim, u32 fst_flags);
Errno path_readlink(State&, M, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len,
                    u32 bufused_out);
Errno path_symlink(State&, M, u32 old_path, u32 old_len, u32 fd, u32 new_path, u32 new_len);
Errno path_link(State&, M, u32 old_fd, u32 old_flags, u32 old_path, u32 old_len, u32 new_fd,
                u32 new_path, u32 new_len);

// poll.cpp
Errno poll_oneoff(State&, M, u32 in, u32 out, u32 nsubscriptions, u32 nevents_out);

// Shared by fd_filestat_set_times and path_filestat_set_times: WASI times to utimensat's.
Errno to_utimens(u64 atim, u64 mtim, u32 fst_flags, struct timespec out[2]);

}  // namespace kumo::wasi::preview1::fn
