package io.roster.state;

import static io.roster.state.Cmds.deleteSession;
import static io.roster.state.Cmds.destroy;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.releaseSession;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.unlock;
import static io.roster.state.Cmds.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.KvPair;
import io.roster.api.SessionEntry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Session create/destroy, and what a destroy does to the keys the session holds. */
class StoreSessionTest {
    private final Store store = new Store();

    private KvPair entry(String key) {
        return store.kvGet(WatchSet.NONE, key).value();
    }

    private SessionEntry session(String id) {
        return store.session(WatchSet.NONE, id).value();
    }

    @Test
    void createStoresEveryFieldAtTheCommandIndex() {
        ApplyResult id = store.apply(4, new Command.SessionCreate("s1", "leader", "node1", 15_000_000_000L,
                SessionEntry.DELETE, "30s", List.of("serfHealth", "disk"),
                List.of(new SessionEntry.ServiceCheck("web", "default"))));
        assertThat(id).isEqualTo(new ApplyResult.SessionId("s1"));
        assertThat(session("s1")).isEqualTo(new SessionEntry("s1", "leader", "node1", 15_000_000_000L,
                SessionEntry.DELETE, "30s", List.of("serfHealth", "disk"),
                List.of(new SessionEntry.ServiceCheck("web", "default")), 4, 4));
        assertThat(store.session(WatchSet.NONE, "s1").index()).isEqualTo(4);
    }

    @Test
    void createNormalisesAbsentOptionalFields() {
        store.apply(2, new Command.SessionCreate("s1", "", "node1", 0, SessionEntry.RELEASE, null, null, List.of()));
        SessionEntry s = session("s1");
        assertThat(s.ttl()).isEmpty();
        assertThat(s.nodeChecks()).isEmpty();
        assertThat(s.serviceChecks()).isNull();
    }

    @Test
    void createRefusesDuplicateMissingIdAndUnknownBehaviour() {
        store.apply(1, releaseSession("s1"));
        String before = Snapshots.tables(store);
        assertThat(store.apply(2, deleteSession("s1"))).isEqualTo(new ApplyError("Session ID already exists: s1"));
        assertThat(store.apply(3, releaseSession(""))).isEqualTo(new ApplyError("Missing session ID"));
        assertThat(store.apply(4, releaseSession(null))).isEqualTo(new ApplyError("Missing session ID"));
        assertThat(store.apply(5, Cmds.session("s2", "kill"))).isEqualTo(new ApplyError("Invalid Behavior setting 'kill'"));
        assertThat(Snapshots.tables(store)).isEqualTo(before);
        assertThat(session("s1").behavior()).isEqualTo(SessionEntry.RELEASE);
        assertThat(store.session(WatchSet.NONE, "s1").index()).isEqualTo(1);
    }

    @Test
    void sessionIndexesAreNeverZeroAndMoveOnlyWithSessionWrites() {
        assertThat(store.sessions(WatchSet.NONE).index()).isEqualTo(1);
        store.apply(3, releaseSession("s1"));
        store.apply(5, set("k", "v"));
        assertThat(store.sessions(WatchSet.NONE).index()).isEqualTo(3);
        store.apply(7, destroy("s1"));
        assertThat(store.sessions(WatchSet.NONE).index()).isEqualTo(7);
        assertThat(store.sessions(WatchSet.NONE).value()).isEmpty();
        assertThat(store.session(WatchSet.NONE, "s1").index()).isEqualTo(7);
    }

    @Test
    void listsSessionsByIdAndByNode() {
        store.apply(1, new Command.SessionCreate("b", "", "n1", 0, SessionEntry.RELEASE, "", List.of(), null));
        store.apply(2, new Command.SessionCreate("a", "", "n2", 0, SessionEntry.RELEASE, "", List.of(), null));
        store.apply(3, new Command.SessionCreate("c", "", "n1", 0, SessionEntry.RELEASE, "", List.of(), null));
        assertThat(store.sessions(WatchSet.NONE).value()).extracting(SessionEntry::id).containsExactly("a", "b", "c");
        assertThat(store.sessionsByNode(WatchSet.NONE, "n1").value()).extracting(SessionEntry::id).containsExactly("b", "c");
        assertThat(store.sessionsByNode(WatchSet.NONE, "n9").value()).isEmpty();
    }

    @Test
    void sessionWithoutNodeDoesNotBreakListingByNode() {
        store.apply(1, new Command.SessionCreate("a", "", null, 0, SessionEntry.RELEASE, "", List.of(), null));
        store.apply(2, new Command.SessionCreate("b", "", "n1", 0, SessionEntry.RELEASE, "", List.of(), null));
        assertThat(store.sessionsByNode(WatchSet.NONE, "n1").value()).extracting(SessionEntry::id).containsExactly("b");
    }

    @Test
    void destroyOfAnUnknownSessionIsANoOp() {
        store.apply(1, releaseSession("s1"));
        assertThat(store.apply(2, destroy("ghost"))).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(store.sessions(WatchSet.NONE).index()).isEqualTo(1);
        assertThat(session("s1")).isNotNull();
    }

    @Test
    void destroyWithReleaseBehaviourReleasesHeldKeysAndBumpsTheirModifyIndex() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, releaseSession("s2"));
        store.apply(3, new Command.Kv(KvVerb.LOCK, "svc/leader", utf8("me"), 7, 0, "s1"));
        store.apply(4, lock("svc/other", "x", "s1"));
        store.apply(5, lock("svc/theirs", "y", "s2"));
        store.apply(6, set("svc/free", "z"));

        assertThat(store.apply(10, destroy("s1"))).isEqualTo(ApplyResult.Bool.TRUE);

        assertThat(session("s1")).isNull();
        assertThat(entry("svc/leader")).usingRecursiveComparison()
                .isEqualTo(new KvPair(1, "svc/leader", 7, utf8("me"), null, 3, 10));
        assertThat(entry("svc/other")).usingRecursiveComparison()
                .isEqualTo(new KvPair(1, "svc/other", 0, utf8("x"), null, 4, 10));
        assertThat(entry("svc/theirs")).usingRecursiveComparison()
                .isEqualTo(new KvPair(1, "svc/theirs", 0, utf8("y"), "s2", 5, 5));
        assertThat(entry("svc/free").modifyIndex()).isEqualTo(6);
        assertThat(store.kvList(WatchSet.NONE, "svc/").index()).isEqualTo(10);
        assertThat(store.keysHeldBy("s1")).isEmpty();
        assertThat(store.keysHeldBy("s2")).containsExactly("svc/theirs");
    }

    @Test
    void destroyWithDeleteBehaviourDeletesHeldKeysOnly() {
        store.apply(1, deleteSession("s1"));
        store.apply(2, releaseSession("s2"));
        store.apply(3, lock("svc/leader", "me", "s1"));
        store.apply(4, lock("svc/theirs", "y", "s2"));
        store.apply(5, set("svc/free", "z"));
        store.apply(6, lock("svc/unlocked", "u", "s1"));
        store.apply(7, unlock("svc/unlocked", "u", "s1"));

        store.apply(10, destroy("s1"));

        assertThat(entry("svc/leader")).isNull();
        assertThat(store.kvKeys(WatchSet.NONE, "svc/", null).value())
                .containsExactly("svc/free", "svc/theirs", "svc/unlocked");
        assertThat(store.kvList(WatchSet.NONE, "svc/leader").index()).as("tombstone index").isEqualTo(10);
        assertThat(store.keysHeldBy("s2")).containsExactly("svc/theirs");
    }

    @Test
    void destroyOfASessionHoldingNothingLeavesKvAlone() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, set("k", "v"));
        store.apply(3, destroy("s1"));
        assertThat(store.kvGet(WatchSet.NONE, "nope").index()).isEqualTo(2);
    }

    @Test
    void keysHeldByFollowsLockUnlockAndDeletesAndIsSorted() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, releaseSession("s2"));
        assertThat(store.keysHeldBy("s1")).isEmpty();
        store.apply(3, lock("b", "v", "s1"));
        store.apply(4, lock("a", "v", "s1"));
        store.apply(5, lock("c/d", "v", "s1"));
        assertThat(store.keysHeldBy("s1")).containsExactly("a", "b", "c/d");
        store.apply(6, unlock("b", "v", "s1"));
        store.apply(7, Cmds.delete("a"));
        store.apply(8, lock("b", "v", "s2"));
        store.apply(9, Cmds.deleteTree("c/"));
        assertThat(store.keysHeldBy("s1")).isEmpty();
        assertThat(store.keysHeldBy("s2")).containsExactly("b");
        assertThat(store.keysHeldBy("ghost")).isEmpty();
    }

    @Test
    void keysHeldByIsACopy() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, lock("a", "v", "s1"));
        List<String> held = store.keysHeldBy("s1");
        store.apply(3, lock("b", "v", "s1"));
        assertThat(held).containsExactly("a");
    }

    @Test
    void sessionWritesWakeSessionWatchersAndReleasesWakeKeyWatchers() {
        AtomicInteger sessionsWoken = new AtomicInteger();
        AtomicInteger keyWoken = new AtomicInteger();
        Watches.Waiter onSessions = store.watches().newWaiter(sessionsWoken::incrementAndGet);
        store.sessions(onSessions);
        store.apply(1, releaseSession("s1"));
        assertThat(sessionsWoken).hasValue(1);

        store.apply(2, lock("k", "v", "s1"));
        Watches.Waiter onKey = store.watches().newWaiter(keyWoken::incrementAndGet);
        store.kvGet(onKey, "k");
        Watches.Waiter onSession = store.watches().newWaiter(sessionsWoken::incrementAndGet);
        store.session(onSession, "s1");
        store.apply(3, destroy("s1"));
        assertThat(keyWoken).hasValue(1);
        assertThat(sessionsWoken).hasValue(2);
        assertThat(store.watches().parked()).isZero();
    }
}
