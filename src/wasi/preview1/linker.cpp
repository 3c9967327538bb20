// Binds the preview1 functions to wasm imports "wasi_snapshot_preview1"."<name>".
#include <fmt/format.h>

#include "wasi/preview1/functions.hpp"
#include "wasi/preview1/wasi.hpp"
#include "wasm/runtime/host_func.hpp"

namespace kumo::wasi::preview1 {
namespace {

// The caller's "memory" export. Looking it up is a hash lookup, so the answer is remembered
// for the last calling instance (exports never change after instantiation). A module without
// that export gets an empty memory: every pointer it passes is then EFAULT.
class MemoryFinder {
 public:
  GuestMemory operator()(wasm::Caller& caller) {
    if (caller.instance != instance_ || !instance_) {
      instance_ = caller.instance;
      memory_ = caller.exported_memory("memory");
    }
    // base and size are read on every call: memory.grow may have changed them.
    return memory_ ? GuestMemory(memory_->base, memory_->size) : GuestMemory();
  }

 private:
  const wasm::Instance* instance_ = nullptr;
  wasm::MemoryInst* memory_ = nullptr;
};

struct Binder {
  wasm::Linker& linker;
  wasm::Store& store;
  State& state;
  std::shared_ptr<MemoryFinder> memory = std::make_shared<MemoryFinder>();

  // Every preview1 function returns its errno as an i32; the C++ parameter types (u32/u64)
  // give the wasm parameter types.
  template <typename... A>
  void operator()(const char* name, Errno (*f)(State&, const GuestMemory&, A...)) {
    State* st = &state;
    auto mem = memory;
    if constexpr (sizeof...(A) == 0) {
      // No parameters: the raw slot convention (host_func.hpp's typed wrapper warns about an
      // unused variable for an empty parameter list).
      auto raw = [st, mem, f](wasm::Caller& caller, uint64_t* slots) -> Expected<void, wasm::Trap> {
        slots[0] = static_cast<uint32_t>(f(*st, (*mem)(caller)));
        return {};
      };
      linker.define_func(store, kModuleName, name, wasm::FuncType{{}, {wasm::ValType::I32}}, raw);
    } else {
      wasm::func_wrap(linker, store, kModuleName, name,
                      [st, mem, f](wasm::Caller& caller, A... args) -> uint32_t {
                        return static_cast<uint32_t>(f(*st, (*mem)(caller), args...));
                      });
    }
  }
};

}  // namespace

const std::vector<std::string_view>& function_names() {
  // clang-format off
  static const std::vector<std::string_view> names = {
      "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
      "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
      "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
      "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite",
      "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
      "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
      "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
      "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get",
      "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
  };
  // clang-format on
  return names;
}

void add_to_linker(wasm::Linker& linker, wasm::Store& store, Context& context) {
  Binder bind{linker, store, context.state()};
  bind("args_get", fn::args_get);
  bind("args_sizes_get", fn::args_sizes_get);
  bind("environ_get", fn::environ_get);
  bind("environ_sizes_get", fn::environ_sizes_get);
  bind("clock_res_get", fn::clock_res_get);
  bind("clock_time_get", fn::clock_time_get);
  bind("fd_advise", fn::fd_advise);
  bind("fd_allocate", fn::fd_allocate);
  bind("fd_close", fn::fd_close);
  bind("fd_datasync", fn::fd_datasync);
  bind("fd_fdstat_get", fn::fd_fdstat_get);
  bind("fd_fdstat_set_flags", fn::fd_fdstat_set_flags);
  bind("fd_fdstat_set_rights", fn::fd_fdstat_set_rights);
  bind("fd_filestat_get", fn::fd_filestat_get);
  bind("fd_filestat_set_size", fn::fd_filestat_set_size);
  bind("fd_filestat_set_times", fn::fd_filestat_set_times);
  bind("fd_pread", fn::fd_pread);
  bind("fd_prestat_get", fn::fd_prestat_get);
  bind("fd_prestat_dir_name", fn::fd_prestat_dir_name);
  bind("fd_pwrite", fn::fd_pwrite);
  bind("fd_read", fn::fd_read);
  bind("fd_readdir", fn::fd_readdir);
  bind("fd_renumber", fn::fd_renumber);
  bind("fd_seek", fn::fd_seek);
  bind("fd_sync", fn::fd_sync);
  bind("fd_tell", fn::fd_tell);
  bind("fd_write", fn::fd_write);
  bind("path_create_directory", fn::path_create_directory);
  bind("path_filestat_get", fn::path_filestat_get);
  bind("path_filestat_set_times", fn::path_filestat_set_times);
  bind("path_link", fn::path_link);
  bind("path_open", fn::path_open);
  bind("path_readlink", fn::path_readlink);
  bind("path_remove_directory", fn::path_remove_directory);
  bind("path_rename", fn::path_rename);
  bind("path_symlink", fn::path_symlink);
  bind("path_unlink_file", fn::path_unlink_file);
  bind("poll_oneoff", fn::poll_oneoff);
  bind("proc_raise", fn::proc_raise);
  bind("sched_yield", fn::sched_yield);
  bind("random_get", fn::random_get);
  bind("sock_accept", fn::sock_accept);
  bind("sock_recv", fn::sock_recv);
  bind("sock_send", fn::sock_send);
  bind("sock_shutdown", fn::sock_shutdown);
  // proc_exit does not return to the guest: it unwinds every wasm frame as a Trap that the
  // embedder recognises by its code.
  wasm::func_wrap(linker, store, kModuleName, "proc_exit",
                  [](uint32_t status) -> Expected<void, wasm::Trap> {
                    wasm::Trap t;
                    t.code = wasm::TrapCode::Exit;
                    t.exit_code = static_cast<int>(status);
                    t.message = fmt::format("exit with status {}", status);
                    return Unexpected<wasm::Trap>{std::move(t)};
                  });
}

}  // namespace kumo::wasi::preview1
