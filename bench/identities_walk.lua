-- GET /api/v1/identities/?identifier=<each seeded identity in turn>: reads every identity, to
-- warm the identity cache before the random reads are measured.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local next_identity = nil

function request()
  next_identity = ((next_identity or math.random(0, identities - 1)) + 1) % identities
  return wrk.format("GET", "/api/v1/identities/?identifier=user-" .. next_identity)
end
