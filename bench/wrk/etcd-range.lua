-- W2/W3 against etcd 3.4's v3 JSON gateway: POST /v3/kv/range; MODE=serializable for stale reads
-- (any member answers from its state), otherwise linearizable.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local serializable = (os.getenv("MODE") or "") == "serializable"
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
local bodies = {}
function request()
  counter = counter + 1
  local k = counter % keys
  local body = bodies[k]
  if not body then
    body = '{"key":"' .. b64("bench/" .. k) .. '"' .. (serializable and ',"serializable":true' or '') .. '}'
    bodies[k] = body
  end
  return wrk.format("POST", "/v3/kv/range", { ["Content-Type"] = "application/json" }, body)
end
