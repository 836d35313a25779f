package io.roster.agent.http;

import io.roster.agent.server.StateServer;
import io.roster.api.CatalogDeregistration;
import io.roster.api.CatalogRegistration;
import io.roster.api.CatalogService;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.state.Command;
import io.roster.state.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/catalog/*}: register, deregister, datacenters, nodes, services, service, node, node-services. */
final class CatalogEndpoint {
    private static final long MAX_BODY = 1024 * 1024;
    private final StateServer server;
    private final Store store;
    private final BlockingQuery blocking;
    private final String datacenter;

    /** {@code ?near=} sorting (set by {@link HttpServer}). */
    NearSort near = NearSort.NONE;

    CatalogEndpoint(StateServer server, BlockingQuery blocking, String datacenter) {
        this.server = server;
        this.store = server.store();
        this.blocking = blocking;
        this.datacenter = datacenter;
    }

    void register(Call call) {
        CatalogRegistration r = call.json(CatalogRegistration.class, MAX_BODY);
        if (r == null || r.node() == null || r.node().isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        requireOwnDatacenter(r.datacenter());
        boolean skip = r.skipNodeUpdate() != null && r.skipNodeUpdate();
        if (!skip && (r.address() == null || r.address().isEmpty())) {
            throw HttpError.badRequest("Must provide address if SkipNodeUpdate is not set");
        }
        NodeService svc = r.service();
        if (svc != null && svc.service().isEmpty()) {
            throw HttpError.badRequest("Must provide service name with ID");
        }
        List<HealthCheck> checks = new ArrayList<>();
        if (r.check() != null) {
            checks.add(r.check());
        }
        if (r.checks() != null) {
            checks.addAll(r.checks());
        }
        for (HealthCheck c : checks) {
            if (c.checkId().isEmpty() && c.name().isEmpty()) {
                throw HttpError.badRequest("Must provide a CheckID or Name for each check");
            }
            if (!List.of(HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL, HealthCheck.MAINTENANCE).contains(c.status())) {
                throw HttpError.badRequest("Invalid check status: \"" + c.status() + "\"");
            }
        }
        List<HealthCheck> named = new ArrayList<>();
        for (HealthCheck c : checks) {
            named.add(c.checkId().isEmpty() ? new HealthCheck(r.node(), c.name(), c.name(), c.status(), c.notes(), c.output(),
                    c.serviceId(), c.serviceName(), c.serviceTags(), c.type(), c.interval(), c.timeout(), c.exposedPort(),
                    c.definition(), 0, 0) : c);
        }
        Node node = new Node(r.id(), r.node(), r.address(), datacenter, r.taggedAddresses(), r.nodeMeta(), 0, 0);
        server.catalog(new Command.CatalogRegister(node, svc, named, skip))
                .whenComplete((res, err) -> Writes.answer(call, res, err));
    }

    void deregister(Call call) {
        CatalogDeregistration d = call.json(CatalogDeregistration.class, MAX_BODY);
        if (d == null || d.node() == null || d.node().isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        requireOwnDatacenter(d.datacenter());
        server.catalog(new Command.CatalogDeregister(d.node(), d.serviceId(), d.checkId()))
                .whenComplete((res, err) -> Writes.answer(call, res, err));
    }

    /**
     * A {@code Datacenter} in a register/deregister body routes the write as Consul's RPC layer
     * does: empty means this datacenter; any other is {@code 500 No path to datacenter} (Roster
     * has no WAN federation yet), never a silent local write.
     */
    private void requireOwnDatacenter(String dc) {
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            throw new HttpError(500, "No path to datacenter");
        }
    }

    /** A server's way to the other datacenters (null: this one only). */
    io.roster.agent.wan.WanRouter wan;

    /** Every datacenter known in the WAN pool, nearest first by estimated round trip (this one alone without WAN). */
    void datacenters(Call call) {
        io.roster.agent.wan.WanRouter w = wan;
        call.json(w == null ? List.of(datacenter) : w.datacentersByDistance());
    }

    void nodes(Call call) {
        io.roster.agent.filter.Filter filter = Filters.filter(call, Node.class);
        Map<String, String> meta = Filters.nodeMeta(call);
        blocking.serveShared(call, ws -> store.nodes(ws, meta), (c, r) -> {
            List<Node> out = new ArrayList<>();
            for (Node n : r.value()) {
                if (Filters.nodeMetaMatches(c, n)) {
                    out.add(withDc(n));
                }
            }
            c.meta(r.index());
            c.json(near.apply(c, AclFilter.list(c, Filters.apply(filter, out), "node", "read", Node::node), Node::node));
        });
    }

    /**
     * {@code /v1/catalog/services}: names and tags. With {@code ?filter=} (over the instances, as
     * Consul's {@code ServiceNode}) or {@code ?node-meta=} the answer is built from the instances,
     * and the reported index is the one the query watches (see {@link #instancesOnMatchingNodes}).
     */
    void services(Call call) {
        io.roster.agent.filter.Filter filter = Filters.filter(call, CatalogService.class);
        if (filter == null && call.params("node-meta").isEmpty()) {
            blocking.serveShared(call, store::serviceNamesIndex, store::serviceNames, (c, r) -> {
                c.meta(r.index());
                c.json(AclFilter.keys(c, r.value(), "service"));
            });
            return;
        }
        java.util.function.Function<io.roster.state.WatchSet, Store.Read<List<CatalogService>>> query =
                call.params("node-meta").isEmpty() ? this::allInstances : ws -> instancesOnMatchingNodes(call, ws);
        blocking.serveShared(call, query, (c, r) -> {
            Map<String, List<String>> out = new java.util.TreeMap<>();
            List<CatalogService> instances = new ArrayList<>();
            for (CatalogService s : r.value()) {
                instances.add(s.datacenter().isEmpty() ? withDc(s) : s);
            }
            for (CatalogService s : AclFilter.list(c, Filters.apply(filter, instances), "service", "read", CatalogService::serviceName)) {
                List<String> tags = out.computeIfAbsent(s.serviceName(), k -> new ArrayList<>());
                for (String t : s.serviceTags()) {
                    if (!tags.contains(t)) {
                        tags.add(t);
                    }
                }
            }
            c.meta(r.index());
            c.json(out);
        });
    }

    /** Every service instance; the index is the highest of the name listing and of each service. */
    private Store.Read<List<CatalogService>> allInstances(io.roster.state.WatchSet ws) {
        Store.Read<Map<String, List<String>>> names = store.serviceNames(ws);
        long index = names.index();
        List<CatalogService> out = new ArrayList<>();
        for (String name : names.value().keySet()) {
            Store.Read<List<CatalogService>> r = store.catalogService(ws, name);
            index = Math.max(index, r.index());
            out.addAll(r.value());
        }
        return new Store.Read<>(out, index);
    }

    /**
     * The instances on nodes matching {@code ?node-meta=}. It watches the node list and each
     * matching node (its services), and reports the highest index of those: a write to a node
     * that does not match (a service registered there) neither wakes it nor moves its index, and
     * the index never goes down, since a node stops matching only by a node-list write.
     */
    private Store.Read<List<CatalogService>> instancesOnMatchingNodes(Call call, io.roster.state.WatchSet ws) {
        Store.Read<List<Node>> nodes = store.nodes(ws, Filters.nodeMeta(call));
        long index = nodes.index();
        List<CatalogService> out = new ArrayList<>();
        for (Node n : nodes.value()) {
            if (!Filters.nodeMetaMatches(call, n)) {
                continue;
            }
            Store.Read<Store.NodeInfo> info = store.node(ws, n.node());
            index = Math.max(index, info.index());
            if (info.value() != null) {
                for (NodeService s : info.value().services()) {
                    out.add(CatalogService.of(info.value().node(), s));
                }
            }
        }
        return new Store.Read<>(out, index);
    }

    void service(Call call) {
        String name = requireName(call, "Missing service name");
        io.roster.agent.filter.Filter filter = Filters.filter(call, CatalogService.class);
        List<String> tags = call.params("tag");
        Map<String, String> meta = Filters.nodeMeta(call);
        // The indexes narrow by tag and node meta; the checks below stay the definition of a match.
        blocking.serveShared(call, ws -> store.serviceIndex(ws, name), ws -> store.catalogService(ws, name, tags, meta), (c, r) -> {
            List<CatalogService> out = new ArrayList<>();
            for (CatalogService s : r.value()) {
                if (Filters.tagsMatch(c, s.serviceTags()) && nodeMetaOk(c, s.nodeMeta())) {
                    out.add(s.datacenter().isEmpty() ? withDc(s) : s);
                }
            }
            c.meta(r.index());
            c.json(near.apply(c, Filters.apply(filter, out), CatalogService::node));
        });
    }

    void node(Call call) {
        nodeWith(call, services -> {
            Map<String, NodeService> byId = new LinkedHashMap<>();
            services.forEach(svc -> byId.put(svc.id(), svc));
            return byId;
        });
    }

    void nodeServices(Call call) {
        nodeWith(call, services -> services);
    }

    /**
     * {@code {"Node":..,"Services":..}} with the services (those passing {@code ?filter=}) shaped by
     * {@code shape}; {@code null} for an unknown node.
     */
    private void nodeWith(Call call, java.util.function.Function<List<NodeService>, Object> shape) {
        String name = requireName(call, "Missing node name");
        io.roster.agent.filter.Filter filter = Filters.filter(call, NodeService.class);
        blocking.serveShared(call, ws -> store.node(ws, name), (c, r) -> {
            c.meta(r.index());
            if (r.value() == null) {
                c.json(null);
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("Node", withDc(r.value().node()));
            out.put("Services", shape.apply(Filters.apply(filter, r.value().services())));
            c.json(out);
        });
    }

    private static boolean nodeMetaOk(Call call, Map<String, String> meta) {
        return Filters.nodeMetaMatches(call, new Node(null, "", null, null, null, meta, 0, 0));
    }

    private Node withDc(Node n) {
        return n.datacenter().isEmpty()
                ? new Node(n.id(), n.node(), n.address(), datacenter, n.taggedAddresses(), n.meta(), n.createIndex(), n.modifyIndex())
                : n;
    }

    private CatalogService withDc(CatalogService s) {
        return new CatalogService(s.id(), s.node(), s.address(), datacenter, s.taggedAddresses(), s.nodeMeta(),
                s.serviceKind(), s.serviceId(), s.serviceName(), s.serviceTags(), s.serviceAddress(),
                s.serviceTaggedAddresses(), s.serviceWeights(), s.serviceMeta(), s.servicePort(),
                s.serviceEnableTagOverride(), s.createIndex(), s.modifyIndex());
    }

    static String requireName(Call call, String message) {
        String name = call.rest();
        if (name.isEmpty()) {
            throw HttpError.badRequest(message);
        }
        return name;
    }
}
