-- Blocking-query fan-out against Roster: every connection long-polls GET /v1/kv/<KEY>?index=<last
-- X-Consul-Index seen>&wait=<WAIT>, so one write to KEY wakes all of them (the soak's probe writes it).
local key = os.getenv("KEY") or "probe"
local wait = os.getenv("WAIT") or "5s"
local index = 0
function request()
  return wrk.format("GET", "/v1/kv/" .. key .. "?index=" .. index .. "&wait=" .. wait)
end
function response(status, headers, body)
  local i = tonumber(headers["X-Consul-Index"] or "")
  if i and i > index then index = i end
end
