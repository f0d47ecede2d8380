-- GET /api/v1/identities/?identifier=<one of the seeded identities, at random>
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function request()
  return wrk.format("GET", "/api/v1/identities/?identifier=" .. random_identifier())
end
