-- wrk sends each request of the file WRK_REQUESTS once, in order, over its connections,
-- and times them from the first sent to the last answered (LuaJIT's ffi reads the
-- monotonic clock). Then, until bench/common.py stops it, each connection waits: a
-- request no route accepts (OPTIONS /healthz: 405, not counted) every ten seconds at
-- most, so that the servers' CPU time is theirs. One wrk thread (-t1).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } vnform_timespec;
int clock_gettime(int clock, vnform_timespec *tp);
]]
local clock = ffi.new("vnform_timespec")

local function now()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local requests = {}
do
  local file = assert(io.open(os.getenv("WRK_REQUESTS"), "rb"))
  local data = file:read("*a")
  file:close()
  local at = 1
  while at <= #data do
    local newline = data:find("\n", at, true)
    local length = tonumber(data:sub(at, newline - 1))
    requests[#requests + 1] = data:sub(newline + 1, newline + length)
    at = newline + length + 1
  end
end

local idle = "OPTIONS /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
local sent, answered, started = 0, 0, nil
local counts = {}
statuses = ""  -- "status:count ...", once all are answered; read by done()
seconds = -1

-- wrk calls request() once before sending anything, to check what it returns: that
-- call gets the idle request, and the first one sent is the file's first.
local checked = false

request = function()
  if not checked then
    checked = true
    return idle
  end
  sent = sent + 1
  if sent == 1 then started = now() end
  if sent <= #requests then return requests[sent] end
  return idle
end

delay = function()
  if sent >= #requests then return 10000 end
  return 0
end

response = function(status, headers, body)
  if status == 405 then return end
  answered = answered + 1
  counts[status] = (counts[status] or 0) + 1
  if answered == #requests then
    seconds = now() - started
    for code, count in pairs(counts) do statuses = statuses .. " " .. code .. ":" .. count end
    io.stdout:write("vnform-wrk: done\n")
    io.stdout:flush()
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests_)
  for _, thread in ipairs(threads) do
    io.stdout:write("vnform-wrk: seconds " .. thread:get("seconds") .. "\n")
    io.stdout:write("vnform-wrk: statuses" .. thread:get("statuses") .. "\n")
  end
end
