-- Shared by the load scripts: a random generator seeded per wrk thread, and the number of
-- seeded identities (the first argument after `--`).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

identities = 10000
function init(args)
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  identities = tonumber(args[1]) or identities
end

function random_identifier()
  return "user-" .. math.random(0, identities - 1)
end
