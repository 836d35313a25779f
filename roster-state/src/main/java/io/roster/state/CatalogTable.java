package io.roster.state;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * The catalog: nodes, service instances and health checks, with the per-service-name and per-node
 * indexes that let a blocking query on {@code web} ignore changes to {@code db}. Indexes of deleted
 * names are kept, so a reader's index never goes backwards. Callers hold the store's lock.
 *
 * <p>Watch topics: {@link #TOPIC_NODES} (node list), {@link #TOPIC_SERVICES} (service names and
 * tags), {@code svc:<name>} (instances of a service, their checks, and their nodes and node checks),
 * {@code node:<name>} (one node, its services and checks), {@link #TOPIC_CHECKS} (any check).
 */
final class CatalogTable {
    static final String TOPIC_NODES = "catalog-nodes";
    static final String TOPIC_SERVICES = "catalog-services";
    static final String TOPIC_CHECKS = "catalog-checks";

    final TreeMap<String, Node> nodes = new TreeMap<>();
    final TreeMap<String, TreeMap<String, NodeService>> services = new TreeMap<>();
    final TreeMap<String, TreeMap<String, HealthCheck>> checks = new TreeMap<>();
    /** Service name to its instances (ordered by node, then ID), their tags and the instances per tag. */
    private final TreeMap<String, Named> byName = new TreeMap<>();
    /** Node to service ID to the checks of that instance; service ID {@code ""} holds the node's own checks. */
    private final HashMap<String, HashMap<String, TreeMap<String, HealthCheck>>> checksByService = new HashMap<>();
    /** Check status to the checks in it, ordered by node then check ID (the order of {@link #checks}). */
    private final HashMap<String, TreeMap<Ref, HealthCheck>> checksByStatus = new HashMap<>();
    /** Node-meta key to value to the nodes carrying that pair. */
    private final HashMap<String, HashMap<String, TreeSet<String>>> nodesByMeta = new HashMap<>();
    /** Shared copies of tags, meta keys and values, check statuses and service names: 170k instances carry a few dozen distinct ones. */
    private final HashMap<String, String> strings = new HashMap<>();
    /**
     * Rows a read looked at (nodes, instances, checks, index entries), summed over every read: a
     * read's cost in rows, which tests compare with the size of its answer (readers run
     * concurrently under the read lock, hence an adder).
     */
    private final LongAdder rowsTouched = new LongAdder();
    final TreeMap<String, Long> serviceIndex = new TreeMap<>();
    final TreeMap<String, Long> nodeIndex = new TreeMap<>();
    long nodesIndex;
    long servicesIndex;
    long checksIndex;

    /** A (node, ID) pair: a service instance or a check. */
    record Ref(String node, String id) implements Comparable<Ref> {
        @Override
        public int compareTo(Ref o) {
            int c = node.compareTo(o.node);
            return c != 0 ? c : id.compareTo(o.id);
        }
    }

    /** The instances of one service name. */
    private static final class Named {
        final TreeMap<Ref, NodeService> instances = new TreeMap<>();
        /**
         * Tag to the number of instances carrying it, sorted: Consul lists a service's tags in Go
         * map order (no order), and sorting keeps a restored store answering as the original.
         */
        final TreeMap<String, int[]> tagCounts = new TreeMap<>();
        final HashMap<String, TreeMap<Ref, NodeService>> byTag = new HashMap<>();
    }

    static String svcTopic(String name) {
        return "svc:" + name;
    }

    static String nodeTopic(String name) {
        return "node:" + name;
    }

    // ------------------------------------------------------------------ reads

    /** Rows looked at by reads so far (see {@link #rowsTouched}). */
    long rowsTouched() {
        return rowsTouched.sum();
    }

    private void touched(int rows) {
        rowsTouched.add(rows);
    }

    List<Node> allNodes() {
        touched(nodes.size());
        return new ArrayList<>(nodes.values());
    }

    Node node(String name) {
        touched(1);
        return nodes.get(name);
    }

    List<NodeService> servicesOf(String node) {
        TreeMap<String, NodeService> m = services.get(node);
        touched(m == null ? 1 : m.size());
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    List<HealthCheck> checksOf(String node) {
        TreeMap<String, HealthCheck> m = checks.get(node);
        touched(m == null ? 1 : m.size());
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    /**
     * The nodes whose meta has every {@code key:value} pair of {@code meta} (all nodes when empty),
     * by name: it walks the smallest of the pairs' node sets and checks the other pairs on each.
     */
    List<Node> nodesWithMeta(Map<String, String> meta) {
        if (meta.isEmpty()) {
            return allNodes();
        }
        TreeSet<String> smallest = null;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            TreeSet<String> s = nodesByMeta.getOrDefault(e.getKey(), EMPTY_VALUES).get(e.getValue());
            touched(1);
            if (s == null) {
                return List.of();
            }
            if (smallest == null || s.size() < smallest.size()) {
                smallest = s;
            }
        }
        List<Node> out = new ArrayList<>();
        for (String name : smallest) {
            Node n = nodes.get(name);
            touched(1);
            if (metaMatches(n, meta)) {
                out.add(n);
            }
        }
        return out;
    }

    private static final HashMap<String, TreeSet<String>> EMPTY_VALUES = new HashMap<>();

    private static boolean metaMatches(Node n, Map<String, String> meta) {
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!e.getValue().equals(n.meta().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** (node, instance) pairs of a service, ordered by node then ID. */
    List<Map.Entry<Node, NodeService>> instances(String name) {
        return instances(name, List.of(), Map.of());
    }

    /**
     * The instances of {@code name} carrying every tag in {@code tags} on nodes with every pair in
     * {@code meta}, ordered by node then ID. It walks the smallest candidate set: the instances of
     * the rarest tag, those of the name, or the services of the nodes matching the meta.
     */
    List<Map.Entry<Node, NodeService>> instances(String name, List<String> tags, Map<String, String> meta) {
        List<Map.Entry<Node, NodeService>> out = new ArrayList<>();
        Named named = byName.get(name);
        touched(1);
        if (named == null) {
            return out;
        }
        Map<Ref, NodeService> candidates = named.instances;
        for (String t : tags) {
            TreeMap<Ref, NodeService> m = named.byTag.get(t);
            touched(1);
            if (m == null) {
                return out;
            }
            if (m.size() < candidates.size()) {
                candidates = m;
            }
        }
        if (!meta.isEmpty()) {
            List<Node> metaNodes = nodesWithMeta(meta);
            if (metaNodes.size() < candidates.size()) {
                for (Node n : metaNodes) {
                    TreeMap<String, NodeService> onNode = services.get(n.node());
                    if (onNode == null) {
                        continue;
                    }
                    touched(onNode.size());
                    for (NodeService s : onNode.values()) {
                        if (s.service().equals(name) && s.tags().containsAll(tags)) {
                            out.add(Map.entry(n, s));
                        }
                    }
                }
                return out;
            }
        }
        touched(candidates.size());
        for (Map.Entry<Ref, NodeService> e : candidates.entrySet()) {
            NodeService s = e.getValue();
            Node n = nodes.get(e.getKey().node());
            if ((tags.isEmpty() || s.tags().containsAll(tags)) && (meta.isEmpty() || metaMatches(n, meta))) {
                out.add(Map.entry(n, s));
            }
        }
        return out;
    }

    /** {@link #instances(String, List, Map)} as {@code /v1/catalog/service/<name>} entries. */
    List<io.roster.api.CatalogService> catalogServices(String name, List<String> tags, Map<String, String> meta) {
        List<io.roster.api.CatalogService> out = new ArrayList<>();
        for (Map.Entry<Node, NodeService> e : instances(name, tags, meta)) {
            out.add(io.roster.api.CatalogService.of(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** {@link #instances(String, List, Map)} as health entries: node checks first, then the instance's own, each by check ID, as Consul lists them. */
    List<io.roster.api.ServiceEntry> serviceEntries(String name, List<String> tags, Map<String, String> meta) {
        List<io.roster.api.ServiceEntry> out = new ArrayList<>();
        for (Map.Entry<Node, NodeService> e : instances(name, tags, meta)) {
            List<HealthCheck> checks = checksOfInstance(e.getKey().node(), "");
            checks.addAll(checksOfInstance(e.getKey().node(), e.getValue().id()));
            out.add(new io.roster.api.ServiceEntry(e.getKey(), e.getValue(), checks));
        }
        return out;
    }

    /** The checks of every instance of a service (not node checks), by node, instance, check ID. */
    List<HealthCheck> checksOfService(String name) {
        List<HealthCheck> out = new ArrayList<>();
        for (Map.Entry<Node, NodeService> e : instances(name)) {
            out.addAll(checksOfInstance(e.getKey().node(), e.getValue().id()));
        }
        return out;
    }

    /** The checks of one instance ({@code serviceId}), or of the node itself ({@code ""}), by check ID. */
    List<HealthCheck> checksOfInstance(String node, String serviceId) {
        HashMap<String, TreeMap<String, HealthCheck>> m = checksByService.get(node);
        TreeMap<String, HealthCheck> c = m == null ? null : m.get(serviceId);
        touched(c == null ? 1 : c.size());
        return c == null ? new ArrayList<>() : new ArrayList<>(c.values());
    }

    /** Checks in {@code status} ({@code any}: all), ordered by node then check ID. */
    List<HealthCheck> checksInState(String status) {
        List<HealthCheck> out = new ArrayList<>();
        if ("any".equals(status)) {
            for (TreeMap<String, HealthCheck> m : checks.values()) {
                touched(m.size());
                out.addAll(m.values());
            }
            return out;
        }
        TreeMap<Ref, HealthCheck> m = checksByStatus.get(status);
        touched(m == null ? 1 : m.size());
        return m == null ? out : new ArrayList<>(m.values());
    }

    /** Every service name with the union of its instances' tags (kept by apply, sorted), sorted by name. */
    TreeMap<String, List<String>> serviceNames() {
        TreeMap<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, Named> e : byName.entrySet()) {
            touched(1 + e.getValue().tagCounts.size());
            out.put(e.getKey(), new ArrayList<>(e.getValue().tagCounts.keySet()));
        }
        return out;
    }

    long indexOfService(String name) {
        return Math.max(1, serviceIndex.getOrDefault(name, Math.max(servicesIndex, nodesIndex)));
    }

    long indexOfNode(String name) {
        return Math.max(1, nodeIndex.getOrDefault(name, nodesIndex));
    }

    // ------------------------------------------------------------------ rows and their indexes

    private static final int MAX_SHARED_STRINGS = 65_536;

    private String shared(String s) {
        if (s == null) {
            return null;
        }
        if (strings.size() >= MAX_SHARED_STRINGS) {
            // Unique values (a per-node meta value) would grow it forever; starting over only loses sharing.
            strings.clear();
        }
        String have = strings.putIfAbsent(s, s);
        return have == null ? s : have;
    }

    private List<String> shared(List<String> l) {
        if (l == null || l.isEmpty()) {
            return l;
        }
        String[] a = new String[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = shared(l.get(i));
        }
        return List.of(a);
    }

    private Map<String, String> shared(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return m;
        }
        HashMap<String, String> out = new HashMap<>(m.size() * 2);
        m.forEach((k, v) -> out.put(shared(k), shared(v)));
        return Map.copyOf(out);
    }

    private void putNode(Node n) {
        Node old = nodes.put(n.node(), n);
        if (old != null) {
            unlinkMeta(old);
        }
        if (n.meta() != null) {
            n.meta().forEach((k, v) -> nodesByMeta.computeIfAbsent(k, x -> new HashMap<>())
                    .computeIfAbsent(v, x -> new TreeSet<>()).add(n.node()));
        }
    }

    private void unlinkMeta(Node old) {
        if (old.meta() == null) {
            return;
        }
        old.meta().forEach((k, v) -> {
            HashMap<String, TreeSet<String>> values = nodesByMeta.get(k);
            TreeSet<String> s = values == null ? null : values.get(v);
            if (s != null) {
                s.remove(old.node());
                if (s.isEmpty()) {
                    values.remove(v);
                    if (values.isEmpty()) {
                        nodesByMeta.remove(k);
                    }
                }
            }
        });
    }

    private void linkService(String node, NodeService s) {
        Ref ref = new Ref(node, s.id());
        Named named = byName.computeIfAbsent(s.service(), k -> new Named());
        named.instances.put(ref, s);
        for (String t : new LinkedHashSet<>(s.tags())) {
            named.tagCounts.computeIfAbsent(t, k -> new int[1])[0]++;
            named.byTag.computeIfAbsent(t, k -> new TreeMap<>()).put(ref, s);
        }
    }

    private void unlinkService(String node, NodeService s) {
        Named named = byName.get(s.service());
        if (named == null) {
            return;
        }
        Ref ref = new Ref(node, s.id());
        named.instances.remove(ref);
        for (String t : new LinkedHashSet<>(s.tags())) {
            int[] n = named.tagCounts.get(t);
            if (n != null && --n[0] == 0) {
                named.tagCounts.remove(t);
            }
            TreeMap<Ref, NodeService> m = named.byTag.get(t);
            if (m != null) {
                m.remove(ref);
                if (m.isEmpty()) {
                    named.byTag.remove(t);
                }
            }
        }
        if (named.instances.isEmpty()) {
            byName.remove(s.service());
        }
    }

    private void putServiceRow(String node, NodeService s) {
        NodeService old = services.computeIfAbsent(node, k -> new TreeMap<>()).put(s.id(), s);
        if (old != null) {
            unlinkService(node, old);
        }
        linkService(node, s);
    }

    private void putCheckRow(HealthCheck c) {
        HealthCheck old = checks.computeIfAbsent(c.node(), k -> new TreeMap<>()).put(c.checkId(), c);
        if (old != null) {
            unlinkCheck(old);
        }
        checksByService.computeIfAbsent(c.node(), k -> new HashMap<>())
                .computeIfAbsent(c.serviceId(), k -> new TreeMap<>()).put(c.checkId(), c);
        checksByStatus.computeIfAbsent(c.status(), k -> new TreeMap<>()).put(new Ref(c.node(), c.checkId()), c);
    }

    private void unlinkCheck(HealthCheck old) {
        HashMap<String, TreeMap<String, HealthCheck>> bySvc = checksByService.get(old.node());
        if (bySvc != null) {
            TreeMap<String, HealthCheck> m = bySvc.get(old.serviceId());
            if (m != null) {
                m.remove(old.checkId());
                if (m.isEmpty()) {
                    bySvc.remove(old.serviceId());
                    if (bySvc.isEmpty()) {
                        checksByService.remove(old.node());
                    }
                }
            }
        }
        TreeMap<Ref, HealthCheck> st = checksByStatus.get(old.status());
        if (st != null) {
            st.remove(new Ref(old.node(), old.checkId()));
            if (st.isEmpty()) {
                checksByStatus.remove(old.status());
            }
        }
    }

    // ------------------------------------------------------------------ writes

    private void touchNode(Tx tx, String node) {
        nodeIndex.put(node, tx.index);
        tx.changes.topic(nodeTopic(node));
    }

    /** A change to instances of {@code name}; {@code structural} when the name/tags listing may change. */
    private void touchService(Tx tx, String name, boolean structural) {
        serviceIndex.put(name, tx.index);
        tx.changes.topic(svcTopic(name));
        if (structural) {
            servicesIndex = tx.index;
            tx.changes.topic(TOPIC_SERVICES);
        }
    }

    /** A node-level change reaches every service on that node. */
    private void touchServicesOn(Tx tx, String node) {
        Set<String> names = new LinkedHashSet<>();
        for (NodeService s : servicesOf(node)) {
            names.add(s.service());
        }
        for (String n : names) {
            touchService(tx, n, false);
        }
    }

    private void touchChecks(Tx tx) {
        checksIndex = tx.index;
        tx.changes.topic(TOPIC_CHECKS);
    }

    boolean ensureNode(Tx tx, Node n) {
        Node old = nodes.get(n.node());
        if (n.sameAs(old)) {
            return false;
        }
        putNode(new Node(n.id(), n.node(), n.address(), shared(n.datacenter()), n.taggedAddresses(), shared(n.meta()),
                old == null ? tx.index : old.createIndex(), tx.index));
        nodesIndex = tx.index;
        tx.changes.topic(TOPIC_NODES);
        touchNode(tx, n.node());
        touchServicesOn(tx, n.node());
        return true;
    }

    boolean ensureService(Tx tx, String node, NodeService s) {
        TreeMap<String, NodeService> m = services.get(node);
        NodeService old = m == null ? null : m.get(s.id());
        if (s.sameAs(old)) {
            return false;
        }
        String name = shared(s.service());
        List<String> tags = old != null && old.tags().equals(s.tags()) ? old.tags() : shared(s.tags());
        s = new NodeService(shared(s.kind()), s.id(), name, tags, s.address(), s.taggedAddresses(), shared(s.meta()),
                s.port(), s.weights().equals(ServiceDefinition.Weights.DEFAULT) ? ServiceDefinition.Weights.DEFAULT : s.weights(),
                s.enableTagOverride(), "", old == null ? tx.index : old.createIndex(), tx.index);
        putServiceRow(node, s);
        if (old != null && !old.service().equals(s.service())) {
            touchService(tx, old.service(), true);
        }
        touchService(tx, s.service(), true);
        touchNode(tx, node);
        // Checks of this service carry its name and tags.
        TreeMap<String, HealthCheck> cm = checks.get(node);
        if (cm != null) {
            for (HealthCheck c : new ArrayList<>(cm.values())) {
                if (c.serviceId().equals(s.id()) && (!c.serviceName().equals(s.service()) || !c.serviceTags().equals(s.tags()))) {
                    putCheckRow(c.withService(s.service(), s.tags()).withIndexes(c.createIndex(), tx.index));
                    touchChecks(tx);
                }
            }
        }
        return true;
    }

    /** Writes a check; returns the previous one ({@code null} if new), or the same object when unchanged. */
    HealthCheck ensureCheck(Tx tx, HealthCheck c) {
        TreeMap<String, HealthCheck> m = checks.get(c.node());
        HealthCheck old = m == null ? null : m.get(c.checkId());
        HealthCheck next = c;
        if (!c.serviceId().isEmpty()) {
            NodeService s = services.get(c.node()).get(c.serviceId());
            next = c.withService(s.service(), s.tags());
        } else {
            next = c.withService("", List.of());
        }
        if (next.sameAs(old)) {
            return old;
        }
        putCheckRow(new HealthCheck(next.node(), next.checkId(), shared(next.name()), shared(next.status()), shared(next.notes()),
                next.output(), next.serviceId(), shared(next.serviceName()), next.serviceTags(), shared(next.type()),
                shared(next.interval()), shared(next.timeout()), next.exposedPort(), next.definition(),
                old == null ? tx.index : old.createIndex(), tx.index));
        touchChecks(tx);
        touchNode(tx, c.node());
        // A node check shows in the health of every service on the node, so a check that is or was one
        // (moved to or from a service) touches them all; a service check touches its old and new service.
        if (c.serviceId().isEmpty() || (old != null && old.serviceId().isEmpty())) {
            touchServicesOn(tx, c.node());
        } else {
            touchService(tx, next.serviceName(), false);
        }
        if (old != null && !old.serviceId().isEmpty() && !old.serviceId().equals(c.serviceId())) {
            touchService(tx, old.serviceName(), false);
        }
        return old;
    }

    HealthCheck removeCheck(Tx tx, String node, String checkId) {
        TreeMap<String, HealthCheck> m = checks.get(node);
        HealthCheck old = m == null ? null : m.remove(checkId);
        if (old == null) {
            return null;
        }
        unlinkCheck(old);
        if (m.isEmpty()) {
            checks.remove(node);
        }
        touchChecks(tx);
        touchNode(tx, node);
        if (old.serviceId().isEmpty()) {
            touchServicesOn(tx, node);
        } else {
            touchService(tx, old.serviceName(), false);
        }
        return old;
    }

    /** Removes a service and its checks; returns the removed checks. */
    List<HealthCheck> removeService(Tx tx, String node, String serviceId) {
        TreeMap<String, NodeService> m = services.get(node);
        NodeService old = m == null ? null : m.remove(serviceId);
        if (old == null) {
            return List.of();
        }
        unlinkService(node, old);
        if (m.isEmpty()) {
            services.remove(node);
        }
        List<HealthCheck> removed = new ArrayList<>();
        for (HealthCheck c : checksOf(node)) {
            if (c.serviceId().equals(serviceId)) {
                removeCheck(tx, node, c.checkId());
                removed.add(c);
            }
        }
        touchService(tx, old.service(), true);
        touchNode(tx, node);
        return removed;
    }

    /** Removes a node with its services and checks; returns the removed checks. */
    List<HealthCheck> removeNode(Tx tx, String node) {
        if (!nodes.containsKey(node)) {
            return List.of();
        }
        List<HealthCheck> removed = new ArrayList<>();
        for (NodeService s : servicesOf(node)) {
            removed.addAll(removeService(tx, node, s.id()));
        }
        for (HealthCheck c : checksOf(node)) {
            removeCheck(tx, node, c.checkId());
            removed.add(c);
        }
        unlinkMeta(nodes.remove(node));
        nodesIndex = tx.index;
        tx.changes.topic(TOPIC_NODES);
        touchNode(tx, node);
        return removed;
    }

    /** Rebuilds every secondary index (and the shared strings) after a restore wrote the rows. */
    void reindex() {
        byName.clear();
        checksByService.clear();
        checksByStatus.clear();
        nodesByMeta.clear();
        strings.clear();
        for (Node n : new ArrayList<>(nodes.values())) {
            putNode(new Node(n.id(), n.node(), n.address(), shared(n.datacenter()), n.taggedAddresses(), shared(n.meta()),
                    n.createIndex(), n.modifyIndex()));
        }
        for (Map.Entry<String, TreeMap<String, NodeService>> e : services.entrySet()) {
            for (NodeService s : e.getValue().values()) {
                linkService(e.getKey(), s);
            }
        }
        for (TreeMap<String, HealthCheck> m : checks.values()) {
            for (HealthCheck c : m.values()) {
                checksByService.computeIfAbsent(c.node(), k -> new HashMap<>())
                        .computeIfAbsent(c.serviceId(), k -> new TreeMap<>()).put(c.checkId(), c);
                checksByStatus.computeIfAbsent(c.status(), k -> new TreeMap<>()).put(new Ref(c.node(), c.checkId()), c);
            }
        }
    }

    void clear() {
        nodes.clear();
        services.clear();
        checks.clear();
        byName.clear();
        checksByService.clear();
        checksByStatus.clear();
        nodesByMeta.clear();
        strings.clear();
        serviceIndex.clear();
        nodeIndex.clear();
        nodesIndex = 0;
        servicesIndex = 0;
        checksIndex = 0;
    }
}
