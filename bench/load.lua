-- wrk script: spreads the requests over the paths given after `--` (one per line in a file, or one path), sends the
-- session cookie, and prints the figures as one JSON line (wrk's own summary has no p95).
local paths = {}
local counter = 0

function init(args)
  local file = io.open(args[1], "r")
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  if args[2] and #args[2] > 0 then wrk.headers["Cookie"] = args[2] end
  if args[3] and #args[3] > 0 then wrk.headers["Authorization"] = args[3] end
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"errors": %d, "bad_status": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
