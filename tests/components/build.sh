#!/usr/bin/env bash
# Rebuilds Kumo's test components (see README.md) into wasm/ with toolchains that are not Kumo's:
#   - Debian's clang for wasm32-wasi (packages clang lld wasi-libc libclang-rt-14-dev-wasm32);
#   - @bytecodealliance/jco (preview1 adapters, wasm-tools) and @bytecodealliance/componentize-js,
#     pinned in package-lock.json and installed here by scripts/setup-js.sh (npm ci).
#
#   tests/components/build.sh            build what is missing or whose inputs changed
#   tests/components/build.sh --force    rebuild everything
#   tests/components/build.sh NAME...    only these outputs (e.g. http_hello js_hello), forced
#
# Idempotent: wasm/inputs.sha256 (committed) records a hash of each output's inputs (sources,
# WIT, tools, package-lock.json, clang version); an output whose hash is unchanged is not rebuilt.
# The built .wasm files are committed, so tests never need these toolchains.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

force=0
only=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "build.sh: unknown option '$arg'" >&2; exit 2 ;;
    *) only+=("$arg"); force=1 ;;
  esac
done

log() { printf '\033[1m[components]\033[0m %s\n' "$*" >&2; }

"$root/scripts/setup-js.sh"
for tool in clang wasm-ld; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)" >&2; exit 1; }
done
[[ -d /usr/lib/wasm32-wasi || -d /usr/share/wasi-sysroot ]] ||
  { echo "build.sh: wasi-libc not found (apt-get install wasi-libc libclang-rt-14-dev-wasm32)" >&2; exit 1; }

jco="$here/node_modules/.bin/jco"
out="$here/wasm"
mkdir -p "$out"
manifest="$out/inputs.sha256"
touch "$manifest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang_version=$(clang --version | head -1)
CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror)
# Keep the name section (function names in traps' backtraces), drop DWARF.
# shellcheck disable=SC2054 # one linker flag, the comma is part of it
LDFLAGS=(-Wl,--strip-debug)

wanted() { # NAME: is this output selected?
  [[ ${#only[@]} -eq 0 ]] && return 0
  local o
  for o in "${only[@]}"; do [[ "$o" == "$1" || "$o" == "$1.component.wasm" ]] && return 0; done
  return 1
}

inputs_hash() { # FILES...: one hash over the contents of the inputs and the toolchain versions
  { sha256sum "$@" package-lock.json; echo "$clang_version"; } | sha256sum | cut -d' ' -f1
}

# up_to_date NAME HASH: the recorded hash matches and every output of NAME exists.
up_to_date() {
  [[ $force == 0 ]] || return 1
  grep -qx "$1 $2" "$manifest" || return 1
  [[ -f "$out/$1.component.wasm" ]]
}

record() { # NAME HASH
  grep -v "^$1 " "$manifest" > "$tmp/manifest" || true
  echo "$1 $2" >> "$tmp/manifest"
  sort "$tmp/manifest" > "$manifest"
}

built=0
skipped=0

# C command components: C -> preview1 core module (committed too, wasm/NAME.wasm) -> component.
for name in hello args_env stdin_echo clocks_random fs; do
  wanted "$name" || continue
  h=$(inputs_hash "c/$name.c" build.sh)
  if up_to_date "$name" "$h" && [[ -f "$out/$name.wasm" ]]; then skipped=$((skipped + 1)); continue; fi
  log "c/$name.c -> wasm/$name.wasm, wasm/$name.component.wasm (wasi-command)"
  clang "${CFLAGS[@]}" "${LDFLAGS[@]}" -o "$out/$name.wasm" "c/$name.c"
  "$jco" new "$out/$name.wasm" --wasi-command -o "$out/$name.component.wasm"
  record "$name" "$h"
  built=$((built + 1))
done

# C wasi:http handlers: C (reactor) -> core module with the c-handler world embedded -> component.
for name in http_hello http_echo http_state; do
  wanted "$name" || continue
  h=$(inputs_hash "c/$name.c" c/http_glue.h wit/c-handler.wit wit/deps/*/*.wit tools/wit.mjs tools/embed.mjs build.sh)
  if up_to_date "$name" "$h"; then skipped=$((skipped + 1)); continue; fi
  log "c/$name.c -> wasm/$name.component.wasm (wasi:http handler, wasi-reactor)"
  clang "${CFLAGS[@]}" -mexec-model=reactor "${LDFLAGS[@]}" -o "$tmp/$name.core.wasm" "c/$name.c"
  node tools/embed.mjs wit/c-handler.wit wit/deps c-handler "$tmp/$name.core.wasm" "$tmp/$name.embed.wasm"
  "$jco" new "$tmp/$name.embed.wasm" --wasi-reactor -o "$out/$name.component.wasm"
  record "$name" "$h"
  built=$((built + 1))
done

# JS wasi:http handlers with componentize-js. Their world names wasi:http@0.2.10, the version the
# engine exports; tools/wit.mjs relabels the vendored 0.2.12 WIT for it (see wit/js-handler.wit).
for spec in hello:js-handler echo:js-handler fetch:js-handler stream:js-handler hello_wasi:js-wasi-handler; do
  src=${spec%%:*}
  world=${spec#*:}
  name="js_$src"
  wanted "$name" || continue
  h=$(inputs_hash "js/$src.js" wit/js-handler.wit wit/deps/*/*.wit tools/wit.mjs tools/componentize.mjs build.sh)
  if up_to_date "$name" "$h"; then skipped=$((skipped + 1)); continue; fi
  log "js/$src.js -> wasm/$name.component.wasm (componentize-js, world $world)"
  node tools/componentize.mjs "js/$src.js" wit/js-handler.wit wit/deps "$world" 0.2.12 0.2.10 \
    "$out/$name.component.wasm"
  record "$name" "$h"
  built=$((built + 1))
done

log "built $built, up to date $skipped (wasm/, $(du -sh "$out" | cut -f1))"
