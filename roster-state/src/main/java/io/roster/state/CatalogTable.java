package io.roster.state;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
    /** Service name to the (node, service ID) pairs of its instances, as "node\0id". */
    private final TreeMap<String, TreeSet<String>> byName = new TreeMap<>();
    final TreeMap<String, Long> serviceIndex = new TreeMap<>();
    final TreeMap<String, Long> nodeIndex = new TreeMap<>();
    long nodesIndex;
    long servicesIndex;
    long checksIndex;

    static String svcTopic(String name) {
        return "svc:" + name;
    }

    static String nodeTopic(String name) {
        return "node:" + name;
    }

    // ------------------------------------------------------------------ reads

    List<NodeService> servicesOf(String node) {
        TreeMap<String, NodeService> m = services.get(node);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    List<HealthCheck> checksOf(String node) {
        TreeMap<String, HealthCheck> m = checks.get(node);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    /** (node, instance) pairs of a service, ordered by node then ID. */
    List<Map.Entry<Node, NodeService>> instances(String name) {
        List<Map.Entry<Node, NodeService>> out = new ArrayList<>();
        Set<String> refs = byName.get(name);
        if (refs == null) {
            return out;
        }
        for (String ref : refs) {
            int z = ref.indexOf('\0');
            String node = ref.substring(0, z);
            NodeService s = services.get(node).get(ref.substring(z + 1));
            out.add(Map.entry(nodes.get(node), s));
        }
        return out;
    }

    /** Every service name with the union of its instances' tags, sorted. */
    TreeMap<String, List<String>> serviceNames() {
        TreeMap<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, TreeSet<String>> e : byName.entrySet()) {
            Set<String> tags = new LinkedHashSet<>();
            for (Map.Entry<Node, NodeService> i : instances(e.getKey())) {
                tags.addAll(i.getValue().tags());
            }
            out.put(e.getKey(), new ArrayList<>(tags));
        }
        return out;
    }

    long indexOfService(String name) {
        return Math.max(1, serviceIndex.getOrDefault(name, Math.max(servicesIndex, nodesIndex)));
    }

    long indexOfNode(String name) {
        return Math.max(1, nodeIndex.getOrDefault(name, nodesIndex));
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
        nodes.put(n.node(), n.withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
        nodesIndex = tx.index;
        tx.changes.topic(TOPIC_NODES);
        touchNode(tx, n.node());
        touchServicesOn(tx, n.node());
        return true;
    }

    boolean ensureService(Tx tx, String node, NodeService s) {
        TreeMap<String, NodeService> m = services.computeIfAbsent(node, k -> new TreeMap<>());
        NodeService old = m.get(s.id());
        if (s.sameAs(old)) {
            return false;
        }
        m.put(s.id(), s.withDatacenter("").withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
        if (old != null && !old.service().equals(s.service())) {
            unlinkName(old.service(), node, old.id());
            touchService(tx, old.service(), true);
        }
        byName.computeIfAbsent(s.service(), k -> new TreeSet<>()).add(node + '\0' + s.id());
        touchService(tx, s.service(), true);
        touchNode(tx, node);
        // Checks of this service carry its name and tags.
        TreeMap<String, HealthCheck> cm = checks.get(node);
        if (cm != null) {
            for (HealthCheck c : new ArrayList<>(cm.values())) {
                if (c.serviceId().equals(s.id()) && (!c.serviceName().equals(s.service()) || !c.serviceTags().equals(s.tags()))) {
                    cm.put(c.checkId(), c.withService(s.service(), s.tags()).withIndexes(c.createIndex(), tx.index));
                    touchChecks(tx);
                }
            }
        }
        return true;
    }

    /** Writes a check; returns the previous one ({@code null} if new), or the same object when unchanged. */
    HealthCheck ensureCheck(Tx tx, HealthCheck c) {
        TreeMap<String, HealthCheck> m = checks.computeIfAbsent(c.node(), k -> new TreeMap<>());
        HealthCheck old = m.get(c.checkId());
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
        m.put(c.checkId(), next.withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
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
        unlinkName(old.service(), node, serviceId);
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
        nodes.remove(node);
        nodesIndex = tx.index;
        tx.changes.topic(TOPIC_NODES);
        touchNode(tx, node);
        return removed;
    }

    private void unlinkName(String name, String node, String id) {
        TreeSet<String> refs = byName.get(name);
        if (refs != null) {
            refs.remove(node + '\0' + id);
            if (refs.isEmpty()) {
                byName.remove(name);
            }
        }
    }

    /** Rebuilds the name index after a restore. */
    void reindex() {
        byName.clear();
        for (Map.Entry<String, TreeMap<String, NodeService>> e : services.entrySet()) {
            for (NodeService s : e.getValue().values()) {
                byName.computeIfAbsent(s.service(), k -> new TreeSet<>()).add(e.getKey() + '\0' + s.id());
            }
        }
    }

    void clear() {
        nodes.clear();
        services.clear();
        checks.clear();
        byName.clear();
        serviceIndex.clear();
        nodeIndex.clear();
        nodesIndex = 0;
        servicesIndex = 0;
        checksIndex = 0;
    }
}
