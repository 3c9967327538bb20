#!/usr/bin/env bash
# Rebuilds hello.wasm with Debian's clang and wasi-libc (packages clang, lld, wasi-libc,
# libclang-rt-14-dev-wasm32). The .wasm is committed so that running the example needs no clang.
set -euo pipefail
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wall -Wextra -o hello.wasm hello.c
# Drop the debug/producers sections to keep the committed binary small and reproducible.
if command -v wasm-strip >/dev/null; then wasm-strip hello.wasm; fi
echo "built $(pwd)/hello.wasm ($(stat -c %s hello.wasm) bytes)"
