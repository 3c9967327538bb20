-- wrk script of bench/http/soak: a fixed number of requests with mixed methods, paths and body
-- sizes against an echo handler (tests/components/wasm/http_echo or js_echo), checking each
-- response. Configured through the environment (set by bench/http/soak):
--   SOAK_REQUESTS   requests per wrk thread, then the thread stops
--   SOAK_OVERSIZE   body size sent by 1 request in 1000 to provoke 413 (0: none)
--   SOAK_DONE_DIR   where a thread that has done its requests leaves a file (see finished())
-- Each request's path carries the size of the body it sends (/soak/SIZE/N); the echo handler
-- returns the path in x-echo-path, so a response is checked against its own request even though
-- wrk's response() callback does not say which request it answers.

local per_thread = tonumber(os.getenv("SOAK_REQUESTS") or "1000")
local oversize = tonumber(os.getenv("SOAK_OVERSIZE") or "0")

-- Mixed sizes: mostly small, some medium, a few large (weights sum to 100).
-- Mean body about 7 KiB, so a million requests move about 7 GB each way.
local sizes = {
  {0, 35}, {16, 15}, {200, 15}, {1024, 12}, {4096, 10}, {16384, 8}, {65536, 4}, {262144, 1},
}
local bodies = {}
local function body_of(n)
  if not bodies[n] then
    local line = "soak-body-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-\n"
    local s = string.rep(line, math.floor(n / #line) + 1)
    bodies[n] = string.sub(s, 1, n)
  end
  return bodies[n]
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- wrk.thread:stop() ends a thread's loop, but wrk itself still sleeps for its whole -d duration:
-- a finished thread leaves a file in SOAK_DONE_DIR, and bench/http/soak interrupts wrk (SIGINT,
-- after which wrk prints its summary as usual) once every thread has left one.
local function finished()
  local dir = os.getenv("SOAK_DONE_DIR")
  if dir then
    local f = io.open(dir .. "/thread-" .. tostring(id), "w")
    if f then f:close() end
  end
  wrk.thread:stop()
end

function init(args)
  sent, received = 0, 0
  ok, bad_status, bad_length, provoked, unexpected = 0, 0, 0, 0, 0
  first_error = ""
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000))
end

function request()
  sent = sent + 1
  local n = 0
  if oversize > 0 and sent % 1000 == 500 then
    n = oversize
  else
    local r, acc = math.random(100), 0
    for _, e in ipairs(sizes) do
      acc = acc + e[2]
      if r <= acc then n = e[1]; break end
    end
  end
  local path = "/soak/" .. n .. "/" .. sent
  if n == 0 and sent % 2 == 0 then
    return wrk.format("GET", path)
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/octet-stream"}, body_of(n))
end

function response(status, headers, body)
  received = received + 1
  local p = headers["x-echo-path"] or headers["X-Echo-Path"] or ""
  local n = tonumber(p:match("^/soak/(%d+)/")) or -1
  if status == 413 and oversize > 0 then
    provoked = provoked + 1
  elseif status ~= 200 then
    bad_status = bad_status + 1
    if first_error == "" then first_error = "status " .. status .. " " .. string.sub(body or "", 1, 100) end
  elseif n < 0 or #body ~= n then
    bad_length = bad_length + 1
    if first_error == "" then first_error = "length " .. #body .. " for " .. p end
  else
    ok = ok + 1
  end
  if received == per_thread then finished() end
end

function done(summary, latency, requests)
  local t = {ok = 0, bad_status = 0, bad_length = 0, provoked = 0, first_error = ""}
  for _, th in ipairs(threads) do
    t.ok = t.ok + th:get("ok")
    t.bad_status = t.bad_status + th:get("bad_status")
    t.bad_length = t.bad_length + th:get("bad_length")
    t.provoked = t.provoked + th:get("provoked")
    local e = th:get("first_error")
    if t.first_error == "" and e ~= nil and e ~= "" then t.first_error = e end
  end
  io.write(string.format("SOAK ok=%d bad_status=%d bad_length=%d provoked=%d\n",
                         t.ok, t.bad_status, t.bad_length, t.provoked))
  io.write(string.format("SOAK first_error=%s\n", t.first_error))
  io.write(string.format("SOAK p50_us=%d p99_us=%d max_us=%d\n",
                         latency:percentile(50), latency:percentile(99), latency.max))
end
