package io.roster.state;

import static io.roster.state.Cmds.check;
import static io.roster.state.Cmds.deregisterService;
import static io.roster.state.Cmds.node;
import static io.roster.state.Cmds.nodeCheck;
import static io.roster.state.Cmds.register;
import static io.roster.state.Cmds.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.CatalogService;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 25: no catalog read scans what it does not return. A catalog in the shape of Consul's
 * Global Scale Benchmark (here 600 nodes x 17 services, one check per instance, a node check,
 * node meta, a rare tag) is read through every indexed read, and the table's rows-touched counter
 * ({@link Store#catalogRowsTouched()}) must stay within a small multiple of the answer's size, not
 * of the catalog's (10,200 instances, 10,800 checks). Each answer is also checked against a brute
 * force computation over the rows the test registered, so a read that returns too little fails too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogReadCostTest {
    private static final int NODES = 600;
    private static final int SERVICES = 17;
    private final Store store = new Store();
    /** What the test registered: node name to its meta, and (node, service) rows with their tags and check status. */
    private final TreeMap<String, Map<String, String>> metaOf = new TreeMap<>();
    private final List<String[]> rows = new ArrayList<>();

    @BeforeAll
    void fill() {
        long index = 1;
        for (int n = 0; n < NODES; n++) {
            String name = String.format("node-%04d", n);
            Map<String, String> meta = Map.of("rack", "r" + (n % 20), "zone", "z" + (n % 3));
            metaOf.put(name, meta);
            store.apply(index++, register(node(name, "10.1." + (n / 250) + "." + (n % 250), meta),
                    nodeCheck(name, "serfHealth", HealthCheck.PASSING)));
            for (int s = 0; s < SERVICES; s++) {
                String svc = "svc-" + s;
                String id = svc + "-" + n;
                boolean canary = n % 50 == 0;
                String status = n % 97 == 0 ? HealthCheck.CRITICAL : HealthCheck.PASSING;
                NodeService ns = canary ? service(id, svc, "v1", "canary") : service(id, svc, "v1");
                store.apply(index++, register(node(name, "10.1." + (n / 250) + "." + (n % 250), meta), ns,
                        check(name, "service:" + id, status, id)));
                rows.add(new String[] {name, svc, id, canary ? "canary" : "", status});
            }
        }
    }

    /** Runs a read and returns how many rows it touched. */
    private <T> long cost(Supplier<T> read, List<T> answer) {
        long before = store.catalogRowsTouched();
        answer.add(read.get());
        return store.catalogRowsTouched() - before;
    }

    @Test
    void serviceNamesTouchNamesAndTagsOnly() {
        List<Map<String, List<String>>> a = new ArrayList<>();
        long cost = cost(() -> store.serviceNames(WatchSet.NONE).value(), a);
        assertThat(a.get(0)).hasSize(SERVICES);
        assertThat(a.get(0).get("svc-3")).containsExactly("canary", "v1");
        int tags = a.get(0).values().stream().mapToInt(List::size).sum();
        System.out.println("CatalogReadCostTest catalog/services: " + cost + " rows for " + SERVICES + " names, " + tags + " tags");
        assertThat(cost).isLessThanOrEqualTo(SERVICES + tags);
    }

    @Test
    void serviceInstancesTouchTheirInstancesOnly() {
        List<List<CatalogService>> a = new ArrayList<>();
        long cost = cost(() -> store.catalogService(WatchSet.NONE, "svc-5").value(), a);
        assertThat(a.get(0)).hasSize(NODES).allSatisfy(s -> assertThat(s.serviceName()).isEqualTo("svc-5"));
        assertThat(cost).isLessThanOrEqualTo(NODES + 1);
    }

    @Test
    void aTagNarrowsThroughTheTagIndex() {
        List<List<CatalogService>> a = new ArrayList<>();
        long cost = cost(() -> store.catalogService(WatchSet.NONE, "svc-5", List.of("canary"), Map.of()).value(), a);
        long expected = rows.stream().filter(r -> r[1].equals("svc-5") && r[3].equals("canary")).count();
        assertThat(a.get(0)).hasSize((int) expected).allSatisfy(s -> assertThat(s.serviceTags()).contains("canary"));
        System.out.println("CatalogReadCostTest catalog/service?tag: " + cost + " rows for " + expected + " instances");
        assertThat(cost).isLessThanOrEqualTo(expected + 3);
    }

    @Test
    void nodeMetaNarrowsThroughTheMetaIndex() {
        List<List<Node>> a = new ArrayList<>();
        Map<String, String> meta = Map.of("rack", "r7", "zone", "z1");
        long cost = cost(() -> store.nodes(WatchSet.NONE, meta).value(), a);
        List<String> expected = metaOf.entrySet().stream()
                .filter(e -> e.getValue().entrySet().containsAll(meta.entrySet())).map(Map.Entry::getKey).toList();
        assertThat(a.get(0)).extracting(Node::node).containsExactlyElementsOf(expected);
        // The rack r7 set (30 nodes) is walked, the zone checked on each: 30 + the two index probes.
        assertThat(cost).isLessThanOrEqualTo(NODES / 20 + meta.size());

        List<List<ServiceEntry>> h = new ArrayList<>();
        long hcost = cost(() -> store.serviceHealth(WatchSet.NONE, "svc-2", List.of(), Map.of("rack", "r7")).value(), h);
        assertThat(h.get(0)).hasSize(NODES / 20).allSatisfy(e -> assertThat(e.node().meta()).containsEntry("rack", "r7"));
        System.out.println("CatalogReadCostTest health/service?node-meta: " + hcost + " rows for " + h.get(0).size() + " entries");
        // 30 nodes, each with its 17 services looked at, and each answer's two check groups.
        assertThat(hcost).isLessThanOrEqualTo((long) (NODES / 20) * (1 + SERVICES + 2) + 3);
    }

    @Test
    void serviceHealthTouchesItsInstancesAndTheirChecksOnly() {
        List<List<ServiceEntry>> a = new ArrayList<>();
        long cost = cost(() -> store.serviceHealth(WatchSet.NONE, "svc-9").value(), a);
        assertThat(a.get(0)).hasSize(NODES);
        for (ServiceEntry e : a.get(0)) {
            assertThat(e.checks()).extracting(HealthCheck::checkId)
                    .containsExactly("serfHealth", "service:" + e.service().id());
        }
        System.out.println("CatalogReadCostTest health/service: " + cost + " rows for " + NODES + " entries (catalog: "
                + rows.size() + " instances)");
        // Per entry: the instance, the node's own checks, the instance's checks (each at least one probe).
        assertThat(cost).isLessThanOrEqualTo(3L * NODES + 1);
    }

    @Test
    void checksInAStateComeFromTheStatusIndex() {
        List<List<HealthCheck>> a = new ArrayList<>();
        long cost = cost(() -> store.checksInState(WatchSet.NONE, HealthCheck.CRITICAL).value(), a);
        long expected = rows.stream().filter(r -> r[4].equals(HealthCheck.CRITICAL)).count();
        assertThat(a.get(0)).hasSize((int) expected).allSatisfy(c -> assertThat(c.status()).isEqualTo(HealthCheck.CRITICAL));
        assertThat(a.get(0)).extracting(c -> c.node() + "/" + c.checkId()).isSorted();
        assertThat(cost).isLessThanOrEqualTo(expected + 1);
    }

    @Test
    void oneNodeTouchesItsOwnRowsOnly() {
        List<Store.NodeInfo> a = new ArrayList<>();
        long cost = cost(() -> store.node(WatchSet.NONE, "node-0123").value(), a);
        assertThat(a.get(0).services()).hasSize(SERVICES);
        assertThat(cost).isLessThanOrEqualTo(1 + SERVICES);
        List<List<HealthCheck>> c = new ArrayList<>();
        assertThat(cost(() -> store.nodeChecks(WatchSet.NONE, "node-0123").value(), c)).isLessThanOrEqualTo(1 + SERVICES);
        assertThat(c.get(0)).hasSize(1 + SERVICES);
    }

    /** The indexes follow deregistration and re-registration with other tags, and agree with the rows. */
    @Test
    void indexesFollowChangesAndMatchTheRows() throws java.io.IOException {
        Store s = new Store();
        long index = 1;
        for (int n = 0; n < 40; n++) {
            String name = "n" + n;
            s.apply(index++, register(node(name, "10.2.0." + n, Map.of("rack", "r" + (n % 4))), service("a-" + n, "a", "t" + (n % 5)),
                    check(name, "service:a-" + n, n % 2 == 0 ? HealthCheck.PASSING : HealthCheck.WARNING, "a-" + n)));
        }
        // Move some instances to other tags, drop some, flip check states.
        for (int n = 0; n < 40; n += 3) {
            String name = "n" + n;
            s.apply(index++, register(node(name, "10.2.0." + n, Map.of("rack", "moved")), service("a-" + n, "a", "t9"),
                    check(name, "service:a-" + n, HealthCheck.CRITICAL, "a-" + n)));
        }
        for (int n = 1; n < 40; n += 7) {
            s.apply(index++, deregisterService("n" + n, "a-" + n));
        }
        TreeSet<String> byTagT9 = new TreeSet<>();
        TreeSet<String> onMoved = new TreeSet<>();
        TreeSet<String> critical = new TreeSet<>();
        for (CatalogService cs : s.catalogService(WatchSet.NONE, "a").value()) {
            if (cs.serviceTags().contains("t9")) {
                byTagT9.add(cs.serviceId());
            }
            if ("moved".equals(cs.nodeMeta().get("rack"))) {
                onMoved.add(cs.serviceId());
            }
        }
        for (ServiceEntry e : s.serviceHealth(WatchSet.NONE, "a").value()) {
            if (e.checks().stream().anyMatch(c -> c.status().equals(HealthCheck.CRITICAL))) {
                critical.add(e.service().id());
            }
        }
        assertThat(byTagT9).isNotEmpty();
        assertThat(s.catalogService(WatchSet.NONE, "a", List.of("t9"), Map.of()).value())
                .extracting(CatalogService::serviceId).containsExactlyInAnyOrderElementsOf(byTagT9);
        assertThat(s.catalogService(WatchSet.NONE, "a", List.of(), Map.of("rack", "moved")).value())
                .extracting(CatalogService::serviceId).containsExactlyInAnyOrderElementsOf(onMoved);
        assertThat(s.catalogService(WatchSet.NONE, "a", List.of("t0"), Map.of("rack", "moved")).value()).isEmpty();
        assertThat(s.checksInState(WatchSet.NONE, HealthCheck.CRITICAL).value())
                .extracting(HealthCheck::serviceId).containsExactlyInAnyOrderElementsOf(critical);
        assertThat(s.nodes(WatchSet.NONE, Map.of("rack", "r0")).value()).extracting(Node::node)
                .allSatisfy(n -> assertThat(Integer.parseInt(n.substring(1)) % 3).isNotZero());
        assertThat(s.serviceNames(WatchSet.NONE).value().get("a")).doesNotContain("t0x").contains("t9");
        // A restore rebuilds the same indexes.
        Store restored = new Store();
        Snapshots.restore(restored, Snapshots.bytes(s));
        assertThat(restored.catalogService(WatchSet.NONE, "a", List.of("t9"), Map.of()).value())
                .isEqualTo(s.catalogService(WatchSet.NONE, "a", List.of("t9"), Map.of()).value());
        assertThat(restored.checksInState(WatchSet.NONE, HealthCheck.WARNING).value())
                .isEqualTo(s.checksInState(WatchSet.NONE, HealthCheck.WARNING).value());
        assertThat(restored.nodes(WatchSet.NONE, Map.of("rack", "moved")).value())
                .isEqualTo(s.nodes(WatchSet.NONE, Map.of("rack", "moved")).value());
        assertThat(restored.serviceNames(WatchSet.NONE).value()).isEqualTo(s.serviceNames(WatchSet.NONE).value());
    }
}
