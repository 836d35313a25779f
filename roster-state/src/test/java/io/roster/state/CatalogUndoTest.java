package io.roster.state;

import static io.roster.state.Cmds.check;
import static io.roster.state.Cmds.deregisterNode;
import static io.roster.state.Cmds.deregisterService;
import static io.roster.state.Cmds.node;
import static io.roster.state.Cmds.nodeCheck;
import static io.roster.state.Cmds.register;
import static io.roster.state.Cmds.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.HealthCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Catalog rows have an undo on the {@link Tx}: a register or deregister rolled back leaves the
 * rows, the per-name indexes and the secondary indexes (tags, node meta, check status) exactly as
 * they were. Apply rolls back a command that throws half-way; this drives the Tx directly, as
 * apply does, since no valid command fails after its first write.
 */
class CatalogUndoTest {
    private static final CatalogTable.Hooks NO_HOOKS = new CatalogTable.Hooks() {
        @Override
        public void checkGone(Tx tx, String node, String checkId) {
        }

        @Override
        public void nodeGone(Tx tx, String node) {
        }
    };

    private static Store seeded() {
        Store s = new Store();
        s.apply(1, register(node("n1", "10.0.0.1", Map.of("rack", "a")), service("web-1", "web", "v1"),
                check("n1", "c1", HealthCheck.PASSING, "web-1")));
        s.apply(2, register(node("n2", "10.0.0.2", Map.of("rack", "b")), service("db-1", "db", "primary"),
                nodeCheck("n2", "serf", HealthCheck.CRITICAL)));
        return s;
    }

    /** Everything a reader can see of the catalog, through the indexes too. */
    private static List<Object> view(Store s) {
        WatchSet ws = WatchSet.NONE;
        return List.of(s.stateHash(), s.nodes(ws, Map.of("rack", "a")), s.nodes(ws, Map.of("rack", "c")),
                s.serviceNames(ws), s.catalogService(ws, "web", List.of("v1"), Map.of()),
                s.catalogService(ws, "web", List.of("v2"), Map.of("rack", "c")), s.serviceHealth(ws, "db"),
                s.checksInState(ws, HealthCheck.CRITICAL), s.checksInState(ws, HealthCheck.PASSING),
                s.node(ws, "n1"), s.node(ws, "n3"), s.nodeChecks(ws, "n2"));
    }

    private static void rolledBack(Store s, java.util.function.Consumer<Tx> writes) {
        List<Object> before = view(s);
        Tx tx = new Tx(3, s.kv, s.sessions);
        writes.accept(tx);
        assertThat(view(s)).as("the writes changed something").isNotEqualTo(before);
        tx.rollback(s.kv, s.sessions);
        assertThat(view(s)).isEqualTo(before);
    }

    @Test
    void aRegisterThatChangesNodeServiceTagsAndChecksIsUndoneCompletely() {
        Store s = seeded();
        rolledBack(s, tx -> {
            assertThat(s.catalog.register(tx, register(node("n1", "10.0.0.9", Map.of("rack", "c")),
                    service("web-1", "web", "v2"), check("n1", "c1", HealthCheck.CRITICAL, "web-1"),
                    nodeCheck("n1", "c2", HealthCheck.PASSING)), NO_HOOKS)).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(s.catalog.register(tx, register(node("n3", "10.0.0.3"), service("web-3", "web", "v1")), NO_HOOKS))
                    .isEqualTo(ApplyResult.Bool.TRUE);
        });
    }

    @Test
    void deregistersOfAServiceAndOfAWholeNodeAreUndoneCompletely() {
        Store s = seeded();
        rolledBack(s, tx -> {
            s.catalog.deregister(tx, deregisterService("n1", "web-1"), NO_HOOKS);
            s.catalog.deregister(tx, deregisterNode("n2"), NO_HOOKS);
        });
    }

    @Test
    void aRolledBackRegisterLeavesTheNextWriteAsIfItNeverHappened() {
        Store undone = seeded();
        Tx tx = new Tx(3, undone.kv, undone.sessions);
        undone.catalog.register(tx, register(node("n1", "10.0.0.9", Map.of("rack", "c")), service("web-1", "web", "v2")),
                NO_HOOKS);
        tx.rollback(undone.kv, undone.sessions);
        Store clean = seeded();
        undone.apply(4, register(node("n4"), service("web-4", "web", "v9")));
        clean.apply(4, register(node("n4"), service("web-4", "web", "v9")));
        assertThat(view(undone)).isEqualTo(view(clean));
    }
}
