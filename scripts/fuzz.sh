#!/usr/bin/env bash
# Runs the libFuzzer target (fuzz/fuzz_module.cpp: decode + validate + compile + instantiate +
# call exports) for a bounded time, built with clang, ASan and UBSan in build-fuzz/.
#
#   scripts/fuzz.sh [SECONDS]        default 60; FUZZ_JOBS=N runs N fuzzing processes
#   FUZZ_TARGET=component scripts/fuzz.sh [SECONDS]
#                                    fuzz/fuzz_component.cpp instead (decode + validate + WIT of
#                                    component binaries), seeded from the component spec tests
#                                    and jco components; regressions in tests/component/fuzz-regressions/
#
# Seed corpus: the spec tests' .wasm modules (../shared/spectest/wasm-*), the example and the
# earlier regressions. A crashing (or hanging, or out-of-memory) input is copied to
# tests/wasm/fuzz-regressions/, which the CTest test fuzz_regressions replays; exit status 1 then.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${1:-60}
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD_DIR:-build-fuzz}
target=${FUZZ_TARGET:-module}
case $target in
  module) binary=kumo_fuzz_module; suffix=""; regressions=tests/wasm/fuzz-regressions; max_len=65536 ;;
  component) binary=kumo_fuzz_component; suffix="-component"; regressions=tests/component/fuzz-regressions
             max_len=262144 ;;
  *) echo "fuzz.sh: FUZZ_TARGET must be module or component" >&2; exit 2 ;;
esac

"$root/scripts/setup.sh" --deps-only

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  launcher=()
  # (ccache in preprocessor mode: see setup.sh)
  command -v ccache >/dev/null &&
    launcher=("-DCMAKE_C_COMPILER_LAUNCHER=/usr/bin/env;CCACHE_NODIRECT=1;ccache"
              "-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/env;CCACHE_NODIRECT=1;ccache")
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKUMO_FUZZ=ON -DKUMO_BENCH=OFF "${launcher[@]}" >/dev/null
fi
cmake --build "$build" --target "$binary" -j "$(nproc)"

# Seeds: small spec-test modules (libFuzzer reads every file in a corpus folder, so only .wasm).
seeds=$build/fuzz-seeds$suffix
if [[ $target == component && ! -d $seeds ]]; then
  mkdir -p "$seeds"
  find ../shared/spectest -path '*component-model*' -name '*.wasm' -size -64k -print0 2>/dev/null |
    while IFS= read -r -d '' f; do cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"; done
  find ../shared/components/jco -name '*.wasm' -size -256k -print0 2>/dev/null |
    while IFS= read -r -d '' f; do cp "$f" "$seeds/jco-$(basename "$f")"; done
fi
if [[ ! -d $seeds ]]; then
  mkdir -p "$seeds"
  if [[ -d ../shared/spectest ]]; then
    find ../shared/spectest/wasm-1.0 ../shared/spectest/wasm-2.0 ../shared/spectest/wasm-3.0 \
      -name '*.wasm' -size -64k -print0 2>/dev/null |
      while IFS= read -r -d '' f; do cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"; done
  else
    echo "fuzz.sh: ../shared/spectest missing; seeding from the example only" >&2
  fi
  cp examples/hello/hello.wasm "$seeds/"
fi
corpus=$build/fuzz-corpus$suffix
artifacts=$build/fuzz-artifacts$suffix
mkdir -p "$corpus" "$artifacts"

# The engine's SIGSEGV handler turns guard-region faults into traps; ASan must let it install.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_segv_handler=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "fuzzing $binary for ${seconds}s ($jobs job(s)); corpus $corpus, seeds $seeds" >&2
fork_args=()
((jobs > 1)) && fork_args=(-fork="$jobs" -ignore_crashes=1)
status=0
"$build/$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
  -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" \
  "${fork_args[@]}" \
  "$corpus" "$seeds" "$regressions" || status=$?

found=0
shopt -s nullglob
for f in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
  dest=$regressions/$(basename "$f")
  if [[ ! -e $dest ]]; then
    cp "$f" "$dest"
    echo "fuzz.sh: new failing input saved as $dest" >&2
    found=1
  fi
done
if ((found)) || ((status != 0)); then
  echo "fuzz.sh: FAILED (libFuzzer status $status); reproduce with: $build/$binary FILE" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds}s" >&2
