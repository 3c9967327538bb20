// A sampling profiler of wasm functions, for finding where guest time goes (perf only sees the
// interpreter's dispatch loop). Enabled with KUMO_WASM_PROFILE=1: every thread that runs wasm
// gets a CPU-time timer (1 kHz, SIGPROF); each tick charges the function on top of the
// interpreter's control stack, and whether it was running wasm or a host function it called.
// The report lists the hottest functions with their names from the name section.
#pragma once

#include <cstdio>

namespace kumo::wasm::interp {

struct ExecState;

// True when KUMO_WASM_PROFILE is set (read once).
bool profiler_enabled();
// Starts sampling the calling thread (once per thread) with `es` as its interpreter state.
void profiler_attach(ExecState* es);
// Prints the hottest functions. Call it while the sampled modules are still alive.
void profiler_report(std::FILE* out);

}  // namespace kumo::wasm::interp
