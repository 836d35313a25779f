-- W2/W3 against etcd 3.4's v3 JSON gateway: POST /v3/kv/range; MODE=serializable for stale reads
-- (any member answers from its state), otherwise linearizable.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local serializable = (os.getenv("MODE") or "") == "serializable"
local lib = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "lib.lua")
local b64 = lib.b64
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
