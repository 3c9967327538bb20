#!/usr/bin/env bash
# Rebuilds fib.wasm: no WASI start files and no entry point, so the module imports nothing and
# only exports its functions (and its memory). The .wasm is committed.
set -euo pipefail
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wall -Wextra -nostartfiles -Wl,--no-entry -o fib.wasm fib.c
if command -v wasm-strip >/dev/null; then wasm-strip fib.wasm; fi
echo "built $(pwd)/fib.wasm ($(stat -c %s fib.wasm) bytes)"
