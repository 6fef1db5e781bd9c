-- wrk script for bench/http_load.py: each connection scrolls its own accounts' feeds page after page.
-- Run with as many threads as connections (one connection per thread), so a response always answers
-- the thread's last request and its cursor belongs to that account. Tokens come one per line from the
-- file named by the TOKENS environment variable; the summary is printed as one JSON line.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("THREADS"))
  mine, cursors, pages, turn = {}, {}, 0, 0
  local line_number = 0
  for token in io.lines(os.getenv("TOKENS")) do
    if line_number % count == id then
      table.insert(mine, token)
    end
    line_number = line_number + 1
  end
  errors_seen = 0
end

function request()
  turn = turn % #mine + 1
  current = mine[turn]
  local path = "/v1/feed?n=20"
  if cursors[current] then
    path = path .. "&cursor=" .. cursors[current]
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. current })
end

function response(status, headers, body)
  if status == 200 then
    cursors[current] = body:match('"next_cursor":"([%w_%-=]+)"')
    pages = pages + 1
  else
    errors_seen = errors_seen + 1
  end
end

function done(summary, latency, requests)
  local pages_total, errors_total = 0, 0
  for _, thread in ipairs(threads) do
    pages_total = pages_total + thread:get("pages")
    errors_total = errors_total + thread:get("errors_seen")
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "pages": %d, "errors": %d, "socket_errors": %d, '
      .. '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, pages_total, errors_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000
  ))
end
