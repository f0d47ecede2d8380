-- POST /ofrep/v1/evaluate/flags: every flag for a seeded identity at random (its stored
-- traits count) plus two transient context attributes.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local countries = { "de", "fr", "us", "ca", "gb", "nl", "br", "jp" }

function request()
  local body = string.format(
    '{"context":{"targetingKey":"%s","country":"%s","app_version":"2.%d.0"}}',
    random_identifier(), countries[math.random(1, #countries)], math.random(0, 9))
  return wrk.format(nil, "/ofrep/v1/evaluate/flags", nil, body)
end
