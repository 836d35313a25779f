package io.roster.state;

import static io.roster.state.Cmds.cas;
import static io.roster.state.Cmds.checkIndex;
import static io.roster.state.Cmds.checkNotExists;
import static io.roster.state.Cmds.checkSession;
import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deleteCas;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.get;
import static io.roster.state.Cmds.getTree;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.releaseSession;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.txn;
import static io.roster.state.Cmds.unlock;
import static io.roster.state.Cmds.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvPair;
import io.roster.api.TxnResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code /v1/txn} at the apply level: all or nothing, Consul's result and error shapes. */
class StoreTxnTest {
    private final Store store = new Store();

    private KvPair entry(String key) {
        return store.kvGet(WatchSet.NONE, key).value();
    }

    private TxnOutcome run(long index, Command.Kv... ops) {
        return (TxnOutcome) store.apply(index, txn(ops));
    }

    private static KvPair pair(long lockIndex, String key, long flags, String value, String session, long create, long modify) {
        return new KvPair(lockIndex, key, flags, utf8(value), session, create, modify);
    }

    @Test
    void committedTxnReturnsOneResultPerOpThatHasAnEntryWritesWithoutValue() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, set("old", "o"));
        store.apply(3, set("gone", "g"));

        TxnOutcome out = run(10,
                set("a", "1"),
                cas("b", "2", 0),
                lock("c", "3", "s1"),
                get("old"),
                checkIndex("old", 2),
                checkSession("c", "s1"),
                checkNotExists("nope"),
                delete("gone"),
                unlock("c", "4", "s1"));

        assertThat(out.committed()).isTrue();
        assertThat(out.errors()).isNull();
        assertThat(out.results()).usingRecursiveFieldByFieldElementComparator().containsExactly(
                pair(0, "a", 0, null, null, 10, 10),
                pair(0, "b", 0, null, null, 10, 10),
                pair(1, "c", 0, null, "s1", 10, 10),
                pair(0, "old", 0, "o", null, 2, 2),
                pair(0, "old", 0, null, null, 2, 2),
                pair(1, "c", 0, null, "s1", 10, 10),
                pair(1, "c", 0, null, null, 10, 10));
        assertThat(entry("a").valueAsString()).isEqualTo("1");
        assertThat(entry("c").valueAsString()).isEqualTo("4");
        assertThat(entry("gone")).isNull();
    }

    @Test
    void getTreeKeepsValuesAndDeletesHaveNoResult() {
        store.apply(1, set("t/1", "x"));
        store.apply(2, set("t/2", "y"));
        store.apply(3, set("u", "z"));
        TxnOutcome out = run(4, getTree("t/"), deleteCas("u", 3), deleteTree("t/"), getTree("t/"));
        assertThat(out.results()).usingRecursiveFieldByFieldElementComparator().containsExactly(
                pair(0, "t/1", 0, "x", null, 1, 1),
                pair(0, "t/2", 0, "y", null, 2, 2));
        assertThat(store.kvKeys(WatchSet.NONE, "", null).value()).isEmpty();
    }

    @Test
    void laterOpsSeeEarlierOpsOfTheSameTxn() {
        TxnOutcome out = run(7, set("k", "v"), checkIndex("k", 7), get("k"), cas("k", "w", 7), delete("k"),
                checkNotExists("k"));
        assertThat(out.committed()).isTrue();
        assertThat(out.results()).hasSize(4);
        assertThat(out.results().get(2).valueAsString()).isEqualTo("v");
        assertThat(entry("k")).isNull();
        assertThat(store.kvList(WatchSet.NONE, "k").index()).isEqualTo(7);
    }

    @Test
    void failingCheckRollsBackEarlierWritesIndexesAndWakesNobody() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, set("existing", "before"));
        store.apply(3, lock("held", "h", "s1"));
        String before = Snapshots.tables(store);
        long kvIndexBefore = store.kvGet(WatchSet.NONE, "missing").index();
        long listIndexBefore = store.kvList(WatchSet.NONE, "").index();
        AtomicInteger woken = new AtomicInteger();
        Watches.Waiter w = store.watches().newWaiter(woken::incrementAndGet);
        store.kvList(w, "");
        store.kvGet(w, "new");
        store.kvGet(w, "existing");
        store.session(w, "s1");

        TxnOutcome out = run(10,
                set("new", "n"),
                set("existing", "after"),
                unlock("held", "h", "s1"),
                delete("existing"),
                deleteTree(""),
                checkIndex("existing", 2));

        assertThat(out.committed()).isFalse();
        assertThat(out.results()).isNull();
        assertThat(out.errors()).containsExactly(new TxnResponse.Error(5, "failed to check index, key \"existing\" doesn't exist"));
        assertThat(Snapshots.tables(store)).isEqualTo(before);
        assertThat(entry("new")).isNull();
        assertThat(entry("existing").valueAsString()).isEqualTo("before");
        assertThat(entry("held").session()).isEqualTo("s1");
        assertThat(store.keysHeldBy("s1")).containsExactly("held");
        assertThat(store.kvGet(WatchSet.NONE, "missing").index()).isEqualTo(kvIndexBefore).isEqualTo(3);
        assertThat(store.kvList(WatchSet.NONE, "").index()).isEqualTo(listIndexBefore);
        assertThat(woken).hasValue(0);
        assertThat(w.isDone()).isFalse();
        assertThat(store.watches().parked()).isEqualTo(1);

        // The control: the same waiter does fire on a committed write.
        store.apply(11, set("new", "n"));
        assertThat(woken).hasValue(1);
    }

    @Test
    void everyErrorIsReportedWithItsOpIndex() {
        store.apply(1, releaseSession("s1"));
        store.apply(2, releaseSession("s2"));
        store.apply(3, set("k", "v"));
        store.apply(4, lock("l", "v", "s1"));

        TxnOutcome out = run(10,
                set("fine", "x"),                 // 0 ok
                get("missing"),                   // 1
                checkIndex("k", 2),               // 2
                checkIndex("missing", 1),         // 3
                checkSession("l", "s2"),          // 4
                checkSession("missing", "s1"),    // 5
                checkNotExists("k"),              // 6
                cas("k", "w", 1),                 // 7
                lock("l", "w", "s2"),             // 8
                unlock("l", "w", "s2"),           // 9
                deleteCas("k", 1),                // 10
                lock("z", "w", "ghost"),          // 11
                checkSession("k", "s1"),          // 12
                get("k"));                        // 13 ok

        assertThat(out.errors()).containsExactly(
                new TxnResponse.Error(1, "key \"missing\" doesn't exist"),
                new TxnResponse.Error(2, "failed index check for key \"k\", current modify index 3 != 2"),
                new TxnResponse.Error(3, "failed to check index, key \"missing\" doesn't exist"),
                new TxnResponse.Error(4, "failed session check for key \"l\", current session \"s1\" != \"s2\""),
                new TxnResponse.Error(5, "failed to check session, key \"missing\" doesn't exist"),
                new TxnResponse.Error(6, "key \"k\" exists"),
                new TxnResponse.Error(7, "failed to set key \"k\", index is stale"),
                new TxnResponse.Error(8, "failed to lock key \"l\", lock is already held"),
                new TxnResponse.Error(9, "failed to unlock key \"l\", lock isn't held, or is held by another session"),
                new TxnResponse.Error(10, "failed to delete key \"k\", index is stale"),
                new TxnResponse.Error(11, "invalid session \"ghost\""),
                new TxnResponse.Error(12, "failed session check for key \"k\", current session \"\" != \"s1\""));
        assertThat(out.results()).isNull();
        assertThat(entry("fine")).isNull();
    }

    @Test
    void checkSessionWithoutSessionMatchesAnUnlockedKey() {
        store.apply(1, set("k", "v"));
        TxnOutcome out = run(2, checkSession("k", null), checkSession("k", ""));
        assertThat(out.committed()).isTrue();
        assertThat(out.results()).hasSize(2);
    }

    @Test
    void committedTxnWakesWatchersOfEveryKeyItWrote() {
        store.apply(1, set("b", "v"));
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        AtomicInteger c = new AtomicInteger();
        Watches.Waiter wa = store.watches().newWaiter(a::incrementAndGet);
        Watches.Waiter wb = store.watches().newWaiter(b::incrementAndGet);
        Watches.Waiter wc = store.watches().newWaiter(c::incrementAndGet);
        store.kvGet(wa, "a");
        store.kvGet(wb, "b");
        store.kvGet(wc, "c");
        assertThat(run(2, set("a", "1"), delete("b"), get("a")).committed()).isTrue();
        assertThat(a).hasValue(1);
        assertThat(b).hasValue(1);
        assertThat(c).hasValue(0);
        wc.cancel();
    }

    @Test
    void readOnlyTxnRunsWithoutApplyAndReportsTheKvIndex() {
        store.apply(2, set("a", "1"));
        store.apply(5, set("b/c", "2"));
        store.apply(6, releaseSession("s1"));
        String before = Snapshots.text(store);

        Store.Read<TxnOutcome> r = store.txnRead(List.of(get("a"), getTree("b/"), checkIndex("b/c", 5), checkNotExists("z")));

        assertThat(r.index()).isEqualTo(5);
        assertThat(r.value().committed()).isTrue();
        assertThat(r.value().results()).usingRecursiveFieldByFieldElementComparator().containsExactly(
                pair(0, "a", 0, "1", null, 2, 2),
                pair(0, "b/c", 0, "2", null, 5, 5),
                pair(0, "b/c", 0, null, null, 5, 5));
        assertThat(Snapshots.text(store)).isEqualTo(before);
        assertThat(store.lastIndex()).isEqualTo(6);
    }

    @Test
    void readOnlyTxnCollectsErrorsToo() {
        store.apply(2, set("a", "1"));
        Store.Read<TxnOutcome> r = store.txnRead(List.of(get("nope"), checkIndex("a", 1)));
        assertThat(r.value().errors()).extracting(TxnResponse.Error::opIndex).containsExactly(0, 1);
    }

    @Test
    void readOnlyTxnRefusesWriteVerbs() {
        assertThatThrownBy(() -> store.txnRead(List.of(get("a"), set("a", "1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set");
        assertThat(entry("a")).isNull();
    }

    @Test
    void readOnlyTxnOnAnEmptyStoreReportsIndexOne() {
        assertThat(store.txnRead(List.of(checkNotExists("a"))).index()).isEqualTo(1);
    }

    @Test
    void aTxnThatThrowsHalfWayLeavesNoTrace() {
        store.apply(1, set("a", "before"));
        String before = Snapshots.text(store);
        Command.Kv broken = new Command.Kv(null, "b", null, 0, 0, null);
        assertThatThrownBy(() -> store.apply(2, txn(set("a", "after"), set("c", "new"), broken)))
                .isInstanceOf(NullPointerException.class);
        assertThat(Snapshots.text(store)).isEqualTo(before);
        assertThat(store.kvGet(WatchSet.NONE, "zzz").index()).isEqualTo(1);
    }

    @Test
    void emptyTxnCommitsWithNoResults() {
        TxnOutcome out = run(1);
        assertThat(out.committed()).isTrue();
        assertThat(out.results()).isEmpty();
    }
}
