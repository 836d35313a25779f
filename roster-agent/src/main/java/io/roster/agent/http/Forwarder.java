package io.roster.agent.http;

import io.roster.agent.rpc.RpcClient;
import io.roster.agent.rpc.RpcProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A client agent's HTTP API for everything that is not its own ({@code /v1/agent/*},
 * {@code /v1/event/*}, {@code /v1/operator/keyring}): the request goes, as it came (method, path,
 * query, token, body), over the server RPC ({@link RpcClient}: a server's server port, never its
 * HTTP address) to an alive server learned from gossip, which answers it with its own handlers;
 * the answer comes back (status, body, {@code X-Consul-*} headers). Asynchronous: a parked
 * blocking query holds no thread here; a request Jetty reports as failed cancels its forwarded call.
 * With no server known, {@code 500 No known Consul servers}, as Consul answers; with none
 * reachable, {@code 500 rpc error: ...} (the RPC's own one-line message; any other failure gets a
 * fixed line, {@link #failure}, never an exception's text).
 */
final class Forwarder implements Endpoint {
    private static final long MAX_BODY = 64L * 1024 * 1024;

    /** Sends one request; null when there is nowhere to send it. */
    interface Sender {
        RpcClient.Pending<RpcProtocol.HttpResponse> send(RpcProtocol.HttpRequest request, boolean read);
    }

    private final Sender rpc;
    /** The answer when no server received the request (another datacenter's), or null for the RPC's own message. */
    private final String unreached;

    Forwarder(RpcClient rpc) {
        this(rpc::forward, null);
    }

    /**
     * A forwarder to another datacenter: {@code unreached} ({@code No path to datacenter}) is the
     * answer when the sender has no server, or no server of it received the request.
     */
    Forwarder(Sender sender, String unreached) {
        this.rpc = sender;
        this.unreached = unreached;
    }

    /** The agent's default ACL token (now), sent for a caller that presented none; "" for none. */
    private java.util.function.Supplier<String> defaultToken = () -> "";

    /** A client agent's requests without a token carry its {@code default} token, as Consul's client agents do. */
    Forwarder withDefaultToken(java.util.function.Supplier<String> token) {
        this.defaultToken = token;
        return this;
    }

        /** {@code translate_wan_addrs}: answers from another datacenter give nodes' and services' {@code wan} addresses. */
    private boolean translateWan;

    /** This forwarder carries requests for another datacenter, translated as {@code translate_wan_addrs} asks. */
    Forwarder withWanTranslation(boolean on) {
        this.translateWan = on;
        return this;
    }

    /** With {@code translate_wan_addrs}: this agent's datacenter, for query executions answered by another one (null: off). */
    private String failoverFrom;

    /**
     * A client agent's own requests: a prepared query executed by its servers whose answer came from
     * another datacenter (failover) is translated as {@code translate_wan_addrs} asks.
     */
    Forwarder withFailoverTranslation(String localDatacenter) {
        this.failoverFrom = localDatacenter;
        return this;
    }

    /** Whether an execute answer names another datacenter than {@code local}. */
    private static boolean answeredElsewhere(byte[] body, String local) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = io.roster.api.Json.mapper().readTree(body);
            String dc = n == null ? "" : n.path("Datacenter").asText("");
            return !dc.isEmpty() && !dc.equals(local);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The routes whose answers Consul translates to WAN addresses (catalog and health service/node reads, query execute). */
    static boolean translates(String path) {
        return path.startsWith("/v1/catalog/service/") || path.startsWith("/v1/catalog/node/")
                || path.startsWith("/v1/health/service/") || path.startsWith("/v1/query/") && path.endsWith("/execute");
    }

    /**
     * Consul's {@code TranslateAddress}, {@code TranslateServiceAddress} and
     * {@code TranslateServicePort} as its HTTP answers apply them (any address family accepted): in
     * every node (an object with {@code Address} and {@code TaggedAddresses}) and service
     * ({@code ServiceAddress} with {@code ServiceTaggedAddresses}, or {@code Address} with
     * service-shaped {@code TaggedAddresses}) of the answer, the address becomes the
     * {@code wan_ipv6} (else {@code lan_ipv6}), else {@code wan_ipv4} (else {@code lan_ipv4}) tagged
     * address, else the {@code wan} one; a service's port becomes its {@code wan} tagged port when
     * that is set.
     */
    static byte[] translate(byte[] body) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = io.roster.api.Json.mapper().readTree(body);
            if (n == null) {
                return body;
            }
            walk(n);
            return io.roster.api.Json.mapper().writeValueAsBytes(n);
        } catch (java.io.IOException e) {
            return body;
        }
    }

    private static void walk(com.fasterxml.jackson.databind.JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            swap(o, "Address", "TaggedAddresses", "Port");
            swap(o, "ServiceAddress", "ServiceTaggedAddresses", "ServicePort");
            o.elements().forEachRemaining(Forwarder::walk);
        } else if (n.isArray()) {
            n.elements().forEachRemaining(Forwarder::walk);
        }
    }

    /** A tagged address: a node's is a string, a service's an object with {@code Address}. */
    private static String tagged(com.fasterxml.jackson.databind.JsonNode tagged, String key) {
        com.fasterxml.jackson.databind.JsonNode v = tagged.get(key);
        return v == null ? "" : v.isTextual() ? v.asText() : v.path("Address").asText("");
    }

    private static void swap(com.fasterxml.jackson.databind.node.ObjectNode o, String addressField, String taggedField,
                             String portField) {
        com.fasterxml.jackson.databind.JsonNode tagged = o.get(taggedField);
        if (!o.has(addressField) || tagged == null || !tagged.isObject()) {
            return;
        }
        String def = tagged.has("wan") ? tagged(tagged, "wan") : o.get(addressField).asText("");
        String v4 = tagged(tagged, tagged.has("wan_ipv4") ? "wan_ipv4" : "lan_ipv4");
        String v6 = tagged(tagged, tagged.has("wan_ipv6") ? "wan_ipv6" : "lan_ipv6");
        String picked = !v6.isEmpty() ? v6 : !v4.isEmpty() ? v4 : def;
        if (!picked.isEmpty()) {
            o.put(addressField, picked);
        }
        com.fasterxml.jackson.databind.JsonNode wan = tagged.get("wan");
        if (wan != null && wan.isObject() && wan.path("Port").asInt(0) != 0 && o.has(portField)) {
            o.put(portField, wan.path("Port").asInt());
        }
    }

    /** This client agent's node: {@code ?near=_agent} means it, not the server that answers. */
    private String agentNode = "";

    Forwarder withAgentNode(String node) {
        this.agentNode = node == null ? "" : node;
        return this;
    }

    /** {@code near=_agent} replaced by this agent's node name (Consul's agents do it before their RPC). */
    static String resolveNearAgent(String query, String node) {
        if (node.isEmpty() || !query.contains("near=_agent")) {
            return query;
        }
        String enc = java.net.URLEncoder.encode(node, java.nio.charset.StandardCharsets.UTF_8);
        return query.replaceAll("(^|&)near=_agent(?=&|$)", "$1near=" + java.util.regex.Matcher.quoteReplacement(enc));
    }

    /**
     * The one line a client gets for a forwarded call that failed other than as an RPC error (a
     * timeout, a cancelled call, a fault in this agent): never the exception's class or message,
     * which could name a Java class.
     */
    static String failure(Throwable cause) {
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return "rpc error: timeout waiting for the server's answer";
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return "rpc error: request cancelled";
        }
        return "rpc error: the request could not be forwarded";
    }

    @Override
    public void handle(Call call) {
        String method = call.method();
        byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0]
                : call.body(MAX_BODY, "Request body(%d bytes) too large, max size: " + MAX_BODY + " bytes");
        String pathQuery = call.request().rawPath();
        String q = call.request().rawQuery();
        if (q != null && !q.isEmpty()) {
            pathQuery += "?" + resolveNearAgent(q, agentNode);
        }
        List<String[]> headers = new ArrayList<>(2);
        for (String h : RpcProtocol.REQUEST_HEADERS) {
            String v = call.header(h);
            if (v != null) {
                headers.add(new String[] {h, v});
            }
        }
        if (call.request().token().isEmpty()) {
            String t = defaultToken.get();
            if (!t.isEmpty()) {
                headers.add(new String[] {"X-Consul-Token", t});
            }
        }
        if (!agentNode.isEmpty() && call.path().startsWith("/v1/query/")) {
            // A query's stored Near "_agent" means this client agent, not the server that executes it.
            headers.add(new String[] {PreparedQueryEndpoint.AGENT_NODE_HEADER, agentNode});
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        RpcClient.Pending<RpcProtocol.HttpResponse> p = rpc.send(new RpcProtocol.HttpRequest(method, pathQuery, headers, body), read);
        if (p == null) {
            call.error(500, unreached == null ? "No known Consul servers" : unreached);
            return;
        }
        call.onCancel(p::cancel);
        p.future().whenComplete((r, err) -> {
            if (err != null) {
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                String msg = cause instanceof RpcClient.RpcException ? cause.getMessage() : failure(cause);
                if (unreached != null && cause instanceof RpcClient.RpcException re && !re.reached()) {
                    msg = unreached;
                }
                try {
                    call.error(500, msg);
                } catch (RuntimeException gone) {
                    // the caller went away
                }
                return;
            }
            for (String[] h : r.headers()) {
                String name = h[0];
                if (name.regionMatches(true, 0, "X-Consul-", 0, 9) || name.equalsIgnoreCase("Vary")
                        || name.equalsIgnoreCase("Allow")) {
                    call.responseHeaders().add(name, h[1]);
                }
            }
            boolean failedOver = failoverFrom != null && r.status() == 200 && call.path().startsWith("/v1/query/")
                    && call.path().endsWith("/execute") && answeredElsewhere(r.body(), failoverFrom);
            if (translateWan || failedOver) {
                call.responseHeaders().put("X-Consul-Translate-Addresses", "true");
                if (r.status() == 200 && translates(call.path())) {
                    call.bytes(r.status(), r.contentType() == null ? "application/json" : r.contentType(), translate(r.body()));
                    return;
                }
            }
            if (r.contentType() == null && r.body().length == 0) {
                call.empty(r.status());
            } else {
                call.bytes(r.status(), r.contentType() == null ? "application/octet-stream" : r.contentType(), r.body());
            }
        });
    }
}
