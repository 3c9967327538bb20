#!/usr/bin/env bash
# Sets up (scripts/setup.sh: packages, configure, build) and runs the whole test suite with CTest.
# The exit code is CTest's: 0 only when every test passed.
#
#   scripts/test.sh                 build/ (Release) and run every test
#   scripts/test.sh --sanitize      build-asan/ with -DKUMO_SANITIZE=ON (ASan + UBSan) and run there
#   scripts/test.sh -- ARGS...      extra arguments for ctest, e.g. -- -R spec
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

sanitize=0
ctest_args=()
while (($#)); do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --) shift; ctest_args+=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) ctest_args+=("$1") ;;
  esac
  shift
done

# Tests read spec tests and benchmarks from ../shared. In CI its absence is an error, not a skip.
if [[ ! -d "$root/../shared" ]]; then
  if [[ "${CI:-}" == true ]]; then
    echo "test.sh: ../shared is missing (expected at $(cd "$root/.." && pwd)/shared); CI needs it" >&2
    exit 1
  fi
  echo "test.sh: warning: ../shared is missing; the tests that need it will fail" >&2
fi

if ((sanitize)); then
  export BUILD_DIR=${BUILD_DIR:-build-asan}
  export KUMO_CMAKE_ARGS="${KUMO_CMAKE_ARGS:-} -DKUMO_SANITIZE=ON"
  # Report every UB finding as a failure, and keep ASan's guard-region friendliness: wasm memories
  # reserve 8 GiB of address space and the trap handler owns SIGSEGV.
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0}
  # The long sightglass programs take many minutes under ASan; they are reported as skipped there.
  export KUMO_SKIP_SLOW_TESTS=${KUMO_SKIP_SLOW_TESTS:-1}
fi
build_dir=${BUILD_DIR:-build}

"$root/scripts/setup.sh"

jobs=${JOBS:-$(nproc)}
exec ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure "${ctest_args[@]}"
