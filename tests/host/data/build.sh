#!/usr/bin/env bash
# Assembles the host tests' hand-written components from their text form with jco (wasm-tools'
# parser). The .wasm files are committed; this is only needed after editing a .wat.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export WAST_STRICT_COMPONENT_INDICES=0
jco=(npx -y @bytecodealliance/jco)
local_jco=../../components/node_modules/.bin/jco
[[ -x $local_jco ]] && jco=("$local_jco")
for f in *.wat; do
  "${jco[@]}" parse "$f" -o "${f%.wat}.wasm"
done
