-- W2/W3 against Roster: GET /v1/kv/bench/<n mod keys>?<MODE> where MODE is consistent (default),
-- stale, or empty for Consul's default mode.
local counter = 0
local keys = tonumber(os.getenv("KEYS") or "1000")
local mode = os.getenv("MODE") or "consistent"
local q = mode == "" and "" or ("?" .. mode)
function request()
  counter = counter + 1
  return wrk.format("GET", "/v1/kv/bench/" .. (counter % keys) .. q)
end
