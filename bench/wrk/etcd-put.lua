-- W1 against etcd 3.4's v3 JSON gateway: POST /v3/kv/put {key, value} (base64), a distinct value each time.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local pad = string.rep("x", tonumber(os.getenv("VALUE_BYTES") or "100"))
local lib = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "lib.lua")
local b64 = lib.b64
local keyCache = {}
function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end
function request()
  counter = counter + 1
  local k = counter % keys
  local kk = keyCache[k]
  if not kk then kk = b64("bench/" .. k); keyCache[k] = kk end
  local body = '{"key":"' .. kk .. '","value":"' .. b64(tid .. "-" .. counter .. pad) .. '"}'
  return wrk.format("POST", "/v3/kv/put", { ["Content-Type"] = "application/json" }, body)
end
