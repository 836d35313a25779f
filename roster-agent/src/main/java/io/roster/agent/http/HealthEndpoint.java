package io.roster.agent.http;

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

    HealthEndpoint(Store store, BlockingQuery blocking, String datacenter) {
        this.store = store;
        this.blocking = blocking;
        this.datacenter = datacenter;
    }

    void node(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing node name");
        blocking.serve(call, ws -> store.nodeChecks(ws, name), (c, r) -> {
            c.meta(r.index());
            c.json(r.value());
        });
    }

    void checks(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing service name");
        boolean filterMeta = !call.params("node-meta").isEmpty();
        blocking.serve(call, ws -> store.serviceChecks(ws, name), (c, r) -> {
            List<HealthCheck> out = new ArrayList<>();
            for (HealthCheck hc : r.value()) {
                if (!filterMeta || Filters.nodeMetaMatches(c, store.node(io.roster.state.WatchSet.NONE, hc.node()).value() == null
                        ? null : store.node(io.roster.state.WatchSet.NONE, hc.node()).value().node())) {
                    out.add(hc);
                }
            }
            c.meta(r.index());
            c.json(out);
        });
    }

    void service(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing service name");
        boolean passing = Filters.passingOnly(call);
        blocking.serve(call, ws -> store.serviceHealth(ws, name), (c, r) -> {
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
            c.json(out);
        });
    }

    void state(Call call) {
        String state = call.rest();
        if (!List.of("any", HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL).contains(state)) {
            throw HttpError.badRequest("Invalid check state \"" + state + "\": use any, passing, warning or critical");
        }
        boolean filterMeta = !call.params("node-meta").isEmpty();
        blocking.serve(call, ws -> store.checksInState(ws, state), (c, r) -> {
            List<HealthCheck> out = new ArrayList<>();
            for (HealthCheck hc : r.value()) {
                Store.NodeInfo info = filterMeta ? store.node(io.roster.state.WatchSet.NONE, hc.node()).value() : null;
                if (!filterMeta || Filters.nodeMetaMatches(c, info == null ? null : info.node())) {
                    out.add(hc);
                }
            }
            c.meta(r.index());
            c.json(out);
        });
    }
}
