#!/usr/bin/env bash
# Installs the pinned JavaScript tools that build the test components and that the HTTP benchmark
# runs (`jco serve`): `npm ci` in tests/components (package.json + package-lock.json pin
# @bytecodealliance/jco and @bytecodealliance/componentize-js) into tests/components/node_modules.
# bench/http uses that same install (tests/components/node_modules/.bin/jco).
#
# Installs Node.js and npm from Debian first if they are missing (KUMO_SKIP_APT=1: never apt-get).
# Idempotent and quick: npm ci runs only when the lock file changed since the last install (a hash
# kept in node_modules/.kumo-lock.sha256) or the install is incomplete.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$root/tests/components"

log() { printf '\033[1m[setup-js]\033[0m %s\n' "$*" >&2; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [[ "${KUMO_SKIP_APT:-0}" == 1 ]]; then
    echo "setup-js.sh: node/npm missing and KUMO_SKIP_APT=1" >&2
    exit 1
  fi
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log "installing nodejs npm (Debian)"
  "${sudo[@]}" apt-get update -qq
  missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stamp="$dir/node_modules/.kumo-lock.sha256"
want=$(sha256sum "$dir/package-lock.json" "$dir/package.json" | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$dir/node_modules/.bin/jco" &&
      -f "$dir/node_modules/@bytecodealliance/componentize-js/package.json" ]]; then
  exit 0
fi
log "npm ci in tests/components (jco, componentize-js)"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
log "jco $("$dir/node_modules/.bin/jco" --version), componentize-js $(node -p "require('$dir/node_modules/@bytecodealliance/componentize-js/package.json').version")"
