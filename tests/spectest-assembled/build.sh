#!/usr/bin/env bash
# Assembles the text-format `module` commands of the component-model spec suites that the
# suite converter left as .wat (they use the legacy `(memory $i "name")` form, which wasm-tools now
# accepts only with WAST_STRICT_COMPONENT_INDICES=0), with jco's bundled wasm-tools parser.
# Writes X.N.wasm and X.N.wat.fnv1a64 (the FNV-1a 64 hash of the exact text, which `kumo wast
# --assembled` checks so that a changed test never runs a stale binary). The results are committed;
# run this only when ../shared/spectest changes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
spec=${1:-$here/../../../shared/spectest}
export WAST_STRICT_COMPONENT_INDICES=0
python3 - "$spec" <<'PY' | while read -r wat; do
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
for suite in ("component-model", "component-model-ref", "component-model-wasmtime"):
    for script in sorted((root / suite).glob("*/*.json")):
        for c in json.loads(script.read_text())["commands"]:
            if c.get("module_type") == "text" and c["type"] in ("module", "module_definition"):
                print(script.parent / c["filename"])
PY
  name=$(basename "$wat" .wat)
  npx -y @bytecodealliance/jco@1.35.0 parse "$wat" -o "$here/$name.wasm"
  python3 -c 'import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read(): h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print(f"{h:016x}")' "$wat" > "$here/$name.wat.fnv1a64"
  echo "assembled $name.wasm"
done
