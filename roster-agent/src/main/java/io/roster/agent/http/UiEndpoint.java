package io.roster.agent.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceEntry;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consul's UI data endpoints ({@code agent/ui_endpoint.go}), which the web UI at {@code /ui/} reads
 * and tools built on Consul's UI read too: {@code /v1/internal/ui/services} (a summary per service
 * name: instances, nodes, tags, check counts over the instances' service and node checks, each
 * check once), {@code /v1/internal/ui/nodes} (a node dump: each node with its services and checks),
 * {@code /v1/internal/ui/node/<node>} (one node of it, 404 when unknown) and
 * {@code /v1/internal/ui/catalog-overview} (health counts of nodes, services and checks). All but
 * the overview are blocking queries, as Consul's are. Connect, gateway and peering fields carry their
 * empty values: Roster has none of those.
 */
final class UiEndpoint {
    private final Store store;
    private final BlockingQuery blocking;
    private final String datacenter;

    UiEndpoint(Store store, BlockingQuery blocking, String datacenter) {
        this.store = store;
        this.blocking = blocking;
        this.datacenter = datacenter;
    }

    /** Consul's {@code ServiceListingSummary}, without Enterprise fields. */
    @JsonPropertyOrder({"Kind", "Name", "Datacenter", "Tags", "Nodes", "ExternalSources", "InstanceCount", "ChecksPassing",
            "ChecksWarning", "ChecksCritical", "GatewayConfig", "TransparentProxy", "ConnectNative", "ConnectedWithProxy",
            "ConnectedWithGateway"})
    record ServiceSummary(@JsonProperty("Kind") @JsonInclude(JsonInclude.Include.NON_EMPTY) String kind,
                          @JsonProperty("Name") String name, @JsonProperty("Datacenter") String datacenter,
                          @JsonProperty("Tags") List<String> tags, @JsonProperty("Nodes") List<String> nodes,
                          @JsonProperty("ExternalSources") List<String> externalSources,
                          @JsonProperty("InstanceCount") int instanceCount, @JsonProperty("ChecksPassing") int checksPassing,
                          @JsonProperty("ChecksWarning") int checksWarning, @JsonProperty("ChecksCritical") int checksCritical,
                          @JsonProperty("GatewayConfig") Map<String, Object> gatewayConfig,
                          @JsonProperty("TransparentProxy") boolean transparentProxy,
                          @JsonProperty("ConnectNative") boolean connectNative,
                          @JsonProperty("ConnectedWithProxy") boolean connectedWithProxy,
                          @JsonProperty("ConnectedWithGateway") boolean connectedWithGateway) {
    }

    /** Consul's {@code NodeInfo} of a node dump. */
    @JsonPropertyOrder({"ID", "Node", "Address", "TaggedAddresses", "Meta", "Services", "Checks"})
    record NodeDump(@JsonProperty("ID") String id, @JsonProperty("Node") String node, @JsonProperty("Address") String address,
                    @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
                    @JsonProperty("Meta") Map<String, String> meta, @JsonProperty("Services") List<NodeService> services,
                    @JsonProperty("Checks") List<HealthCheck> checks) {
    }

    /** Consul's {@code HealthSummary}. */
    @JsonPropertyOrder({"Name", "Total", "Passing", "Warning", "Critical"})
    record HealthSummary(@JsonProperty("Name") @JsonInclude(JsonInclude.Include.NON_EMPTY) String name,
                         @JsonProperty("Total") int total, @JsonProperty("Passing") int passing,
                         @JsonProperty("Warning") int warning, @JsonProperty("Critical") int critical) {
        static HealthSummary count(String name, List<String> statuses) {
            int p = 0;
            int w = 0;
            int c = 0;
            for (String s : statuses) {
                switch (s) {
                    case HealthCheck.PASSING -> p++;
                    case HealthCheck.WARNING -> w++;
                    case HealthCheck.CRITICAL -> c++;
                    default -> { }
                }
            }
            return new HealthSummary(name, statuses.size(), p, w, c);
        }
    }

    /** Consul's {@code CatalogSummary}. */
    record CatalogSummary(@JsonProperty("Nodes") List<HealthSummary> nodes, @JsonProperty("Services") List<HealthSummary> services,
                          @JsonProperty("Checks") List<HealthSummary> checks) {
    }

    void services(Call call) {
        blocking.serve(call, this::serviceSummaries, (c, r) -> {
            c.meta(r.index());
            c.json(AclFilter.list(c, r.value(), "service", "read", ServiceSummary::name));
        });
    }

    void nodes(Call call) {
        blocking.serve(call, ws -> dump(ws, null), (c, r) -> {
            c.meta(r.index());
            List<NodeDump> out = new ArrayList<>();
            for (NodeDump d : AclFilter.list(c, r.value(), "node", "read", NodeDump::node)) {
                out.add(visible(c, d));
            }
            c.json(out);
        });
    }

    void node(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing node name");
        blocking.serve(call, ws -> dump(ws, name), (c, r) -> {
            c.meta(r.index());
            if (r.value().isEmpty()) {
                c.empty(404);
            } else {
                c.json(visible(c, r.value().getFirst()));
            }
        });
    }

    /** The node with only the services, and the checks of services, that the call's token may read. */
    private static NodeDump visible(Call c, NodeDump d) {
        List<NodeService> services = AclFilter.list(c, d.services(), "service", "read", NodeService::service);
        java.util.Set<String> shown = new java.util.HashSet<>();
        services.forEach(svc -> shown.add(svc.id()));
        List<HealthCheck> checks = new ArrayList<>();
        for (HealthCheck hc : d.checks()) {
            if (hc.serviceId() == null || hc.serviceId().isEmpty() || shown.contains(hc.serviceId())) {
                checks.add(hc);
            }
        }
        return new NodeDump(d.id(), d.node(), d.address(), d.taggedAddresses(), d.meta(), services, checks);
    }

    void catalogOverview(Call call) {
        blocking.serve(call, this::overview, (c, r) -> {
            c.meta(r.index());
            c.json(r.value());
        });
    }

    private Store.Read<List<ServiceSummary>> serviceSummaries(WatchSet ws) {
        Store.Read<Map<String, List<String>>> names = store.serviceNames(ws);
        long index = names.index();
        List<ServiceSummary> out = new ArrayList<>();
        for (String name : new TreeSet<>(names.value().keySet())) {
            Store.Read<List<ServiceEntry>> health = store.serviceHealth(ws, name);
            index = Math.max(index, health.index());
            if (health.value().isEmpty()) {
                continue;
            }
            TreeSet<String> tags = new TreeSet<>();
            TreeSet<String> nodes = new TreeSet<>();
            LinkedHashSet<String> sources = new LinkedHashSet<>();
            Map<String, String> checks = new LinkedHashMap<>();
            String kind = "";
            for (ServiceEntry e : health.value()) {
                nodes.add(e.node().node());
                kind = e.service().kind() == null ? "" : e.service().kind();
                if (e.service().tags() != null) {
                    tags.addAll(e.service().tags());
                }
                String source = e.service().meta() == null ? null : e.service().meta().get("external-source");
                if (source != null && !source.isEmpty()) {
                    sources.add(source);
                }
                for (HealthCheck hc : e.checks()) {
                    checks.put(e.node().node() + '\0' + hc.checkId(), hc.status());
                }
            }
            HealthSummary counts = HealthSummary.count("", new ArrayList<>(checks.values()));
            out.add(new ServiceSummary(kind, name, datacenter, tags.isEmpty() ? null : List.copyOf(tags), List.copyOf(nodes),
                    sources.isEmpty() ? null : List.copyOf(sources), health.value().size(), counts.passing(),
                    counts.warning(), counts.critical(), Map.of(), false, false, false, false));
        }
        return new Store.Read<>(out, index);
    }

    /** Every node (or the one named) with its services and checks. */
    private Store.Read<List<NodeDump>> dump(WatchSet ws, String only) {
        Store.Read<List<Node>> nodes = store.nodes(ws);
        Store.Read<List<HealthCheck>> checks = store.checksInState(ws, "any");
        long index = Math.max(nodes.index(), checks.index());
        Map<String, List<HealthCheck>> byNode = new TreeMap<>();
        for (HealthCheck hc : checks.value()) {
            byNode.computeIfAbsent(hc.node(), k -> new ArrayList<>()).add(hc);
        }
        List<NodeDump> out = new ArrayList<>();
        for (Node n : nodes.value()) {
            if (only != null && !only.equals(n.node())) {
                continue;
            }
            Store.Read<Store.NodeInfo> info = store.node(ws, n.node());
            index = Math.max(index, info.index());
            List<NodeService> services = info.value() == null ? List.of() : info.value().services();
            out.add(new NodeDump(n.id(), n.node(), n.address(), n.taggedAddresses(), n.meta(), services,
                    byNode.getOrDefault(n.node(), List.of())));
        }
        return new Store.Read<>(out, index);
    }

    private static String worst(List<HealthCheck> checks) {
        String w = HealthCheck.PASSING;
        for (HealthCheck hc : checks) {
            if (hc.status().equals(HealthCheck.CRITICAL)) {
                return HealthCheck.CRITICAL;
            }
            if (hc.status().equals(HealthCheck.WARNING)) {
                w = HealthCheck.WARNING;
            }
        }
        return w;
    }

    /**
     * Nodes counted by the worst of their node checks, service instances (per service name) by the
     * worst of their checks, node checks included, and checks (per check name) by their status.
     */
    private Store.Read<CatalogSummary> overview(WatchSet ws) {
        Store.Read<List<NodeDump>> d = dump(ws, null);
        List<String> nodeStates = new ArrayList<>();
        Map<String, List<String>> serviceStates = new TreeMap<>();
        Map<String, List<String>> checkStates = new TreeMap<>();
        for (NodeDump n : d.value()) {
            List<HealthCheck> nodeChecks = n.checks().stream().filter(c -> c.serviceId().isEmpty()).toList();
            nodeStates.add(worst(nodeChecks));
            for (NodeService s : n.services()) {
                List<HealthCheck> mine = new ArrayList<>(nodeChecks);
                for (HealthCheck c : n.checks()) {
                    if (c.serviceId().equals(s.id())) {
                        mine.add(c);
                    }
                }
                serviceStates.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(worst(mine));
            }
            for (HealthCheck c : n.checks()) {
                checkStates.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c.status());
            }
        }
        List<HealthSummary> services = new ArrayList<>();
        serviceStates.forEach((k, v) -> services.add(HealthSummary.count(k, v)));
        List<HealthSummary> checks = new ArrayList<>();
        checkStates.forEach((k, v) -> checks.add(HealthSummary.count(k, v)));
        return new Store.Read<>(new CatalogSummary(List.of(HealthSummary.count("", nodeStates)), services, checks), d.index());
    }
}
