-- Transactions against Roster: PUT /v1/txn with two KV sets of distinct values each time.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local lib = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "lib.lua")
local b64 = lib.b64
function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end
function request()
  counter = counter + 1
  local k = counter % keys
  local body = '[{"KV":{"Verb":"set","Key":"txn/' .. k .. '/a","Value":"' .. b64(tid .. "a" .. counter) .. '"}},'
      .. '{"KV":{"Verb":"set","Key":"txn/' .. k .. '/b","Value":"' .. b64(tid .. "b" .. counter) .. '"}}]'
  return wrk.format("PUT", "/v1/txn", nil, body)
end
