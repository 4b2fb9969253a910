-- wrk script for tests/bench/run.py: one page's requests from a file, errors counted honestly.
--
--   wrk -t1 -c16 -d10s -s bench.lua http://127.0.0.1:PORT -- REQUESTS_FILE MODE
--
-- REQUESTS_FILE has one request a line: METHOD \t PATH \t COOKIE \t ACCEPT \t BODY (cookie
-- and body may be empty; a body is sent form-encoded). MODE "random" picks a line at random
-- for each request; "once" sends each line once, in order, and stops when they run out (a
-- quiz attempt takes one submission). Meant for one thread (-t1).
--
-- An error is a status of 400 or more, or a redirect to the sign-in page (a signed-in page
-- that lost its session); wrk adds its socket errors and timeouts. The summary goes to stdout
-- as one line: BENCH_JSON {...}.

-- wrk times a run by its -d even when a thread stops early, so "once" mode keeps its own
-- clock (CLOCK_MONOTONIC through LuaJIT's FFI): from the first request to the last answer.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function seconds()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local requests = {}
local mode = "random"
local position = 0
local first_sent = nil
-- Globals, so done() can read them from each thread.
bad = 0
elapsed = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode = args[2] or "random"
  for line in io.lines(args[1]) do
    local method, path, cookie, accept, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = { ["Accept"] = accept }
    if cookie ~= "" then headers["Cookie"] = cookie end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  math.randomseed(os.time())
end

function request()
  if mode == "once" then
    first_sent = first_sent or seconds()
    position = position + 1
    if position >= #requests then
      -- The last one goes out; whatever is still in flight then is not counted.
      wrk.thread:stop()
    end
    return requests[math.min(position, #requests)]
  end
  return requests[math.random(#requests)]
end

function response(status, headers, body)
  if first_sent then
    elapsed = seconds() - first_sent
  end
  if status >= 400 then
    bad = bad + 1
  elseif status >= 300 then
    local location = headers["Location"] or headers["location"] or ""
    if location:find("/login", 1, true) then
      bad = bad + 1
    end
  end
end

function done(summary, latency, requests)
  local counted, duration = 0, summary.duration
  for _, thread in ipairs(threads) do
    counted = counted + (thread:get("bad") or 0)
    local own = thread:get("elapsed") or 0
    if own > 0 then -- "once" mode (random mode never sets it)
      duration = math.floor(own * 1e6)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bad": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d}\n',
    summary.requests, duration, counted, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50.0), latency:percentile(95.0)
  ))
end
