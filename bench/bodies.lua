-- wrk script for bench/vouchers.py: sends prepared request bodies, each once, and counts the answers.
-- BODIES: a file of JSON bodies, one per line (a voucher to redeem, a payment to make); THREADS: wrk's
-- threads; AUTH: the bearer token; MARK: what every successful answer contains.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
  step = tonumber(os.getenv("THREADS"))
  index = offset + 1
  mark = os.getenv("MARK")
  done_ok, refused = 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("AUTH")
end

function request()
  local body = bodies[index] or '{"exhausted":true}'
  index = index + step
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, mark, 1, true) then
    done_ok = done_ok + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local ok, no = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("done_ok")
    no = no + thread:get("refused")
  end
  io.write(string.format("WRK %d %d %d %.6f %.3f %.3f\n", ok, no, summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
