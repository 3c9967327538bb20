#!/bin/sh
# Adapts the preview1 C programs of tests/wasi/programs into WASI 0.2 command components with
# the wasi_snapshot_preview1 command adapter that jco ships (tests/components/node_modules, set
# up by scripts/setup-js.sh). The .wasm files are checked in; rerun after changing a program.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
jco="$root/tests/components/node_modules/.bin/jco"
for p in hello args_env exit_code stdin_upper clock_random poll files escape; do
  "$jco" new "$root/tests/wasi/programs/$p.wasm" --wasi-command -o "$here/$p.component.wasm"
done
# jco's exitcode fixture (a core module calling proc_exit(120)), adapted the same way.
"$jco" new "$root/../shared/components/jco/misc/exitcode.wasm" --wasi-command -o "$here/exitcode.component.wasm"
# Hand-written commands (component text): exit-with-code, run's result, a trap.
for w in exit_with_code run_result trap; do
  "$jco" parse "$here/$w.wat" -o "$here/$w.component.wasm"
done
