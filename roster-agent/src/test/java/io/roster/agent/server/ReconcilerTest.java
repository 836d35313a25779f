package io.roster.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.HealthCheck;
import io.roster.gossip.Member;
import io.roster.gossip.MemberState;
import io.roster.state.LocalReplicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's reconciliation of gossip members into the catalog, on an in-memory store. */
class ReconcilerTest {
    private final Store store = new Store();
    /** The one Raft server: 10.0.0.1:8300. */
    private final LocalReplicator replicator = new LocalReplicator(store, "10.0.0.1:8300");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final StateServer server = new StateServer(replicator, Duration.ofSeconds(10), scheduler, System::nanoTime);
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final Reconciler reconciler = new Reconciler(server, "dc1", () -> List.copyOf(members), scheduler);

    @AfterEach
    void stop() {
        reconciler.close();
        server.close();
        scheduler.shutdownNow();
    }

    private static Member member(String name, String addr, String role, MemberState state) {
        Map<String, String> tags = role.equals("consul")
                ? Map.of("role", "consul", "dc", "dc1", "id", "00000000-0000-0000-0000-00000000000" + name.length(), "port", "8300")
                : Map.of("role", "node", "dc", "dc1", "id", "11111111-0000-0000-0000-00000000000" + name.length());
        return new Member(name, addr, 8301, tags, state, 1);
    }

    private HealthCheck serf(String node) {
        return store.nodeChecks(WatchSet.NONE, node).value().stream()
                .filter(c -> c.checkId().equals("serfHealth")).findFirst().orElse(null);
    }

    @Test
    void membersBecomeNodesWithSerfHealthAndFollowTheirState() {
        Member web = member("web-1", "10.0.0.7", "node", MemberState.ALIVE);
        reconciler.reconcile(web);
        assertThat(store.node(WatchSet.NONE, "web-1").value().node().address()).isEqualTo("10.0.0.7");
        assertThat(store.node(WatchSet.NONE, "web-1").value().node().id()).isEqualTo(web.tags().get("id"));
        assertThat(serf("web-1").status()).isEqualTo("passing");
        assertThat(serf("web-1").output()).isEqualTo("Agent alive and reachable");
        assertThat(serf("web-1").name()).isEqualTo("Serf Health Status");

        long index = store.lastIndex();
        reconciler.reconcile(web);
        reconciler.reconcile(member("web-1", "10.0.0.7", "node", MemberState.SUSPECT));
        assertThat(store.lastIndex()).as("nothing changed: no write").isEqualTo(index);

        reconciler.reconcile(member("web-1", "10.0.0.7", "node", MemberState.FAILED));
        assertThat(serf("web-1").status()).isEqualTo("critical");
        assertThat(serf("web-1").output()).isEqualTo("Agent not live or unreachable");

        reconciler.reconcile(web);
        assertThat(serf("web-1").status()).isEqualTo("passing");

        reconciler.reconcile(member("web-1", "10.0.0.7", "node", MemberState.LEFT));
        assertThat(store.node(WatchSet.NONE, "web-1").value()).isNull();
    }

    @Test
    void serversGetTheConsulServiceAndSurviveBeingReapedWhileInRaft() {
        reconciler.reconcile(member("srv-a", "10.0.0.1", "consul", MemberState.ALIVE));
        reconciler.reconcile(member("cli-b", "10.0.0.2", "node", MemberState.ALIVE));
        assertThat(store.node(WatchSet.NONE, "srv-a").value().services()).anyMatch(s -> s.id().equals("consul") && s.port() == 8300);

        // Gossip forgets both (reaped): the client's node goes, the Raft server's stays.
        reconciler.reconcileAll();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.node(WatchSet.NONE, "cli-b").value() == null);
        assertThat(store.node(WatchSet.NONE, "srv-a").value()).isNotNull();

        // A node registered through the catalog API (no serfHealth) is not gossip's to remove.
        server.catalog(new io.roster.state.Command.CatalogRegister(new io.roster.api.Node(null, "external", "10.9.9.9", "dc1",
                Map.of(), Map.of(), 0, 0), null, List.of(), false)).join();
        reconciler.reconcileAll();
        members.add(member("late", "10.0.0.3", "node", MemberState.ALIVE));
        reconciler.reconcileAll();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> serf("late") != null);
        assertThat(store.node(WatchSet.NONE, "external").value()).isNotNull();
    }
}
