-- Transactions against Roster: PUT /v1/txn with two KV sets of distinct values each time.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local b = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function b64(data)
  return ((data:gsub('.', function(x)
    local r, byte = '', x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if (#x < 6) then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return b:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end
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
