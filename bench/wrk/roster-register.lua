-- Registers NODES nodes x SERVICES services (one check per instance) through
-- PUT /v1/catalog/register, each request a distinct instance; threads split the instances and stop
-- when their share is done. wrk -t T -c C -d 3600s -s roster-register.lua http://HOST:PORT
-- Environment: NODES (default 10000), SERVICES (17), FIRST_NODE (0), THREADS (wrk's -t, default 2).
local nodes = tonumber(os.getenv("NODES") or "10000")
local services = tonumber(os.getenv("SERVICES") or "17")
local first_node = tonumber(os.getenv("FIRST_NODE") or "0")
local threads = tonumber(os.getenv("THREADS") or "2")
local total = nodes * services
local next_id = 0
function setup(thread)
  thread:set("lo", math.floor(total * next_id / threads))
  thread:set("hi", math.floor(total * (next_id + 1) / threads))
  next_id = next_id + 1
end
function init(args)
  n = lo
  sent_all = false
end
function request()
  if n >= hi then
    sent_all = true
    return wrk.format("GET", "/v1/status/leader")
  end
  local i = n
  n = n + 1
  local node = first_node + math.floor(i / services)
  local s = i % services
  local name = string.format("node-%05d", node)
  local id = string.format("svc-%d-%05d", s, node)
  local tags = '"v1"'
  if node % 50 == 0 then tags = '"v1","canary"' end
  local body = string.format(
    '{"Node":"%s","Address":"10.%d.%d.%d","NodeMeta":{"rack":"r%d","zone":"z%d"},' ..
    '"Service":{"ID":"%s","Service":"svc-%d","Tags":[%s],"Port":%d},' ..
    '"Check":{"CheckID":"service:%s","Name":"Service check","Status":"passing","ServiceID":"%s"}}',
    name, math.floor(node / 65536) % 256, math.floor(node / 256) % 256, node % 256, node % 20, node % 3,
    id, s, tags, 8000 + s, id, id)
  return wrk.format("PUT", "/v1/catalog/register", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if sent_all then
    wrk.thread:stop()
  end
end
