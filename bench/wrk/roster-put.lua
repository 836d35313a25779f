-- W1 against Roster: PUT /v1/kv/bench/<n mod keys> with a distinct value on every request
-- (an identical write would be a no-op). wrk -s roster-put.lua http://HOST:PORT
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local pad = string.rep("x", tonumber(os.getenv("VALUE_BYTES") or "100"))
function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end
function request()
  counter = counter + 1
  return wrk.format("PUT", "/v1/kv/bench/" .. (counter % keys), nil, tid .. "-" .. counter .. pad)
end
