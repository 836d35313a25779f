package io.roster.agent.wan;

/**
 * How prepared queries fail over to other datacenters (HTTP {@code /v1/query/<q>/execute} and DNS
 * {@code <q>.query}): the datacenters nearest first as {@link WanRouter#datacentersByDistance}
 * orders them, and another datacenter's health entries of a service read over the WAN (10 s at
 * most per datacenter).
 */
public record WanFailover(WanRouter wan) implements io.roster.agent.query.PreparedQueries.Failover {
    @Override
    public java.util.List<String> datacentersByDistance() {
        return wan.datacentersByDistance();
    }

    @Override
    public java.util.List<io.roster.api.ServiceEntry> serviceHealth(String dc, String service, String token) {
        java.util.List<String[]> headers = new java.util.ArrayList<>();
        if (token != null && !token.isEmpty()) {
            headers.add(new String[] {"X-Consul-Token", token});
        }
        String path = "/v1/health/service/" + java.net.URLEncoder.encode(service, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
        io.roster.agent.rpc.RpcClient.Pending<io.roster.agent.rpc.RpcProtocol.HttpResponse> p =
                wan.forward(dc, new io.roster.agent.rpc.RpcProtocol.HttpRequest("GET", path, headers, new byte[0]), true);
        if (p == null) {
            return null;
        }
        try {
            io.roster.agent.rpc.RpcProtocol.HttpResponse r = p.future().get(10, java.util.concurrent.TimeUnit.SECONDS);
            if (r.status() != 200) {
                return null;
            }
            return java.util.List.of(io.roster.api.Json.mapper().readValue(r.body(), io.roster.api.ServiceEntry[].class));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.cancel();
            return null;
        } catch (Exception e) {
            p.cancel();
            return null;
        }
    }
}
