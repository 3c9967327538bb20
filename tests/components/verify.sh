#!/usr/bin/env bash
# Checks the built test components in wasm/, independently of how Kumo runs them where possible:
#   1. `kumo validate` and `kumo inspect` accept every .wasm (core modules and components);
#   2. the command components give the expected output under `jco run` (Node.js), and the
#      preview1 core modules (and the components, once `kumo run` takes them) under `kumo run`;
#   3. the wasi:http handlers answer as documented under `jco serve` (curl on 127.0.0.1);
#   4. with --kumo-serve, the same HTTP checks against `kumo serve` instead.
#
#   tests/components/verify.sh [--kumo-serve] [--kumo PATH] [--no-jco]
#
# KUMO_SERVE_ARGS: extra arguments for `kumo serve` (e.g. what allows js_fetch's outgoing request
# to 127.0.0.1, once there is such a flag).
# Prints one line per check (ok / FAIL / PENDING: Kumo does not support that yet) and ends with
# "N passed, M failed, K pending"; exit code 1 if anything failed. Needs scripts/setup-js.sh.
# Ports used: 18190-18199 on 127.0.0.1.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
kumo="$root/build/kumo"
kumo_serve=0
use_jco=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kumo-serve) kumo_serve=1 ;;
    --kumo) kumo=$2; shift ;;
    --no-jco) use_jco=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "verify.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

w="$here/wasm"
jco="$here/node_modules/.bin/jco"
tmp=$(mktemp -d)
pass=0 fail=0 pending=0
servers=()
cleanup() {
  local pg
  for pg in "${servers[@]}"; do kill -9 -- "-$pg" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok      $*"; pass=$((pass + 1)); }
bad() { echo "FAIL    $*"; fail=$((fail + 1)); }
later() { echo "PENDING $*"; pending=$((pending + 1)); }
# A Kumo command that says it does not support something yet is pending, not failed.
unsupported() { grep -qiE "not supported yet|not supported|unknown subcommand|not implemented|requires a subcommand|The following argument was not expected" "$1"; }

[[ -x "$kumo" ]] || { echo "verify.sh: $kumo not found (build Kumo first)" >&2; exit 1; }
if [[ $use_jco == 1 && ! -x "$jco" ]]; then "$root/scripts/setup-js.sh" || exit 1; fi

# ---- 1. kumo validate / inspect -------------------------------------------------------------
for f in "$w"/*.wasm; do
  n=$(basename "$f")
  if "$kumo" validate "$f" >"$tmp/out" 2>&1; then ok "kumo validate $n"
  elif unsupported "$tmp/out"; then later "kumo validate $n: $(head -c 200 "$tmp/out")"
  else bad "kumo validate $n: $(head -c 300 "$tmp/out")"; fi
  if "$kumo" inspect "$f" >"$tmp/out" 2>&1 && grep -qE "world|import|export" "$tmp/out"; then ok "kumo inspect $n"
  else bad "kumo inspect $n: $(head -c 300 "$tmp/out")"; fi
done

# ---- 2. command components ------------------------------------------------------------------
# expect NAME WANT_RC LINE... -- COMMAND...: runs COMMAND, checks its exit code and that each
# LINE is a whole line of its stdout.
expect() {
  local name=$1 want_rc=$2
  shift 2
  local lines=()
  while [[ $1 != -- ]]; do lines+=("$1"); shift; done
  shift
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$? l missing=""
  if unsupported "$tmp/err"; then later "$name: $(head -c 200 "$tmp/err")"; return; fi
  for l in "${lines[@]}"; do grep -qxF -- "$l" "$tmp/out" || missing+=" [$l]"; done
  if [[ $rc == "$want_rc" && -z "$missing" ]]; then ok "$name"
  else bad "$name: exit $rc (want $want_rc), missing lines:$missing; stdout: $(head -c 300 "$tmp/out") stderr: $(head -c 300 "$tmp/err")"; fi
}
run_commands() { # LABEL EXT RUNNER... (the runner gets the .wasm path then the arguments)
  local label=$1 ext=$2
  shift 2
  expect "$label hello$ext" 0 "hello from C" -- "$@" "$w/hello$ext"
  expect "$label args_env$ext" 0 "argc=3" "argv[1]=one" "argv[2]=two words" -- "$@" "$w/args_env$ext" one 'two words'
  expect "$label clocks_random$ext" 0 "clocks_random: all ok" -- "$@" "$w/clocks_random$ext"
}
if [[ $use_jco == 1 ]]; then
  run_commands "jco run" .component.wasm "$jco" run
  KUMO_SHOW_ENV=KUMO_T KUMO_T=val KUMO_EXIT_CODE=3 "$jco" run "$w/args_env.component.wasm" >"$tmp/out" 2>&1
  rc=$?
  # A component's wasi:cli/exit only carries ok/err: any non-zero code becomes 1.
  if [[ $rc == 1 ]] && grep -q "env KUMO_T=val" "$tmp/out"; then ok "jco run args_env env + exit code (3 -> 1)"
  else bad "jco run args_env env + exit code: rc $rc, $(head -c 300 "$tmp/out")"; fi
  printf 'line one\nline two\n' | "$jco" run "$w/stdin_echo.component.wasm" >"$tmp/out" 2>"$tmp/err"
  if [[ "$(cat "$tmp/out")" == $'line one\nline two' ]] && grep -q "18 bytes" "$tmp/err"; then ok "jco run stdin_echo"
  else bad "jco run stdin_echo: $(head -c 300 "$tmp/out") $(head -c 300 "$tmp/err")"; fi
fi
run_commands "kumo run" .wasm "$kumo" run
run_commands "kumo run" .component.wasm "$kumo" run
for ext in .wasm .component.wasm; do
  "$kumo" run --env KUMO_SHOW_ENV=KUMO_T --env KUMO_T=val --env KUMO_EXIT_CODE=3 "$w/args_env$ext" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  want=3
  [[ $ext == .component.wasm ]] && want=1
  if unsupported "$tmp/err"; then later "kumo run args_env$ext env + exit code: $(head -c 200 "$tmp/err")"
  elif [[ $rc == "$want" ]] && grep -q "env KUMO_T=val" "$tmp/out"; then ok "kumo run args_env$ext env + exit code ($rc)"
  else bad "kumo run args_env$ext env + exit code: rc $rc (want $want), $(head -c 300 "$tmp/out") $(head -c 300 "$tmp/err")"; fi
  printf 'line one\nline two\n' | "$kumo" run "$w/stdin_echo$ext" >"$tmp/out" 2>"$tmp/err"
  if unsupported "$tmp/err"; then later "kumo run stdin_echo$ext: $(head -c 200 "$tmp/err")"
  elif [[ "$(cat "$tmp/out")" == $'line one\nline two' ]] && grep -q "18 bytes" "$tmp/err"; then ok "kumo run stdin_echo$ext"
  else bad "kumo run stdin_echo$ext: $(head -c 300 "$tmp/out") $(head -c 300 "$tmp/err")"; fi
  for guest in /sandbox .; do
    rm -rf "$tmp/sb" && mkdir "$tmp/sb"
    "$kumo" run --dir "$tmp/sb::$guest" "$w/fs$ext" "$guest" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if unsupported "$tmp/err"; then later "kumo run fs$ext (preopen $guest): $(head -c 200 "$tmp/err")"
    elif [[ $rc == 0 ]] && grep -q "fs: all ok" "$tmp/out" && [[ "$(cat "$tmp/sb/fs_result.txt" 2>/dev/null)" == "fs: done" ]]; then
      ok "kumo run fs$ext (preopen $guest)"
    else bad "kumo run fs$ext (preopen $guest): rc $rc: $(grep -E 'FAIL' "$tmp/out" | head -5) $(head -c 300 "$tmp/err")"; fi
  done
done

# ---- 3/4. HTTP handlers ---------------------------------------------------------------------
# start_server PORT LOG COMMAND...: starts it in its own session/process group (setsid), waits
# until its port accepts connections; sets server_pid (also its process group id).
server_pid=""
start_server() {
  local port=$1 log=$2
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  server_pid=$!
  servers+=("$server_pid")
  for _ in $(seq 1 300); do
    # A TCP connect, not a request: a probe request would use up the one request that a
    # fetch-event component answers per instance, and could hit a slow path (16 MiB stream).
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  return 1
}
# stop_server PID: SIGTERM to the group, SIGKILL to whatever is left after 3 s (jco serve waits
# for open connections on SIGTERM).
stop_server() {
  kill -- "-$1" 2>/dev/null
  for _ in $(seq 1 30); do
    kill -0 -- "-$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 -- "-$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

http_checks() { # LABEL PORT KIND
  local label=$1 port=$2 kind=$3 base="http://127.0.0.1:$2"
  # curl leaves an old output file alone when it gets nothing: remove them first.
  cr() { rm -f "$tmp/h" "$tmp/b"; curl -sS --max-time 60 "$@"; }
  case "$kind" in
    hello-c|hello-js)
      local want="hello from C"
      [[ $kind == hello-js ]] && want="hello from JS"
      cr -D "$tmp/h" -o "$tmp/b" "$base/" 2>"$tmp/err"
      if grep -q "^HTTP/1.1 200" "$tmp/h" && grep -qi "^content-type: text/plain" "$tmp/h" &&
         [[ "$(cat "$tmp/b")" == "$want" ]]; then ok "$label: 200 text/plain \"$want\""
      else bad "$label: $(head -c 300 "$tmp/h") $(head -c 100 "$tmp/b") $(cat "$tmp/err")"; fi
      cr -o "$tmp/b" -X POST --data-binary 'ignored' "$base/x/y?z" 2>"$tmp/err"
      if [[ "$(cat "$tmp/b")" == "$want" ]]; then ok "$label: POST with a body"; else bad "$label: POST: $(cat "$tmp/b" "$tmp/err")"; fi
      ;;
    echo)
      cr -D "$tmp/h" -o "$tmp/b" -X PATCH --data-binary 'echo me' "$base/p/q?r=1" 2>"$tmp/err"
      if grep -q "^HTTP/1.1 200" "$tmp/h" && grep -qi "^x-echo-method: PATCH" "$tmp/h" &&
         grep -qi "^x-echo-path: /p/q?r=1" "$tmp/h" && [[ "$(cat "$tmp/b")" == "echo me" ]]; then ok "$label: small body, method, path"
      else bad "$label: $(head -c 300 "$tmp/h") $(head -c 100 "$tmp/b") $(cat "$tmp/err")"; fi
      local size
      for size in 0 5000 3000000; do
        head -c "$size" /dev/urandom >"$tmp/in"
        cr -o "$tmp/b" --data-binary @"$tmp/in" "$base/big" 2>"$tmp/err"
        if cmp -s "$tmp/in" "$tmp/b"; then ok "$label: $size-byte body echoed"
        else bad "$label: $size-byte body: got $(stat -c %s "$tmp/b" 2>/dev/null) bytes $(cat "$tmp/err")"; fi
        cr -o "$tmp/b" -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/in" "$base/chunked" 2>"$tmp/err"
        if cmp -s "$tmp/in" "$tmp/b"; then ok "$label: $size-byte chunked body echoed"
        else bad "$label: $size-byte chunked body: got $(stat -c %s "$tmp/b" 2>/dev/null) bytes $(cat "$tmp/err")"; fi
      done
      ;;
    fetch)
      cr -D "$tmp/h" -o "$tmp/b" -H "x-fetch-url: http://127.0.0.1:18199/upstream" "$base/" 2>"$tmp/err"
      if grep -q "^HTTP/1.1 200" "$tmp/h" && grep -qi "^x-upstream-status: 200" "$tmp/h" &&
         grep -q "^hello from C" "$tmp/b"; then ok "$label: fetch from a local server (x-fetch-url)"
      else bad "$label: $(head -c 300 "$tmp/h") $(head -c 200 "$tmp/b") $(cat "$tmp/err")"; fi
      cr -D "$tmp/h" -o "$tmp/b" "$base/?url=http://127.0.0.1:1/" 2>"$tmp/err"
      if grep -q "^HTTP/1.1 502" "$tmp/h" && grep -q "fetch failed" "$tmp/b"; then ok "$label: refused connection -> 502"
      else bad "$label: refused: $(head -c 300 "$tmp/h") $(head -c 200 "$tmp/b") $(cat "$tmp/err")"; fi
      ;;
    stream)
      cr -D "$tmp/h" -o "$tmp/b" "$base/" 2>"$tmp/err"
      if grep -q "^HTTP/1.1 200" "$tmp/h" && python3 - "$tmp/b" 16777216 <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
n = int(sys.argv[2])
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n"
sys.exit(0 if len(d) == n and d == (line * (n // 64 + 1))[:n] else 1)
PY
      then ok "$label: 16 MiB streamed, every byte right"
      else bad "$label: 16 MiB: got $(stat -c %s "$tmp/b" 2>/dev/null) bytes $(cat "$tmp/err")"; fi
      cr -o "$tmp/b" "$base/?bytes=100001" 2>"$tmp/err"
      if [[ $(stat -c %s "$tmp/b") == 100001 ]]; then ok "$label: ?bytes=100001"; else bad "$label: ?bytes=100001: $(stat -c %s "$tmp/b")"; fi
      ;;
  esac
}

# Handlers and how to check them. The fetch-event JS handlers answer only the first request of an
# instance under jco serve, so they run there with --isolate-requests instance.
handlers=(
  "http_hello hello-c reuse"
  "http_echo echo reuse"
  "js_hello_wasi hello-js reuse"
  "js_hello hello-js fresh"
  "js_echo echo fresh"
  "js_fetch fetch fresh"
  "js_stream stream fresh"
)

serve_all() { # jco|kumo
  local how=$1 port=18190 entry name kind mode
  # Upstream for the fetch handler: the C hello handler served the same way.
  local up_cmd
  if [[ $how == jco ]]; then up_cmd=("$jco" serve "$w/http_hello.component.wasm" --host 127.0.0.1 --port 18199 --jco-dir "$tmp/jco-up")
  else up_cmd=("$kumo" serve "$w/http_hello.component.wasm" --addr 127.0.0.1:18199); fi
  local up=""
  if start_server 18199 "$tmp/up.log" "${up_cmd[@]}"; then up=$server_pid; else
    if unsupported "$tmp/up.log"; then later "$how serve: $(head -c 200 "$tmp/up.log")"; return; fi
    bad "$how serve (upstream http_hello) did not start: $(head -c 300 "$tmp/up.log")"
  fi
  for entry in "${handlers[@]}"; do
    read -r name kind mode <<<"$entry"
    local cmd
    if [[ $how == jco ]]; then
      cmd=("$jco" serve "$w/$name.component.wasm" --host 127.0.0.1 --port "$port" --jco-dir "$tmp/jco-$name")
      [[ $mode == fresh ]] && cmd+=(--isolate-requests instance)
    else
      # shellcheck disable=SC2206 # word splitting of the extra arguments is intended
      cmd=("$kumo" serve "$w/$name.component.wasm" --addr "127.0.0.1:$port" ${KUMO_SERVE_ARGS:-})
    fi
    if start_server "$port" "$tmp/$name.log" "${cmd[@]}"; then
      http_checks "$how serve $name" "$port" "$kind"
      stop_server "$server_pid"
    else
      bad "$how serve $name did not start: $(head -c 300 "$tmp/$name.log")"
    fi
    port=$((port + 1))
  done
  [[ -n "$up" ]] && stop_server "$up"
}

[[ $use_jco == 1 ]] && serve_all jco
[[ $kumo_serve == 1 ]] && serve_all kumo

echo "$pass passed, $fail failed, $pending pending"
[[ $fail == 0 ]]
