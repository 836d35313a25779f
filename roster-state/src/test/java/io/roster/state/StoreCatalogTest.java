package io.roster.state;

import static io.roster.api.HealthCheck.CRITICAL;
import static io.roster.api.HealthCheck.PASSING;
import static io.roster.api.HealthCheck.WARNING;
import static io.roster.state.Cmds.check;
import static io.roster.state.Cmds.deregisterCheck;
import static io.roster.state.Cmds.deregisterNode;
import static io.roster.state.Cmds.deregisterService;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.node;
import static io.roster.state.Cmds.nodeCheck;
import static io.roster.state.Cmds.register;
import static io.roster.state.Cmds.service;
import static io.roster.state.Cmds.sessionOn;
import static io.roster.state.Cmds.set;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.CatalogService;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceEntry;
import io.roster.api.SessionEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The catalog: registration and deregistration of nodes, services and checks, the reads and their
 * indexes, which writes wake which readers, and the sessions that die with their checks or node.
 * Consul's {@code state/catalog.go} is the reference for every rule tested here.
 */
class StoreCatalogTest {
    private final Store store = new Store();
    /** What the invalidation listener was told, as "session-id [held keys]". */
    private final List<String> invalidated = new ArrayList<>();

    @BeforeEach
    void listen() {
        store.onInvalidation((s, keys) -> invalidated.add(s.id() + " " + keys));
    }

    // ------------------------------------------------------------------ helpers

    /** node1 runs web-1 and db-1, node2 runs web-2; each node has serfHealth, each instance a check. */
    private void twoNodes() {
        assertThat(store.apply(1, register(node("node1"), service("web-1", "web", "v1", "primary"),
                nodeCheck("node1", "serfHealth", PASSING), check("node1", "service:web-1", PASSING, "web-1"))))
                .isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(store.apply(2, register(node("node1"), service("db-1", "db"),
                check("node1", "service:db-1", PASSING, "db-1")))).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(store.apply(3, register(node("node2", "10.0.0.2"), service("web-2", "web", "v2", "v1"),
                nodeCheck("node2", "serfHealth", PASSING), check("node2", "service:web-2", PASSING, "web-2"))))
                .isEqualTo(ApplyResult.Bool.TRUE);
    }

    private Node nodeRow(String name) {
        Store.NodeInfo info = store.node(WatchSet.NONE, name).value();
        return info == null ? null : info.node();
    }

    private NodeService serviceRow(String node, String id) {
        return store.node(WatchSet.NONE, node).value().services().stream().filter(s -> s.id().equals(id))
                .findFirst().orElse(null);
    }

    private HealthCheck checkRow(String node, String id) {
        return store.nodeChecks(WatchSet.NONE, node).value().stream().filter(c -> c.checkId().equals(id))
                .findFirst().orElse(null);
    }

    private long serviceIndex(String name) {
        return store.serviceHealth(WatchSet.NONE, name).index();
    }

    private long nodeIndex(String name) {
        return store.node(WatchSet.NONE, name).index();
    }

    private List<String> instances(String name) {
        return store.catalogService(WatchSet.NONE, name).value().stream().map(c -> c.node() + "/" + c.serviceId())
                .toList();
    }

    /** A parked reader registered by {@code read}, and how often it fired. */
    private record Probe(Watches.Waiter waiter, AtomicInteger fired) {
        boolean woken() {
            return fired.get() > 0;
        }
    }

    private Probe probe(Consumer<WatchSet> read) {
        AtomicInteger fired = new AtomicInteger();
        Watches.Waiter w = store.watches().newWaiter(fired::incrementAndGet);
        read.accept(w);
        return new Probe(w, fired);
    }

    // ------------------------------------------------------------------ register

    @Nested
    class Register {
        @Test
        void storesNodeServiceAndChecksAtTheCommandIndex() {
            Node n = new Node("a1b2", "node1", "10.0.0.1", "dc1", Map.of("wan", "1.2.3.4"), Map.of("rack", "r1"), 0, 0);
            NodeService s = new NodeService(null, "web-1", "web", List.of("v1"), "10.0.0.11", null, Map.of("v", "1"),
                    8080, null, false, "dc1", 0, 0);
            assertThat(store.apply(7, register(n, s, nodeCheck("node1", "serfHealth", PASSING),
                    check("node1", "service:web-1", WARNING, "web-1")))).isEqualTo(ApplyResult.Bool.TRUE);

            assertThat(nodeRow("node1")).isEqualTo(n.withIndexes(7, 7));
            assertThat(serviceRow("node1", "web-1")).as("the datacenter is not stored with the instance")
                    .isEqualTo(s.withDatacenter("").withIndexes(7, 7));
            assertThat(checkRow("node1", "serfHealth")).isEqualTo(nodeCheck("node1", "serfHealth", PASSING).withIndexes(7, 7));
            assertThat(checkRow("node1", "service:web-1")).isEqualTo(check("node1", "service:web-1", WARNING, "web-1")
                    .withService("web", List.of("v1")).withIndexes(7, 7));
            assertThat(store.nodes(WatchSet.NONE).index()).isEqualTo(7);
            assertThat(serviceIndex("web")).isEqualTo(7);
            assertThat(nodeIndex("node1")).isEqualTo(7);
            assertThat(store.checksInState(WatchSet.NONE, "any").index()).isEqualTo(7);
        }

        @Test
        void identicalReRegistrationChangesNothingBumpsNoIndexAndWakesNobody() {
            twoNodes();
            String before = Snapshots.tables(store);
            List<Probe> probes = List.of(probe(w -> store.serviceHealth(w, "web")), probe(store::nodes),
                    probe(store::serviceNames), probe(w -> store.node(w, "node1")),
                    probe(w -> store.checksInState(w, "any")));

            assertThat(store.apply(9, register(node("node1"), service("web-1", "web", "v1", "primary"),
                    nodeCheck("node1", "serfHealth", PASSING), check("node1", "service:web-1", PASSING, "web-1"))))
                    .isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.apply(10, register(node("node1"), service("db-1", "db")))).isEqualTo(ApplyResult.Bool.TRUE);
            // The check names its service with a stale name and tags: they are filled in, so still identical.
            HealthCheck stale = check("node1", "service:db-1", PASSING, "db-1").withService("wrong", List.of("x"));
            assertThat(store.apply(11, register(node("node1"), stale))).isEqualTo(ApplyResult.Bool.TRUE);

            assertThat(Snapshots.tables(store)).isEqualTo(before);
            assertThat(probes).noneMatch(Probe::woken);
            assertThat(serviceIndex("web")).isEqualTo(3);
            assertThat(serviceIndex("db")).isEqualTo(2);
        }

        @Test
        void updatesKeepCreateIndexAndMoveModifyIndex() {
            twoNodes();
            store.apply(5, register(node("node1", "10.0.0.99")));
            store.apply(6, register(node("node1", "10.0.0.99"), new NodeService(null, "web-1", "web", List.of("v1", "primary"),
                    "", null, null, 9090, null, false, null, 0, 0)));
            store.apply(7, register(node("node1", "10.0.0.99"), check("node1", "service:web-1", CRITICAL, "web-1")));

            assertThat(nodeRow("node1").address()).isEqualTo("10.0.0.99");
            assertThat(nodeRow("node1").createIndex()).isEqualTo(1);
            assertThat(nodeRow("node1").modifyIndex()).isEqualTo(5);
            assertThat(serviceRow("node1", "web-1").port()).isEqualTo(9090);
            assertThat(serviceRow("node1", "web-1").createIndex()).isEqualTo(1);
            assertThat(serviceRow("node1", "web-1").modifyIndex()).isEqualTo(6);
            assertThat(checkRow("node1", "service:web-1").status()).isEqualTo(CRITICAL);
            assertThat(checkRow("node1", "service:web-1").createIndex()).isEqualTo(1);
            assertThat(checkRow("node1", "service:web-1").modifyIndex()).isEqualTo(7);
            assertThat(nodeRow("node2").modifyIndex()).isEqualTo(3);
        }

        @Test
        void registrationLeavesRowsItDoesNotMentionAlone() {
            twoNodes();
            store.apply(5, register(node("node1"), service("cache-1", "cache")));
            assertThat(store.node(WatchSet.NONE, "node1").value().services()).extracting(NodeService::id)
                    .containsExactly("cache-1", "db-1", "web-1");
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").value()).extracting(HealthCheck::checkId)
                    .containsExactly("serfHealth", "service:db-1", "service:web-1");
        }

        @Test
        void skipNodeUpdateKeepsTheExistingNodeRowButWritesTheRest() {
            twoNodes();
            Node before = nodeRow("node1");
            assertThat(store.apply(5, new Command.CatalogRegister(node("node1", "10.0.0.99"), service("cache-1", "cache"),
                    List.of(check("node1", "service:cache-1", PASSING, "cache-1")), true))).isEqualTo(ApplyResult.Bool.TRUE);

            assertThat(nodeRow("node1")).isEqualTo(before);
            assertThat(store.nodes(WatchSet.NONE).index()).isEqualTo(3);
            assertThat(instances("cache")).containsExactly("node1/cache-1");
            assertThat(checkRow("node1", "service:cache-1").serviceName()).isEqualTo("cache");
        }

        @Test
        void skipNodeUpdateStillCreatesAMissingNode() {
            assertThat(store.apply(4, new Command.CatalogRegister(node("node9", "10.0.0.9"), null, List.of(), true)))
                    .isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(nodeRow("node9").address()).isEqualTo("10.0.0.9");
            assertThat(nodeRow("node9").createIndex()).isEqualTo(4);
        }

        @Test
        void checkOfAMissingServiceIsRefusedWithoutEffect() {
            twoNodes();
            String before = Snapshots.tables(store);
            Probe web = probe(w -> store.serviceHealth(w, "web"));

            // Everything else in the request is fine: none of it is written.
            Object r = store.apply(5, register(node("node1", "10.0.0.99"), service("cache-1", "cache"),
                    nodeCheck("node1", "serfHealth", CRITICAL), check("node1", "service:nope", PASSING, "nope")));
            assertThat(r).isEqualTo(new ApplyError("Missing service registration"));
            // web-2 runs on node2, not node1.
            assertThat(store.apply(6, register(node("node1"), check("node1", "service:web-2", PASSING, "web-2"))))
                    .isEqualTo(new ApplyError("Missing service registration"));

            assertThat(Snapshots.tables(store)).isEqualTo(before);
            assertThat(web.woken()).isFalse();
        }

        @Test
        void checkOfTheServiceInTheSameRequestIsAccepted() {
            assertThat(store.apply(1, register(node("node1"), service("web-1", "web"),
                    check("node1", "service:web-1", PASSING, "web-1")))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(checkRow("node1", "service:web-1").serviceName()).isEqualTo("web");
        }

        @Test
        void invalidRequestsAreRefusedWithoutEffect() {
            twoNodes();
            String before = Snapshots.tables(store);
            assertThat(store.apply(5, register(node(""), service("x-1", "x")))).isEqualTo(new ApplyError("Must provide node"));
            assertThat(store.apply(6, new Command.CatalogRegister(null, null, null, false)))
                    .isEqualTo(new ApplyError("Must provide node"));
            assertThat(store.apply(7, register(node("node1"), nodeCheck("node1", "", PASSING))))
                    .isEqualTo(new ApplyError("Missing check ID"));
            assertThat(store.apply(8, register(node("node1"), nodeCheck("node2", "serfHealth", CRITICAL))))
                    .isEqualTo(new ApplyError("Check node 'node2' does not match node 'node1'"));
            assertThat(store.apply(9, register(node("node1"), service("x-1", ""))))
                    .isEqualTo(new ApplyError("Must provide service name"));
            assertThat(Snapshots.tables(store)).isEqualTo(before);
        }

        @Test
        void checkWithoutNodeGetsTheRegistrationsNode() {
            store.apply(1, register(node("node1"), nodeCheck("", "serfHealth", PASSING)));
            assertThat(checkRow("node1", "serfHealth").node()).isEqualTo("node1");
        }

        @Test
        void checkStatusDefaultsToCritical() {
            store.apply(1, register(node("node1"), service("web-1", "web"),
                    new HealthCheck("node1", "a", "a", null, null, null, "web-1", null, null, null, null, null, 0, null, 0, 0),
                    new HealthCheck("node1", "b", "b", "", null, null, "", null, null, null, null, null, 0, null, 0, 0)));
            assertThat(checkRow("node1", "a").status()).isEqualTo(CRITICAL);
            assertThat(checkRow("node1", "b").status()).isEqualTo(CRITICAL);
            assertThat(store.checksInState(WatchSet.NONE, CRITICAL).value()).extracting(HealthCheck::checkId)
                    .containsExactly("a", "b");
        }

        @Test
        void checkServiceNameAndTagsComeFromTheService() {
            store.apply(1, register(node("node1"), service("web-1", "web", "v1", "primary"),
                    check("node1", "svc", PASSING, "web-1").withService("bogus", List.of("x")),
                    nodeCheck("node1", "serfHealth", PASSING).withService("bogus", List.of("x"))));
            assertThat(checkRow("node1", "svc").serviceName()).isEqualTo("web");
            assertThat(checkRow("node1", "svc").serviceTags()).containsExactly("v1", "primary");
            assertThat(checkRow("node1", "serfHealth").serviceName()).as("a node check has no service").isEmpty();
            assertThat(checkRow("node1", "serfHealth").serviceTags()).isEmpty();
        }

        @Test
        void aTagChangeOfTheServiceIsCopiedIntoItsChecks() {
            twoNodes();
            Probe checks = probe(w -> store.checksInState(w, PASSING));
            Probe db = probe(w -> store.serviceHealth(w, "db"));
            store.apply(5, register(node("node1"), service("web-1", "web", "v2")));

            HealthCheck c = checkRow("node1", "service:web-1");
            assertThat(c.serviceTags()).containsExactly("v2");
            assertThat(c.createIndex()).isEqualTo(1);
            assertThat(c.modifyIndex()).isEqualTo(5);
            assertThat(store.checksInState(WatchSet.NONE, "any").index()).isEqualTo(5);
            assertThat(checks.woken()).isTrue();
            assertThat(checkRow("node1", "service:db-1").modifyIndex()).isEqualTo(2);
            assertThat(checkRow("node2", "service:web-2").serviceTags()).as("another instance's check")
                    .containsExactly("v2", "v1");
            assertThat(db.woken()).isFalse();
        }

        @Test
        void renamingAnInstanceMovesItAndItsChecksToTheNewName() {
            twoNodes();
            store.apply(5, register(node("node2"), service("web-2", "api", "v2")));
            assertThat(instances("web")).containsExactly("node1/web-1");
            assertThat(instances("api")).containsExactly("node2/web-2");
            assertThat(checkRow("node2", "service:web-2").serviceName()).isEqualTo("api");
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("api")).isEqualTo(5);
            assertThat(store.serviceChecks(WatchSet.NONE, "api").value()).extracting(HealthCheck::checkId)
                    .containsExactly("service:web-2");
        }

        @Test
        void aNodeCheckThatBecomesAServiceCheckChangesEveryServiceOnTheNode() {
            twoNodes();
            store.apply(4, register(node("node1"), nodeCheck("node1", "maint", PASSING)));
            assertThat(store.serviceHealth(WatchSet.NONE, "db").value().getFirst().checks()).extracting(HealthCheck::checkId)
                    .contains("maint");
            Probe db = probe(w -> store.serviceHealth(w, "db"));

            store.apply(6, register(node("node1"), check("node1", "maint", PASSING, "web-1")));

            assertThat(store.serviceHealth(WatchSet.NONE, "db").value().getFirst().checks()).extracting(HealthCheck::checkId)
                    .doesNotContain("maint");
            assertThat(serviceIndex("db")).as("db's health changed").isEqualTo(6);
            assertThat(db.woken()).isTrue();
        }
    }

    // ------------------------------------------------------------------ deregister

    @Nested
    class Deregister {
        @Test
        void aCheck() {
            twoNodes();
            assertThat(store.apply(5, deregisterCheck("node1", "service:web-1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(checkRow("node1", "service:web-1")).isNull();
            assertThat(instances("web")).containsExactly("node1/web-1", "node2/web-2");
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(2);
            assertThat(nodeIndex("node1")).isEqualTo(5);
            assertThat(store.checksInState(WatchSet.NONE, "any").index()).isEqualTo(5);
        }

        @Test
        void aNodeCheckChangesEveryServiceOnTheNode() {
            twoNodes();
            store.apply(5, deregisterCheck("node1", "serfHealth"));
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(5);
            assertThat(nodeIndex("node2")).isEqualTo(3);
        }

        @Test
        void aServiceTakesItsChecksAlongButNotTheNodes() {
            twoNodes();
            assertThat(store.apply(5, deregisterService("node1", "web-1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(instances("web")).containsExactly("node2/web-2");
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").value()).extracting(HealthCheck::checkId)
                    .containsExactly("serfHealth", "service:db-1");
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(2);
            assertThat(store.serviceNames(WatchSet.NONE).value().get("web")).as("web-1's tags are gone")
                    .containsExactly("v1", "v2");
        }

        @Test
        void theLastInstanceTakesTheNameButNotItsIndex() {
            twoNodes();
            store.apply(5, deregisterService("node1", "db-1"));
            assertThat(store.serviceNames(WatchSet.NONE).value()).containsOnlyKeys("web");
            assertThat(store.catalogService(WatchSet.NONE, "db").value()).isEmpty();
            assertThat(serviceIndex("db")).isEqualTo(5);
            store.apply(7, register(node("node2"), check("node2", "service:web-2", WARNING, "web-2")));
            store.apply(8, register(node("node3"), service("cache-1", "cache")));
            assertThat(serviceIndex("db")).as("later changes elsewhere, new names included, do not move it").isEqualTo(5);
            assertThat(serviceIndex("never")).as("a name never seen gets the list index").isEqualTo(8);
            store.apply(9, register(node("node2"), service("db-2", "db")));
            assertThat(serviceIndex("db")).isEqualTo(9);
        }

        @Test
        void aNodeTakesEverythingOnIt() {
            twoNodes();
            assertThat(store.apply(5, deregisterNode("node1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.nodes(WatchSet.NONE).value()).extracting(Node::node).containsExactly("node2");
            assertThat(store.nodes(WatchSet.NONE).index()).isEqualTo(5);
            assertThat(store.node(WatchSet.NONE, "node1").value()).isNull();
            assertThat(nodeIndex("node1")).as("kept for readers of the gone node").isEqualTo(5);
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").value()).isEmpty();
            assertThat(instances("web")).containsExactly("node2/web-2");
            assertThat(instances("db")).isEmpty();
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(5);
            assertThat(store.serviceNames(WatchSet.NONE).value()).containsOnlyKeys("web");
            assertThat(store.checksInState(WatchSet.NONE, "any").value()).extracting(HealthCheck::node)
                    .containsOnly("node2");
        }

        @Test
        void whatIsNotThereIsANoOp() {
            twoNodes();
            String before = Snapshots.tables(store);
            assertThat(store.apply(5, deregisterCheck("node1", "nope"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.apply(6, deregisterService("node1", "nope"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.apply(7, deregisterService("node2", "db-1"))).as("db-1 is on node1").isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.apply(8, deregisterNode("node9"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(Snapshots.tables(store)).isEqualTo(before);
        }

        @Test
        void aServiceIdWinsOverACheckIdAsInConsul() {
            twoNodes();
            store.apply(5, new Command.CatalogDeregister("node1", "db-1", "serfHealth"));
            assertThat(instances("db")).isEmpty();
            assertThat(checkRow("node1", "serfHealth")).as("the check ID is ignored").isNotNull();
        }

        @Test
        void aNodeIsRequired() {
            twoNodes();
            String before = Snapshots.tables(store);
            assertThat(store.apply(5, deregisterNode(""))).isEqualTo(new ApplyError("Must provide node"));
            assertThat(store.apply(6, deregisterService(null, "web-1"))).isEqualTo(new ApplyError("Must provide node"));
            assertThat(Snapshots.tables(store)).isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------ reads

    @Nested
    class Reads {
        @Test
        void anEmptyCatalogAnswersWithIndexOne() {
            assertThat(store.nodes(WatchSet.NONE).index()).isEqualTo(1);
            assertThat(store.serviceNames(WatchSet.NONE).index()).isEqualTo(1);
            assertThat(store.catalogService(WatchSet.NONE, "web").index()).isEqualTo(1);
            assertThat(store.serviceHealth(WatchSet.NONE, "web").index()).isEqualTo(1);
            assertThat(store.serviceChecks(WatchSet.NONE, "web").index()).isEqualTo(1);
            assertThat(store.node(WatchSet.NONE, "node1").index()).isEqualTo(1);
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").index()).isEqualTo(1);
            assertThat(store.checksInState(WatchSet.NONE, "any").index()).isEqualTo(1);
            assertThat(store.node(WatchSet.NONE, "node1").value()).isNull();
            assertThat(store.catalogService(WatchSet.NONE, "web").value()).isEmpty();
        }

        @Test
        void catalogServiceFlattensNodeAndInstanceOrderedByNodeThenId() {
            twoNodes();
            store.apply(4, register(node("node1"), service("web-0", "web")));
            List<CatalogService> web = store.catalogService(WatchSet.NONE, "web").value();
            assertThat(web).extracting(c -> c.node() + "/" + c.serviceId())
                    .containsExactly("node1/web-0", "node1/web-1", "node2/web-2");
            assertThat(web.get(2)).isEqualTo(CatalogService.of(nodeRow("node2"), serviceRow("node2", "web-2")));
            assertThat(web.get(2).address()).isEqualTo("10.0.0.2");
            assertThat(web.get(2).serviceTags()).containsExactly("v2", "v1");
        }

        @Test
        void serviceHealthHasNodeChecksAndTheInstancesOwnChecksOnly() {
            twoNodes();
            List<ServiceEntry> web = store.serviceHealth(WatchSet.NONE, "web").value();
            assertThat(web).hasSize(2);
            assertThat(web.get(0).node()).isEqualTo(nodeRow("node1"));
            assertThat(web.get(0).service()).isEqualTo(serviceRow("node1", "web-1"));
            assertThat(web.get(0).checks()).extracting(HealthCheck::checkId)
                    .containsExactly("serfHealth", "service:web-1");
            assertThat(web.get(1).checks()).extracting(c -> c.node() + "/" + c.checkId())
                    .containsExactly("node2/serfHealth", "node2/service:web-2");
        }

        @Test
        void serviceHealthListsNodeChecksBeforeTheInstancesOwnAsConsulDoes() {
            twoNodes();
            store.apply(4, register(node("node1"), nodeCheck("node1", "zz-disk", PASSING),
                    check("node1", "a-web", PASSING, "web-1"), nodeCheck("node1", "alive", PASSING)));
            assertThat(store.serviceHealth(WatchSet.NONE, "web").value().getFirst().checks()).extracting(HealthCheck::checkId)
                    .containsExactly("alive", "serfHealth", "zz-disk", "a-web", "service:web-1");
        }

        @Test
        void serviceChecksAreTheChecksOfEveryInstanceWithoutNodeChecks() {
            twoNodes();
            assertThat(store.serviceChecks(WatchSet.NONE, "web").value()).extracting(c -> c.node() + "/" + c.checkId())
                    .containsExactly("node1/service:web-1", "node2/service:web-2");
            assertThat(store.serviceChecks(WatchSet.NONE, "nope").value()).isEmpty();
        }

        @Test
        void nodeAndNodeChecks() {
            twoNodes();
            Store.NodeInfo n1 = store.node(WatchSet.NONE, "node1").value();
            assertThat(n1.node().node()).isEqualTo("node1");
            assertThat(n1.services()).extracting(NodeService::id).containsExactly("db-1", "web-1");
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").value()).extracting(HealthCheck::checkId)
                    .containsExactly("serfHealth", "service:db-1", "service:web-1");
            assertThat(store.nodeChecks(WatchSet.NONE, "node1").index()).isEqualTo(2);
            assertThat(store.node(WatchSet.NONE, "node2").index()).isEqualTo(3);
        }

        @Test
        void serviceNamesAreSortedWithTheUnionOfTheirInstancesTags() {
            twoNodes();
            store.apply(4, register(node("node2"), service("cache-1", "cache")));
            Map<String, List<String>> names = store.serviceNames(WatchSet.NONE).value();
            assertThat(names.keySet()).containsExactly("cache", "db", "web");
            // Sorted: Consul's order is Go map order (none), and a restored store must answer the same.
            assertThat(names.get("web")).containsExactly("primary", "v1", "v2");
            assertThat(names.get("db")).isEmpty();
            assertThat(store.serviceNames(WatchSet.NONE).index()).isEqualTo(4);
        }

        @Test
        void checksInStateFiltersByStatusAndAnyMeansAll() {
            twoNodes();
            store.apply(4, register(node("node1"), check("node1", "service:db-1", WARNING, "db-1")));
            store.apply(5, register(node("node2"), nodeCheck("node2", "serfHealth", CRITICAL)));
            assertThat(store.checksInState(WatchSet.NONE, PASSING).value()).extracting(c -> c.node() + "/" + c.checkId())
                    .containsExactly("node1/serfHealth", "node1/service:web-1", "node2/service:web-2");
            assertThat(store.checksInState(WatchSet.NONE, WARNING).value()).extracting(HealthCheck::checkId)
                    .containsExactly("service:db-1");
            assertThat(store.checksInState(WatchSet.NONE, CRITICAL).value()).extracting(c -> c.node() + "/" + c.checkId())
                    .containsExactly("node2/serfHealth");
            assertThat(store.checksInState(WatchSet.NONE, "any").value()).hasSize(5);
            assertThat(store.checksInState(WatchSet.NONE, "bogus").value()).isEmpty();
            assertThat(store.checksInState(WatchSet.NONE, PASSING).index()).isEqualTo(5);
        }

        @Test
        void aChangeToOneServiceDoesNotMoveTheIndexOfAnother() {
            twoNodes();
            store.apply(5, register(node("node2"), check("node2", "service:web-2", CRITICAL, "web-2")));
            store.apply(6, register(node("node2"), service("web-2", "web", "v3")));
            assertThat(serviceIndex("web")).isEqualTo(6);
            assertThat(store.catalogService(WatchSet.NONE, "web").index()).isEqualTo(6);
            assertThat(store.serviceChecks(WatchSet.NONE, "web").index()).isEqualTo(6);
            assertThat(serviceIndex("db")).isEqualTo(2);
            assertThat(store.catalogService(WatchSet.NONE, "db").index()).isEqualTo(2);
        }

        @Test
        void aNodeCheckChangeMovesTheIndexOfEveryServiceOnThatNode() {
            twoNodes();
            store.apply(5, register(node("node1"), nodeCheck("node1", "serfHealth", WARNING)));
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(5);
            store.apply(6, register(node("node2"), nodeCheck("node2", "serfHealth", WARNING)));
            assertThat(serviceIndex("web")).isEqualTo(6);
            assertThat(serviceIndex("db")).as("db does not run on node2").isEqualTo(5);
        }

        @Test
        void aNodeChangeMovesTheIndexOfEveryServiceOnThatNode() {
            twoNodes();
            store.apply(5, register(node("node2", "10.0.0.22")));
            assertThat(serviceIndex("web")).isEqualTo(5);
            assertThat(serviceIndex("db")).isEqualTo(2);
            assertThat(nodeIndex("node2")).isEqualTo(5);
            assertThat(nodeIndex("node1")).isEqualTo(2);
            assertThat(store.nodes(WatchSet.NONE).index()).isEqualTo(5);
        }

        @Test
        void indexesNeverGoBackwardsThroughDeletes() {
            twoNodes();
            long last = 0;
            List<Command> steps = List.of(deregisterService("node1", "db-1"), deregisterNode("node1"),
                    register(node("node3"), service("web-3", "web")), deregisterService("node2", "web-2"),
                    deregisterNode("node3"), register(node("node1"), service("db-1", "db")), deregisterNode("node2"));
            long i = 10;
            for (Command c : steps) {
                store.apply(i++, c);
                for (String name : List.of("web", "db", "never")) {
                    long idx = serviceIndex(name);
                    assertThat(idx).as("%s after %s", name, c).isPositive();
                }
                long web = serviceIndex("web");
                assertThat(web).as("web after %s", c).isGreaterThanOrEqualTo(last);
                last = web;
            }
            assertThat(store.nodes(WatchSet.NONE).value()).extracting(Node::node).containsExactly("node1");
            assertThat(nodeIndex("node2")).isEqualTo(16);
            assertThat(nodeIndex("node3")).isEqualTo(14);
        }

        @Test
        void anUnknownNameGetsTheListIndexSoAReaderCanBlockOnIt() {
            twoNodes();
            assertThat(serviceIndex("never")).isEqualTo(3);
            store.apply(7, register(node("node1"), check("node1", "service:web-1", WARNING, "web-1")));
            assertThat(serviceIndex("never")).isEqualTo(3);
            Probe never = probe(w -> store.serviceHealth(w, "never"));
            store.apply(8, register(node("node1"), service("never-1", "never")));
            assertThat(never.woken()).isTrue();
            assertThat(serviceIndex("never")).isEqualTo(8);
        }
    }

    // ------------------------------------------------------------------ watches

    @Nested
    class Watching {
        @Test
        void aBlockingReaderOfWebIsWokenByWebsCheckButNotByDbs() {
            twoNodes();
            AtomicInteger fired = new AtomicInteger();
            Watches.Waiter w = store.watches().newWaiter(fired::incrementAndGet);
            Store.Read<List<ServiceEntry>> first = store.serviceHealth(w, "web");
            assertThat(first.index()).isEqualTo(3);

            store.apply(5, register(node("node1"), check("node1", "service:db-1", CRITICAL, "db-1")));
            store.apply(6, register(node("node1"), service("db-1", "db", "new-tag")));
            store.apply(7, set("kv/key", "v"));
            assertThat(fired).hasValue(0);
            assertThat(w.isDone()).isFalse();
            assertThat(store.serviceHealth(WatchSet.NONE, "web").index()).isEqualTo(3);

            store.apply(8, register(node("node2"), check("node2", "service:web-2", WARNING, "web-2")));
            assertThat(fired).hasValue(1);
            assertThat(w.isDone()).isTrue();
            Store.Read<List<ServiceEntry>> again = store.serviceHealth(WatchSet.NONE, "web");
            assertThat(again.index()).isEqualTo(8);
            assertThat(again.value().get(1).checks()).extracting(HealthCheck::status).containsExactly(PASSING, WARNING);
        }

        @Test
        void aNodeCheckWakesReadersOfEveryServiceOnItsNodeOnly() {
            twoNodes();
            store.apply(4, register(node("node3"), service("cache-1", "cache")));
            Probe web = probe(w -> store.serviceHealth(w, "web"));
            Probe db = probe(w -> store.catalogService(w, "db"));
            Probe cache = probe(w -> store.serviceHealth(w, "cache"));
            store.apply(5, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL)));
            assertThat(web.woken()).isTrue();
            assertThat(db.woken()).isTrue();
            assertThat(cache.woken()).isFalse();
            assertThat(cache.waiter().cancel()).isTrue();
        }

        @Test
        void listReadersWakeOnlyForTheirList() {
            twoNodes();
            Probe nodes = probe(store::nodes);
            Probe names = probe(store::serviceNames);
            Probe node2 = probe(w -> store.node(w, "node2"));
            Probe node2Checks = probe(w -> store.nodeChecks(w, "node2"));
            Probe critical = probe(w -> store.checksInState(w, CRITICAL));

            store.apply(5, register(node("node1"), check("node1", "service:web-1", CRITICAL, "web-1")));
            assertThat(critical.woken()).isTrue();
            assertThat(nodes.woken()).isFalse();
            assertThat(names.woken()).isFalse();
            assertThat(node2.woken()).isFalse();
            assertThat(node2Checks.woken()).isFalse();

            store.apply(6, register(node("node1"), service("cache-1", "cache")));
            assertThat(names.woken()).isTrue();
            assertThat(nodes.woken()).isFalse();
            assertThat(node2.woken()).isFalse();

            store.apply(7, register(node("node3")));
            assertThat(nodes.woken()).isTrue();
            assertThat(node2.woken()).isFalse();

            store.apply(8, register(node("node2"), nodeCheck("node2", "serfHealth", WARNING)));
            assertThat(node2.woken()).isTrue();
            assertThat(node2Checks.woken()).isTrue();
        }

        @Test
        void readersOfADeletedServiceOrNodeAreWoken() {
            twoNodes();
            Probe db = probe(w -> store.serviceHealth(w, "db"));
            Probe node2 = probe(w -> store.node(w, "node2"));
            Probe web = probe(w -> store.catalogService(w, "web"));
            store.apply(5, deregisterService("node1", "db-1"));
            assertThat(db.woken()).isTrue();
            assertThat(web.woken()).isFalse();
            store.apply(6, deregisterNode("node2"));
            assertThat(node2.woken()).isTrue();
            assertThat(web.woken()).isTrue();
        }

        @Test
        void aRefusedRegistrationWakesNobody() {
            twoNodes();
            Probe web = probe(w -> store.serviceHealth(w, "web"));
            Probe nodes = probe(store::nodes);
            store.apply(5, register(node("node1", "10.9.9.9"), service("web-1", "web", "x"),
                    check("node1", "c", PASSING, "nope")));
            assertThat(web.woken()).isFalse();
            assertThat(nodes.woken()).isFalse();
        }
    }

    // ------------------------------------------------------------------ sessions

    @Nested
    class SessionInvalidation {
        /** node1 with serfHealth passing; sessions on it with and without the check, each holding a lock. */
        private void sessions(String behavior) {
            twoNodes();
            store.apply(10, sessionOn("checked", "node1", behavior, "serfHealth"));
            store.apply(11, sessionOn("unchecked", "node1", behavior));
            store.apply(12, sessionOn("elsewhere", "node2", behavior, "serfHealth"));
            store.apply(13, lock("locks/a", "1", "checked"));
            store.apply(14, lock("locks/b", "2", "checked"));
            store.apply(15, lock("locks/c", "3", "unchecked"));
            store.apply(16, lock("locks/d", "4", "elsewhere"));
        }

        private SessionEntry session(String id) {
            return store.session(WatchSet.NONE, id).value();
        }

        @Test
        void serfHealthTurningCriticalDestroysTheSessionsThatDependOnItAndReleasesTheirLocks() {
            sessions(SessionEntry.RELEASE);
            Probe lockWatcher = probe(w -> store.kvGet(w, "locks/a"));
            Probe sessionWatcher = probe(store::sessions);
            store.apply(20, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL)));

            assertThat(session("checked")).isNull();
            assertThat(session("unchecked")).as("does not depend on serfHealth").isNotNull();
            assertThat(session("elsewhere")).as("depends on node2's serfHealth").isNotNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/a").value().session()).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/a").value().modifyIndex()).isEqualTo(20);
            assertThat(store.kvGet(WatchSet.NONE, "locks/b").value().session()).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/c").value().session()).isEqualTo("unchecked");
            assertThat(store.keysHeldBy("checked")).isEmpty();
            assertThat(invalidated).containsExactly("checked [locks/a, locks/b]");
            assertThat(store.sessions(WatchSet.NONE).index()).isEqualTo(20);
            assertThat(lockWatcher.woken()).isTrue();
            assertThat(sessionWatcher.woken()).isTrue();
        }

        @Test
        void behaviourDeleteDeletesTheHeldKeys() {
            sessions(SessionEntry.DELETE);
            store.apply(20, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL)));
            assertThat(store.kvGet(WatchSet.NONE, "locks/a").value()).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/b").value()).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/c").value()).isNotNull();
            assertThat(store.kvList(WatchSet.NONE, "locks/").index()).as("the tombstones' index").isEqualTo(20);
            assertThat(invalidated).containsExactly("checked [locks/a, locks/b]");
        }

        @Test
        void warningDoesNotInvalidate() {
            sessions(SessionEntry.RELEASE);
            store.apply(20, register(node("node1"), nodeCheck("node1", "serfHealth", WARNING)));
            assertThat(session("checked")).isNotNull();
            assertThat(invalidated).isEmpty();
        }

        @Test
        void deregisteringTheCheckDestroysTheSession() {
            sessions(SessionEntry.RELEASE);
            store.apply(20, deregisterCheck("node1", "serfHealth"));
            assertThat(session("checked")).isNull();
            assertThat(session("unchecked")).isNotNull();
            assertThat(session("elsewhere")).isNotNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/a").value().session()).isNull();
            assertThat(invalidated).containsExactly("checked [locks/a, locks/b]");
        }

        @Test
        void deregisteringTheNodeDestroysEverySessionOnIt() {
            sessions(SessionEntry.RELEASE);
            store.apply(20, deregisterNode("node1"));
            assertThat(session("checked")).isNull();
            assertThat(session("unchecked")).as("a node's sessions die with it, checks or not").isNull();
            assertThat(session("elsewhere")).isNotNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/c").value().session()).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "locks/d").value().session()).isEqualTo("elsewhere");
            assertThat(invalidated).containsExactlyInAnyOrder("checked [locks/a, locks/b]", "unchecked [locks/c]");
        }

        @Test
        void deregisteringAnotherCheckOrNodeLeavesTheSessionAlone() {
            sessions(SessionEntry.RELEASE);
            store.apply(20, deregisterCheck("node1", "service:web-1"));
            store.apply(21, deregisterNode("node3"));
            store.apply(22, register(node("node2"), nodeCheck("node2", "disk", CRITICAL)));
            assertThat(session("checked")).isNotNull();
            assertThat(session("elsewhere")).isNotNull();
            assertThat(invalidated).isEmpty();
        }

        @Test
        void aServiceCheckSessionDiesWithItsCheckOrItsService() {
            twoNodes();
            store.apply(10, new Command.SessionCreate("svc", "", "node1", 0, SessionEntry.RELEASE, "", List.of(),
                    List.of(new SessionEntry.ServiceCheck("service:web-1", "default"))));
            store.apply(11, new Command.SessionCreate("svc2", "", "node1", 0, SessionEntry.RELEASE, "", List.of(),
                    List.of(new SessionEntry.ServiceCheck("service:db-1", "default"))));
            store.apply(12, lock("svc/key", "v", "svc"));

            store.apply(13, register(node("node1"), check("node1", "service:web-1", CRITICAL, "web-1")));
            assertThat(session("svc")).isNull();
            assertThat(session("svc2")).isNotNull();
            assertThat(invalidated).containsExactly("svc [svc/key]");

            store.apply(14, deregisterService("node1", "db-1"));
            assertThat(session("svc2")).isNull();
            assertThat(invalidated).containsExactly("svc [svc/key]", "svc2 []");
        }

        @Test
        void aCriticalCheckWrittenAgainEndsASessionCreatedWhileItWasCritical() {
            twoNodes();
            store.apply(5, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL)));
            // Session create does not look at the catalog (yet), so this session exists although Consul would refuse it.
            store.apply(6, sessionOn("late", "node1", SessionEntry.RELEASE, "serfHealth"));
            store.apply(7, register(node("node1"),
                    nodeCheck("node1", "serfHealth", CRITICAL).withStatus(CRITICAL, "still down")));
            assertThat(session("late")).isNull();
            assertThat(invalidated).containsExactly("late []");
        }

        @Test
        void aRefusedRegistrationInvalidatesNothing() {
            sessions(SessionEntry.RELEASE);
            Object r = store.apply(20, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL),
                    check("node1", "x", PASSING, "nope")));
            assertThat(r).isInstanceOf(ApplyError.class);
            assertThat(session("checked")).isNotNull();
            assertThat(store.keysHeldBy("checked")).containsExactly("locks/a", "locks/b");
            assertThat(invalidated).isEmpty();
        }

        @Test
        void theListenerIsCalledAfterTheWriteLockIsReleasedAndSeesTheNewState() {
            sessions(SessionEntry.RELEASE);
            List<String> seen = new ArrayList<>();
            store.onInvalidation((s, keys) -> {
                // Another thread can read: the write lock is no longer held.
                CompletableFuture<SessionEntry> read = CompletableFuture.supplyAsync(() -> session(s.id()));
                try {
                    seen.add(s.id() + " gone=" + (read.get(10, TimeUnit.SECONDS) == null) + " keys=" + keys
                            + " lastIndex=" + store.lastIndex());
                } catch (Exception e) {
                    seen.add("blocked: " + e);
                }
            });
            store.apply(20, deregisterNode("node1"));
            assertThat(seen).containsExactly("checked gone=true keys=[locks/a, locks/b] lastIndex=20",
                    "unchecked gone=true keys=[locks/c] lastIndex=20");
        }

        @Test
        void theListenerGetsTheSessionAsItWas() {
            sessions(SessionEntry.DELETE);
            List<SessionEntry> got = new ArrayList<>();
            store.onInvalidation((s, keys) -> got.add(s));
            SessionEntry before = session("checked");
            store.apply(20, register(node("node1"), nodeCheck("node1", "serfHealth", CRITICAL)));
            assertThat(got).containsExactly(before);
        }
    }

    /** Registration order of map entries does not matter: rows compare by content. */
    @Test
    void nodeMetaInADifferentOrderIsTheSameNode() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("x", "1");
        a.put("y", "2");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("y", "2");
        b.put("x", "1");
        store.apply(1, register(node("node1", "10.0.0.1", a)));
        store.apply(2, register(node("node1", "10.0.0.1", b)));
        assertThat(nodeRow("node1").modifyIndex()).isEqualTo(1);
    }
}
