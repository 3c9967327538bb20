#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the main job, which until
# HTTP serving exists is `kumo run` of the bundled example program (examples/hello/hello.wasm, a C
# program compiled to wasm32-wasi). Extra arguments are passed to the example.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh"

example=examples/hello
args=("$@")
((${#args[@]})) || args=(Alice "Bob and Carol")
# The example reads data/message.txt relative to its pre-opened directory, mapped to "." inside.
set -x
exec build/kumo run --dir "$example::." --env KUMO_GREETING_NAME=Kumo "$example/hello.wasm" "${args[@]}"
