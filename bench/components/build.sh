#!/usr/bin/env bash
# Assembles the benchmark components from their text form with jco (wasm-tools' parser).
# The .wasm files are committed; this is only needed after editing a .wat.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export WAST_STRICT_COMPONENT_INDICES=0
for f in *.wat; do
  npx -y @bytecodealliance/jco parse "$f" -o "${f%.wat}.wasm"
done
