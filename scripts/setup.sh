#!/usr/bin/env bash
# Installs what Kumo needs on Debian 12 (as root, or through sudo), then configures and builds.
#
#   scripts/setup.sh                 install missing packages, configure build/, build
#   scripts/setup.sh --deps-only     only install missing packages
#   scripts/setup.sh --no-build      install and configure, don't build
#
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release), JOBS (default nproc),
# KUMO_CMAKE_ARGS (extra cmake -D arguments), KUMO_SKIP_APT=1 (never call apt-get).
#
# Idempotent and fast when everything is present: one dpkg-query call decides whether apt-get runs
# at all, and an existing build directory is only rebuilt incrementally.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

deps_only=0
build=1
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Debian packages. Why each one:
packages=(
  build-essential cmake ninja-build pkg-config git ccache    # toolchain (g++ 12) and build
  libgtest-dev libgmock-dev libbenchmark-dev                 # unit tests, micro-benchmarks
  libfmt-dev libspdlog-dev nlohmann-json3-dev libcli11-dev   # libraries the engine and CLI use
  clang lld wasi-libc libclang-rt-14-dev-wasm32              # C -> wasm32-wasi (examples, kernels)
  libclang-rt-14-dev                                         # libFuzzer + sanitizer runtimes (clang)
  wabt                                                       # wasm-objdump, wasm-interp (baseline)
  python3                                                    # bench/sightglass harness
  wrk                                                        # HTTP load generator (later issues)
  libhttp-parser-dev                                         # HTTP/1.1 parser of the server (src/host/http)
                                                             # and the wasi:http client (src/plugins/http):
                                                             # nodejs/http-parser, llhttp's predecessor
                                                             # (llhttp is not packaged); lean and cheap
                                                             # to build against, unlike Boost.Beast
)
# Debian 12 ships Node.js 18 as `nodejs`; a machine with a newer node (e.g. from another apt
# source) keeps it. Node runs the V8 side of the benchmarks.
command -v node >/dev/null 2>&1 || packages+=(nodejs)

missing=()
if [[ "${KUMO_SKIP_APT:-0}" != 1 ]]; then
  # dpkg-query prints one line per known package; anything not "installed" (or unknown) is missing.
  declare -A have=()
  while read -r status pkg; do
    if [[ "$status" == installed ]]; then have[$pkg]=1; fi
  done < <(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${packages[@]}" 2>/dev/null || true)
  for p in "${packages[@]}"; do [[ -n "${have[$p]:-}" ]] || missing+=("$p"); done
fi

if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

((deps_only)) && exit 0

# ---------------------------------------------------------------------------------------------
# Configure and build.
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
jobs=${JOBS:-$(nproc)}

cmake_args=(-DCMAKE_BUILD_TYPE="$build_type")
if command -v ccache >/dev/null; then
  # Preprocessor mode, not direct mode: direct mode reuses an object when a header that
  # `__has_include` looked for (and did not find) appears later, and so returns stale code.
  # CCACHE_BASEDIR makes paths relative, so another clone of the repository (CI) gets hits too.
  launcher="/usr/bin/env;CCACHE_NODIRECT=1;CCACHE_BASEDIR=$root;ccache"
  cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER="$launcher" -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
fi
# shellcheck disable=SC2206  # word splitting of the extra arguments is intended
[[ -n "${KUMO_CMAKE_ARGS:-}" ]] && cmake_args+=(${KUMO_CMAKE_ARGS})

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  log "configuring $build_dir ($build_type)"
  cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
else
  # Re-running cmake on an existing tree is cheap and applies changed -D options; the generator
  # is whatever the tree was made with.
  cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
fi

((build)) || exit 0
log "building $build_dir with $jobs jobs"
cmake --build "$build_dir" -j "$jobs"
[[ -x "$build_dir/kumo" ]] && log "CLI: $build_dir/kumo"
exit 0
