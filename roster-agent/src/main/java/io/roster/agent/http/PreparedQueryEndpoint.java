package io.roster.agent.http;

import io.roster.agent.query.PreparedQueries;
import io.roster.agent.server.StateServer;
import io.roster.api.Node;
import io.roster.api.PreparedQuery;
import io.roster.api.ServiceEntry;
import io.roster.state.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/query} (create, list) and {@code /v1/query/<id>} (read, update, delete),
 * {@code /v1/query/<id|name>/execute} and {@code /explain}, as Consul's HTTP API answers them:
 * create answers {@code {"ID": ...}}, update and delete an empty 200, a missing query 404
 * {@code Query not found}, a refused definition 500 with Consul's text.
 */
final class PreparedQueryEndpoint {
    private static final long MAX_BODY = 512 * 1024;
    /**
     * Sent by a client agent that forwards an execute: its node, which a query's {@code Near: _agent}
     * means (Consul passes the agent's node in the RPC). Only the sort order depends on it.
     */
    static final String AGENT_NODE_HEADER = "X-Roster-Agent-Node";
    private static final Set<String> SPECIFIC = Set.of("GET", "HEAD", "PUT", "DELETE");

    private final Store store;
    private final BlockingQuery blocking;
    private final String datacenter;
    private final String nodeName;
    private final PreparedQueries queries;

    PreparedQueryEndpoint(StateServer server, BlockingQuery blocking, String datacenter, String nodeName) {
        this.store = server.store();
        this.blocking = blocking;
        this.datacenter = datacenter;
        this.nodeName = nodeName;
        this.queries = new PreparedQueries(server.replicator(), store, Filters.consulSchema(ServiceEntry.class),
                WireJson::tree);
    }

    /** Fails queries over to other datacenters through {@code wan} (null: never). */
    PreparedQueryEndpoint withFailover(io.roster.agent.wan.WanRouter wan) {
        if (wan != null) {
            queries.withFailover(new io.roster.agent.wan.WanFailover(wan));
        }
        return this;
    }

    /** The methods each route is registered with; the specific route checks per sub-path itself. */
    static Set<String> generalMethods() {
        return Set.of("GET", "HEAD", "POST");
    }

    static Set<String> specificMethods() {
        return Set.of("GET", "HEAD", "PUT", "DELETE", "POST");
    }

    /** {@code /v1/query}: POST creates, GET lists. */
    void general(Call call) {
        if (call.method().equals("POST")) {
            PreparedQuery q = body(call);
            queries.create(q == null ? new PreparedQuery(null, null, null, null, null, null, null, 0, 0) : q)
                    .whenComplete((r, err) -> Writes.answer(call, r, err));
            return;
        }
        blocking.serve(call, store::preparedQueries, (c, r) -> {
            c.meta(r.index());
            c.json(AclFilter.list(c, r.value(), "query", "read", PreparedQuery::name));
        });
    }

    /** {@code /v1/query/<id>}, {@code .../execute}, {@code .../explain}. */
    void specific(Call call) {
        String rest = call.rest();
        if (rest.endsWith("/execute") || rest.endsWith("/explain")) {
            if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
                call.responseHeaders().put("Allow", "GET");
                throw new HttpError(405, "method " + call.method() + " not allowed");
            }
            String name = rest.substring(0, rest.length() - "/execute".length());
            try {
                if (rest.endsWith("/execute")) {
                    execute(call, name);
                } else {
                    PreparedQueries.Resolved r = queries.resolve(name);
                    call.meta(r.index());
                    call.json(Map.of("Query", r.query()));
                }
            } catch (PreparedQueries.QueryError e) {
                // Consul sets the query meta on these answers too (clients read X-Consul-Index from a 404).
                call.meta(store.preparedQueries(io.roster.state.WatchSet.NONE).index());
                call.error(e.status(), e.getMessage());
            }
            return;
        }
        if (!SPECIFIC.contains(call.method())) {
            call.responseHeaders().put("Allow", "GET,PUT,DELETE");
            throw new HttpError(405, "method " + call.method() + " not allowed");
        }
        String id = rest;
        switch (call.method()) {
            case "PUT" -> {
                PreparedQuery q = body(call);
                queries.update(id, q == null ? new PreparedQuery(null, null, null, null, null, null, null, 0, 0) : q)
                        .whenComplete((r, err) -> written(call, r, err));
            }
            case "DELETE" -> queries.delete(id).whenComplete((r, err) -> written(call, r, err));
            default -> blocking.serve(call, ws -> store.preparedQuery(ws, id), (c, r) -> {
                c.meta(r.index());
                if (r.value() == null) {
                    c.error(404, PreparedQueries.NOT_FOUND);
                    return;
                }
                c.json(List.of(r.value()));
            });
        }
    }

    private static void written(Call call, io.roster.state.ApplyResult r, Throwable err) {
        if (err == null && !r.rejected()) {
            call.empty(200);
        } else {
            Writes.answer(call, r, err);
        }
    }

    private static PreparedQuery body(Call call) {
        return call.json(PreparedQuery.class, MAX_BODY);
    }

    private void execute(Call call, String name) {
        int limit = 0;
        String l = call.param("limit");
        if (l != null && !l.isEmpty()) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw new HttpError(500, "Bad limit: strconv.Atoi: parsing \"" + l + "\": invalid syntax");
            }
        }
        String agent = call.header(AGENT_NODE_HEADER);
        PreparedQueries.Result r = queries.execute(name, agent == null || agent.isEmpty() ? nodeName : agent,
                call.param("near"), sourceIp(call), limit, datacenter);
        List<ServiceEntry> nodes = new ArrayList<>(r.nodes().size());
        for (ServiceEntry e : r.nodes()) {
            Node n = e.node();
            if (n.datacenter().isEmpty()) {
                n = new Node(n.id(), n.node(), n.address(), r.datacenter(), n.taggedAddresses(), n.meta(), n.createIndex(),
                        n.modifyIndex());
            }
            nodes.add(new ServiceEntry(n, e.service(), e.checks()));
        }
        call.meta(r.index());
        ExecuteResponse answer = new ExecuteResponse(r.service(), nodes, r.dns(), r.datacenter(), r.failovers());
        if (translateWan && !r.datacenter().equals(datacenter)) {
            // Failed over to another datacenter: translate_wan_addrs applies, as Consul's agent does it.
            call.responseHeaders().put("X-Consul-Translate-Addresses", "true");
            call.bytes(200, Call.JSON, Forwarder.translate(WireJson.write(answer)));
            return;
        }
        call.json(answer);
    }

    /** {@code translate_wan_addrs} on this agent (a server asked directly). */
    boolean translateWan;

    /** Consul's {@code PreparedQueryExecuteResponse}. */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"Service", "Nodes", "DNS", "Datacenter", "Failovers"})
    record ExecuteResponse(@com.fasterxml.jackson.annotation.JsonProperty("Service") String service,
                           @com.fasterxml.jackson.annotation.JsonProperty("Nodes") List<ServiceEntry> nodes,
                           @com.fasterxml.jackson.annotation.JsonProperty("DNS") PreparedQuery.Dns dns,
                           @com.fasterxml.jackson.annotation.JsonProperty("Datacenter") String datacenter,
                           @com.fasterxml.jackson.annotation.JsonProperty("Failovers") int failovers) {
    }

    /** The asker's address for {@code Near: _ip}: the first {@code X-Forwarded-For} hop, else the peer. */
    private static String sourceIp(Call call) {
        String xff = call.header("X-Forwarded-For");
        if (xff != null && !xff.isBlank()) {
            return xff.split(",")[0].strip();
        }
        String remote = call.request().remoteAddr();
        return remote == null || remote.isEmpty() ? null : remote;
    }
}
