#!/bin/sh
# Rebuilds the WASI test programs (the .wasm files are committed so tests do not need clang).
# Needs Debian's clang with the wasm32-wasi sysroot: packages clang, lld, wasi-libc and
# libclang-rt-14-dev-wasm32.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
for src in *.c; do
  out="${src%.c}.wasm"
  # --strip-debug keeps the name section (function names in trap backtraces).
  "$CC" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror \
    -Wl,--strip-debug -o "$out" "$src"
  echo "built $out"
done
