-- POST /api/v1/identities/ for a seeded identity at random, with 3 traits: two as seeded
-- (unchanged) and one that changes on every request, so each request writes one trait.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local plans = { "free", "pro", "team", "enterprise" }

function request()
  local n = math.random(0, identities - 1)
  local body = string.format(
    '{"identifier":"user-%d","traits":[{"trait_key":"plan","trait_value":"%s"},'
      .. '{"trait_key":"age","trait_value":%d},{"trait_key":"visits","trait_value":%d}]}',
    n, plans[n % 4 + 1], 18 + n % 60, math.random(1, 1000000))
  return wrk.format(nil, "/api/v1/identities/", nil, body)
end
