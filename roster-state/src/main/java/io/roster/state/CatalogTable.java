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
 *
 * <p>The table owns its reads with the watches they register and the index they report (the
 * {@code Store.Read} forms below), the register and deregister of the apply switch, which run
 * inside an open {@link Tx} and register an undo step for every row and index they change, and its
 * snapshot rows and their restore.
 */
final class CatalogTable {
    static final String TOPIC_NODES = "catalog-nodes";
    static final String TOPIC_SERVICES = "catalog-services";
    static final String TOPIC_CHECKS = "catalog-checks";

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, NodeService>> services = new TreeMap<>();
    private final TreeMap<String, TreeMap<String, HealthCheck>> checks = new TreeMap<>();
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
    private final TreeMap<String, Long> serviceIndex = new TreeMap<>();
    private final TreeMap<String, Long> nodeIndex = new TreeMap<>();
    private long nodesIndex;
    private long servicesIndex;
    private long checksIndex;

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

    /** Writes ({@code row} non-null) or removes a node row, keeping the meta index in step. */
    private void nodeRow(String name, Node row) {
        if (row != null) {
            putNode(row);
            return;
        }
        Node old = nodes.remove(name);
        if (old != null) {
            unlinkMeta(old);
        }
    }

    /** Writes ({@code row} non-null) or removes a service row, keeping the name and tag indexes in step. */
    private void serviceRow(String node, String id, NodeService row) {
        if (row != null) {
            putServiceRow(node, row);
            return;
        }
        TreeMap<String, NodeService> m = services.get(node);
        NodeService old = m == null ? null : m.remove(id);
        if (old == null) {
            return;
        }
        unlinkService(node, old);
        if (m.isEmpty()) {
            services.remove(node);
        }
    }

    /** Writes ({@code row} non-null) or removes a check row, keeping the service and status indexes in step. */
    private void checkRow(String node, String id, HealthCheck row) {
        if (row != null) {
            putCheckRow(row);
            return;
        }
        TreeMap<String, HealthCheck> m = checks.get(node);
        HealthCheck old = m == null ? null : m.remove(id);
        if (old == null) {
            return;
        }
        unlinkCheck(old);
        if (m.isEmpty()) {
            checks.remove(node);
        }
    }

    // ------------------------------------------------------------------ writes, each with its undo on the Tx

    private void writeNode(Tx tx, String name, Node row) {
        Node before = nodes.get(name);
        nodeRow(name, row);
        tx.onRollback(() -> nodeRow(name, before));
    }

    private void writeService(Tx tx, String node, String id, NodeService row) {
        TreeMap<String, NodeService> m = services.get(node);
        NodeService before = m == null ? null : m.get(id);
        serviceRow(node, id, row);
        tx.onRollback(() -> serviceRow(node, id, before));
    }

    private void writeCheck(Tx tx, String node, String id, HealthCheck row) {
        TreeMap<String, HealthCheck> m = checks.get(node);
        HealthCheck before = m == null ? null : m.get(id);
        checkRow(node, id, row);
        tx.onRollback(() -> checkRow(node, id, before));
    }

    /** Sets a per-name index to the Tx's; the undo is registered once per value change. */
    private static void namedIndex(Tx tx, TreeMap<String, Long> m, String name) {
        Long before = m.put(name, tx.index);
        if (before == null || before != tx.index) {
            tx.onRollback(() -> {
                if (before == null) {
                    m.remove(name);
                } else {
                    m.put(name, before);
                }
            });
        }
    }

    private void nodesIndexAt(Tx tx) {
        long before = nodesIndex;
        nodesIndex = tx.index;
        if (before != tx.index) {
            tx.onRollback(() -> nodesIndex = before);
        }
        tx.changes.topic(TOPIC_NODES);
    }

    private void touchNode(Tx tx, String node) {
        namedIndex(tx, nodeIndex, node);
        tx.changes.topic(nodeTopic(node));
    }

    /** A change to instances of {@code name}; {@code structural} when the name/tags listing may change. */
    private void touchService(Tx tx, String name, boolean structural) {
        namedIndex(tx, serviceIndex, name);
        tx.changes.topic(svcTopic(name));
        if (structural) {
            long before = servicesIndex;
            servicesIndex = tx.index;
            if (before != tx.index) {
                tx.onRollback(() -> servicesIndex = before);
            }
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
        long before = checksIndex;
        checksIndex = tx.index;
        if (before != tx.index) {
            tx.onRollback(() -> checksIndex = before);
        }
        tx.changes.topic(TOPIC_CHECKS);
    }

    boolean ensureNode(Tx tx, Node n) {
        Node old = nodes.get(n.node());
        if (n.sameAs(old)) {
            return false;
        }
        writeNode(tx, n.node(), new Node(n.id(), n.node(), n.address(), shared(n.datacenter()), n.taggedAddresses(),
                shared(n.meta()), old == null ? tx.index : old.createIndex(), tx.index));
        nodesIndexAt(tx);
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
        writeService(tx, node, s.id(), s);
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
                    writeCheck(tx, node, c.checkId(), c.withService(s.service(), s.tags()).withIndexes(c.createIndex(), tx.index));
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
        writeCheck(tx, next.node(), next.checkId(), new HealthCheck(next.node(), next.checkId(), shared(next.name()), shared(next.status()), shared(next.notes()),
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
        HealthCheck old = m == null ? null : m.get(checkId);
        if (old == null) {
            return null;
        }
        writeCheck(tx, node, checkId, null);
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
        NodeService old = m == null ? null : m.get(serviceId);
        if (old == null) {
            return List.of();
        }
        writeService(tx, node, serviceId, null);
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
        writeNode(tx, node, null);
        nodesIndexAt(tx);
        touchNode(tx, node);
        return removed;
    }

    /** Rebuilds every secondary index (and the shared strings) after a restore wrote the rows. */
    private void reindex() {
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

    private void clear() {
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

    // ------------------------------------------------------------------ the apply switch's catalog operations

    /** What a catalog write does to the other tables: sessions that depend on a check or a node end. */
    interface Hooks {
        /** A check went critical or was removed. */
        void checkGone(Tx tx, String node, String checkId);

        /** A node was removed (its coordinates and sessions go with it). */
        void nodeGone(Tx tx, String node);
    }

    boolean hasNode(String name) {
        return nodes.containsKey(name);
    }

    /**
     * {@code Command.CatalogRegister}: validates everything first, with Consul's texts, then writes
     * the node, the service and the checks. A failure after the first write is undone by the Tx.
     */
    ApplyResult register(Tx tx, Command.CatalogRegister c, Hooks hooks) {
        Node n = c.node();
        if (n == null || n.node() == null || n.node().isEmpty()) {
            return new ApplyError("Must provide node");
        }
        String node = n.node();
        boolean nodeExists = nodes.containsKey(node);
        List<HealthCheck> cs = c.checks() == null ? List.of() : c.checks();
        for (HealthCheck hc : cs) {
            if (hc.checkId().isEmpty()) {
                return new ApplyError("Missing check ID");
            }
            if (!hc.node().isEmpty() && !hc.node().equals(node)) {
                return new ApplyError("Check node '" + hc.node() + "' does not match node '" + node + "'");
            }
            if (!hc.serviceId().isEmpty()) {
                boolean inRequest = c.service() != null && c.service().id().equals(hc.serviceId());
                Map<String, NodeService> onNode = services.get(node);
                if (!inRequest && (onNode == null || !onNode.containsKey(hc.serviceId()))) {
                    return new ApplyError("Missing service registration");
                }
            }
        }
        if (c.service() != null && c.service().service().isEmpty()) {
            return new ApplyError("Must provide service name");
        }
        if (!c.skipNodeUpdate() || !nodeExists) {
            ensureNode(tx, n);
        }
        if (c.service() != null) {
            ensureService(tx, node, c.service());
        }
        for (HealthCheck hc : cs) {
            HealthCheck next = hc.node().equals(node) ? hc : new HealthCheck(node, hc.checkId(), hc.name(), hc.status(),
                    hc.notes(), hc.output(), hc.serviceId(), hc.serviceName(), hc.serviceTags(), hc.type(), hc.interval(),
                    hc.timeout(), hc.exposedPort(), hc.definition(), 0, 0);
            ensureCheck(tx, next);
            // As Consul's ensureCheckTxn: every write of a critical check ends the sessions that depend
            // on it, not only a passing-to-critical flip. Session create does not (yet) refuse a check
            // that is already critical, so a flip-only rule would let such a session live on.
            if (HealthCheck.CRITICAL.equals(next.status())) {
                hooks.checkGone(tx, node, next.checkId());
            }
        }
        return ApplyResult.Bool.TRUE;
    }

    /** {@code Command.CatalogDeregister}: a service (with its checks), a check, or a whole node. */
    ApplyResult deregister(Tx tx, Command.CatalogDeregister c, Hooks hooks) {
        if (c.node() == null || c.node().isEmpty()) {
            return new ApplyError("Must provide node");
        }
        List<HealthCheck> removed;
        // Consul's precedence (fsm applyDeregister): a service ID wins over a check ID.
        if (c.serviceId() != null && !c.serviceId().isEmpty()) {
            removed = removeService(tx, c.node(), c.serviceId());
        } else if (c.checkId() != null && !c.checkId().isEmpty()) {
            HealthCheck old = removeCheck(tx, c.node(), c.checkId());
            removed = old == null ? List.of() : List.of(old);
        } else {
            removed = removeNode(tx, c.node());
            hooks.nodeGone(tx, c.node());
        }
        for (HealthCheck hc : removed) {
            hooks.checkGone(tx, c.node(), hc.checkId());
        }
        return ApplyResult.Bool.TRUE;
    }

    // ------------------------------------------------------------------ reads with their watches and index

    /** The nodes whose meta has every pair of {@code meta} (all nodes when empty), by name. */
    Store.Read<List<Node>> nodes(WatchSet ws, Map<String, String> meta) {
        ws.watchTopic(TOPIC_NODES);
        return new Store.Read<>(nodesWithMeta(meta), Math.max(1, nodesIndex));
    }

    /** What {@link #serviceNames(WatchSet)} watches and the index it reports, without listing anything. */
    long serviceNamesIndex(WatchSet ws) {
        ws.watchTopic(TOPIC_SERVICES);
        return Math.max(1, Math.max(servicesIndex, nodesIndex));
    }

    /** Service names with the union of their instances' tags. */
    Store.Read<Map<String, List<String>>> serviceNames(WatchSet ws) {
        long idx = serviceNamesIndex(ws);
        return new Store.Read<>(serviceNames(), idx);
    }

    /** What the reads of one service watch and the index they report, without reading any instance. */
    long serviceIndex(WatchSet ws, String name) {
        ws.watchTopic(svcTopic(name));
        return indexOfService(name);
    }

    Store.Read<List<io.roster.api.CatalogService>> catalogServices(WatchSet ws, String name, List<String> tags,
                                                                   Map<String, String> meta) {
        long idx = serviceIndex(ws, name);
        return new Store.Read<>(catalogServices(name, tags, meta), idx);
    }

    Store.Read<List<io.roster.api.ServiceEntry>> serviceEntries(WatchSet ws, String name, List<String> tags,
                                                                Map<String, String> meta) {
        long idx = serviceIndex(ws, name);
        return new Store.Read<>(serviceEntries(name, tags, meta), idx);
    }

    Store.Read<List<HealthCheck>> checksOfService(WatchSet ws, String name) {
        long idx = serviceIndex(ws, name);
        return new Store.Read<>(checksOfService(name), idx);
    }

    /** One node and its services; the value is null when the node is unknown. */
    Store.Read<Store.NodeInfo> node(WatchSet ws, String name) {
        ws.watchTopic(nodeTopic(name));
        Node n = node(name);
        return new Store.Read<>(n == null ? null : new Store.NodeInfo(n, servicesOf(name)), indexOfNode(name));
    }

    /** Every check of a node (node-level and service checks). */
    Store.Read<List<HealthCheck>> checksOf(WatchSet ws, String name) {
        ws.watchTopic(nodeTopic(name));
        return new Store.Read<>(checksOf(name), indexOfNode(name));
    }

    Store.Read<List<HealthCheck>> checksInState(WatchSet ws, String state) {
        ws.watchTopic(TOPIC_CHECKS);
        return new Store.Read<>(checksInState(state), Math.max(1, checksIndex));
    }

    // ------------------------------------------------------------------ snapshot rows and restore

    /** The header's indexes: nodes, services, checks. */
    long[] snapshotIndexes() {
        return new long[] {nodesIndex, servicesIndex, checksIndex};
    }

    /** Nodes, service instances, checks, then the per-service and per-node indexes, each in key order. */
    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (Node n : nodes.values()) {
            out.row(Snapshot.Row.node(n));
        }
        for (Map.Entry<String, TreeMap<String, NodeService>> e : services.entrySet()) {
            for (NodeService svc : e.getValue().values()) {
                out.row(Snapshot.Row.service(e.getKey(), svc));
            }
        }
        for (TreeMap<String, HealthCheck> m : checks.values()) {
            for (HealthCheck hc : m.values()) {
                out.row(Snapshot.Row.check(hc));
            }
        }
        for (Map.Entry<String, Long> e : serviceIndex.entrySet()) {
            out.row(Snapshot.Row.serviceIndex(e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Long> e : nodeIndex.entrySet()) {
            out.row(Snapshot.Row.nodeIndex(e.getKey(), e.getValue()));
        }
    }

    /** Replaces the catalog with a snapshot's rows (no undo, no watch: restore wakes everyone). */
    void restore(Snapshot.Contents c) {
        clear();
        for (Node n : c.nodes()) {
            nodes.put(n.node(), n);
        }
        for (Snapshot.ServiceRow r : c.services()) {
            services.computeIfAbsent(r.node(), k -> new TreeMap<>()).put(r.service().id(), r.service());
        }
        for (HealthCheck hc : c.checks()) {
            checks.computeIfAbsent(hc.node(), k -> new TreeMap<>()).put(hc.checkId(), hc);
        }
        serviceIndex.putAll(c.serviceIndexes());
        nodeIndex.putAll(c.nodeIndexes());
        nodesIndex = c.nodesIndex();
        servicesIndex = c.servicesIndex();
        checksIndex = c.checksIndex();
        reindex();
    }
}
