-- wrk script for bench/vouchers.py: each connection's requests redeem distinct vouchers.
-- TOKENS: a file of tokens, one per line; BODY: "graphql" or "plain"; AUTH: the bearer token.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
  step = tonumber(os.getenv("THREADS"))
  index = offset + 1
  redeemed, refused = 0, 0
  graphql = os.getenv("BODY") == "graphql"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("AUTH")
end

function request()
  local token = tokens[index] or "EXHAUSTED"
  index = index + step
  local body
  if graphql then
    body = '{"query":"mutation($t: String!) { redeemVoucher(token: $t) { voucher { status } userErrors { code } } }","variables":{"t":"' .. token .. '"}}'
  else
    body = '{"token":"' .. token .. '"}'
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"REDEEMED"', 1, true) then
    redeemed = redeemed + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local ok, no = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("redeemed")
    no = no + thread:get("refused")
  end
  io.write(string.format("WRK %d %d %d %.6f %.3f %.3f\n", ok, no, summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
