package io.roster.agent.http;

import io.roster.agent.filter.Filter;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.ServiceEntry;
import io.roster.state.Store;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/health/*}: node, checks, service, state. */
final class HealthEndpoint {
    private final Store store;
    private final BlockingQuery blocking;
    private final String datacenter;

    /** {@code ?near=} sorting (set by {@link HttpServer}). */
    NearSort near = NearSort.NONE;

    HealthEndpoint(Store store, BlockingQuery blocking, String datacenter) {
        this.store = store;
        this.blocking = blocking;
        this.datacenter = datacenter;
    }

    void node(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing node name");
        Filter filter = Filters.filter(call, HealthCheck.class);
        blocking.serveShared(call, ws -> store.nodeChecks(ws, name), (c, r) -> {
            c.meta(r.index());
            c.json(Filters.apply(filter, r.value()));
        });
    }

    void checks(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing service name");
        Filter filter = Filters.filter(call, HealthCheck.class);
        blocking.serveShared(call, ws -> store.serviceIndex(ws, name), ws -> store.serviceChecks(ws, name),
                (c, r) -> checksOnMatchingNodes(c, r, filter));
    }

    void service(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing service name");
        boolean passing = Filters.passingOnly(call);
        Filter filter = Filters.filter(call, ServiceEntry.class);
        List<String> tags = call.params("tag");
        java.util.Map<String, String> meta = Filters.nodeMeta(call);
        // The indexes narrow by tag and node meta; the checks below stay the definition of a match.
        blocking.serveShared(call, ws -> store.serviceIndex(ws, name), ws -> store.serviceHealth(ws, name, tags, meta), (c, r) -> {
            List<ServiceEntry> out = new ArrayList<>();
            for (ServiceEntry e : r.value()) {
                if (!Filters.tagsMatch(c, e.service().tags()) || !Filters.nodeMetaMatches(c, e.node())) {
                    continue;
                }
                if (passing && !e.checks().stream().allMatch(hc -> hc.status().equals(HealthCheck.PASSING))) {
                    continue;
                }
                Node n = e.node();
                if (n.datacenter().isEmpty()) {
                    n = new Node(n.id(), n.node(), n.address(), datacenter, n.taggedAddresses(), n.meta(),
                            n.createIndex(), n.modifyIndex());
                }
                out.add(new ServiceEntry(n, e.service(), e.checks()));
            }
            c.meta(r.index());
            c.json(near.apply(c, Filters.apply(filter, out), e -> e.node().node()));
        });
    }

    void state(Call call) {
        String state = call.rest();
        if (!List.of("any", HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL).contains(state)) {
            throw HttpError.badRequest("Invalid check state \"" + state + "\": use any, passing, warning or critical");
        }
        Filter filter = Filters.filter(call, HealthCheck.class);
        boolean byNodeMeta = !call.params("node-meta").isEmpty();
        // With ?node-meta= the answer also depends on the nodes' meta: watch the node list too and
        // report the higher of the two table indexes, so a node that starts matching wakes the read.
        blocking.serveShared(call, ws -> {
            Store.Read<List<HealthCheck>> checks = store.checksInState(ws, state);
            return byNodeMeta ? new Store.Read<>(checks.value(), Math.max(checks.index(), store.nodes(ws).index())) : checks;
        }, (c, r) -> checksOnMatchingNodes(c, r, filter));
    }

    /** Answers the checks whose node matches every {@code ?node-meta=} (each node read once) and that pass {@code filter}. */
    private void checksOnMatchingNodes(Call c, Store.Read<List<HealthCheck>> r, Filter filter) {
        List<HealthCheck> out = new ArrayList<>();
        if (c.params("node-meta").isEmpty()) {
            out.addAll(r.value());
        } else {
            java.util.Map<String, Boolean> matches = new java.util.HashMap<>();
            for (HealthCheck hc : r.value()) {
                boolean ok = matches.computeIfAbsent(hc.node(), n -> {
                    Store.NodeInfo info = store.node(io.roster.state.WatchSet.NONE, n).value();
                    return Filters.nodeMetaMatches(c, info == null ? null : info.node());
                });
                if (ok) {
                    out.add(hc);
                }
            }
        }
        c.meta(r.index());
        List<HealthCheck> visible = AclFilter.list(c, out, "node", "read", HealthCheck::node);
        visible = AclFilter.list(c, visible, "service", "read", hc -> hc.serviceName() == null ? "" : hc.serviceName());
        c.json(Filters.apply(filter, visible));
    }
}
