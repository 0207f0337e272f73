-- wrk script shared by all scenarios (wrk 4.1.0).
-- Environment:
--   BENCH_HOST       Host header to send (default backend.bench.local)
--   BENCH_BODY_FILE  if set: POST this file's contents as the request body
--   BENCH_DELAY_MS   if set: wait this long before each next request on a connection
--                    (wrk's delay(); used for the "2,000 idle connections" trickle)
--   BENCH_OUT        file to append one JSON line with the results to
local host = os.getenv("BENCH_HOST") or "backend.bench.local"
wrk.headers["Host"] = host

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/octet-stream"
end

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if delay_ms and delay_ms > 0 then
  function delay()
    -- spread the trickle: between 0.5x and 1.5x the nominal delay
    return math.random(math.floor(delay_ms / 2), math.floor(delay_ms * 3 / 2))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local line = string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_status":%d,"err_timeout":%d,"lat_p50_us":%d,"lat_p99_us":%d,' ..
    '"lat_mean_us":%.1f,"lat_max_us":%d}',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max)
  local out = os.getenv("BENCH_OUT")
  if out and out ~= "" then
    local f = assert(io.open(out, "a"))
    f:write(line, "\n")
    f:close()
  end
  io.write("BENCH_RESULT ", line, "\n")
end
