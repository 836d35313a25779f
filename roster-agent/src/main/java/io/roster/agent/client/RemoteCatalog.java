package io.roster.agent.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.roster.agent.local.CatalogAccess;
import io.roster.agent.rpc.RpcClient;
import io.roster.agent.rpc.RpcProtocol;
import io.roster.api.CatalogDeregistration;
import io.roster.api.CatalogRegistration;
import io.roster.api.HealthCheck;
import io.roster.api.Json;
import io.roster.api.NodeService;
import io.roster.api.RosterClient;
import io.roster.state.Command;
import io.roster.state.Store;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server's catalog for a client agent's anti-entropy: the catalog endpoints
 * ({@code /v1/catalog/*}, {@code /v1/health/node}) asked over the server RPC ({@link RpcClient}),
 * which picks the server and fails over. A server that answers with an error status is a real
 * error (thrown, no failover).
 */
public final class RemoteCatalog implements CatalogAccess {
    private static final long TIMEOUT_SECONDS = 60;
    private final RpcClient rpc;
    private final String datacenter;
    private volatile int lastNodeCount = 1;
    /** The agent's ACL token ({@code acl.tokens.agent}) its anti-entropy writes and reads carry; "" for none. */
    private volatile java.util.function.Supplier<String> token = () -> "";

    public RemoteCatalog(RpcClient rpc, String datacenter) {
        this.rpc = rpc;
        this.datacenter = datacenter;
    }

    /** Anti-entropy and catalog reads carry the agent token from now on. */
    public RemoteCatalog withToken(java.util.function.Supplier<String> agentToken) {
        this.token = agentToken;
        return this;
    }

    private byte[] call(String method, String pathQuery, Object body) throws Exception {
        byte[] b = body == null ? new byte[0] : Json.write(body);
        List<String[]> headers = new java.util.ArrayList<>(2);
        if (body != null) {
            headers.add(new String[] {"Content-Type", "application/json"});
        }
        String t = token.get();
        if (t != null && !t.isEmpty()) {
            headers.add(new String[] {"X-Consul-Token", t});
        }
        RpcClient.Pending<RpcProtocol.HttpResponse> p = rpc.forward(
                new RpcProtocol.HttpRequest(method, pathQuery, headers, b), method.equals("GET"));
        RpcProtocol.HttpResponse r;
        try {
            r = p.future().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } catch (TimeoutException e) {
            p.cancel();
            throw new IllegalStateException("rpc error: no answer from a server in " + TIMEOUT_SECONDS + "s");
        }
        if (r.status() == 404 && method.equals("GET")) {
            return null;
        }
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("Unexpected response code: " + r.status() + " ("
                    + new String(r.body(), StandardCharsets.UTF_8).strip() + ")");
        }
        return r.body();
    }

    private static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public Store.NodeInfo node(String name) throws Exception {
        byte[] b = call("GET", "/v1/catalog/node/" + seg(name), null);
        RosterClient.CatalogNode n = b == null || b.length == 0 ? null : Json.mapper().readValue(b, RosterClient.CatalogNode.class);
        if (n == null || n.node() == null) {
            return null;
        }
        List<NodeService> services = n.services() == null ? List.of() : new ArrayList<>(n.services().values());
        return new Store.NodeInfo(n.node(), services);
    }

    @Override
    public List<HealthCheck> nodeChecks(String name) throws Exception {
        byte[] b = call("GET", "/v1/health/node/" + seg(name), null);
        return b == null ? List.of() : Json.mapper().readValue(b, new TypeReference<List<HealthCheck>>() { });
    }

    @Override
    public int nodeCount() {
        try {
            byte[] b = call("GET", "/v1/catalog/nodes", null);
            if (b != null) {
                lastNodeCount = Json.mapper().readTree(b).size();
            }
        } catch (Exception e) {
            // keep the last count: this only scales the sync interval
        }
        return lastNodeCount;
    }

    @Override
    public void apply(Command c) throws Exception {
        if (c instanceof Command.CatalogRegister r) {
            io.roster.api.Node n = r.node();
            CatalogRegistration body = new CatalogRegistration(n.id(), n.node(), n.address(), datacenter,
                    n.taggedAddresses(), n.meta(), r.service(), null, r.checks().isEmpty() ? null : r.checks(),
                    r.skipNodeUpdate() ? Boolean.TRUE : null);
            call("PUT", "/v1/catalog/register", body);
        } else if (c instanceof Command.CatalogDeregister d) {
            call("PUT", "/v1/catalog/deregister", new CatalogDeregistration(d.node(), datacenter, d.checkId(), d.serviceId()));
        } else {
            throw new IllegalArgumentException("not a catalog command: " + c.type());
        }
    }
}
