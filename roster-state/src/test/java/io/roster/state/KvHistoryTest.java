package io.roster.state;

import static io.roster.state.Cmds.cas;
import static io.roster.state.Cmds.checkIndex;
import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.txn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvVersion;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** KV history: recorded by apply, trimmed to the limit, kept across deletes until the tombstone is reaped. */
class KvHistoryTest {
    private static Store store(int versions) {
        Store s = new Store();
        s.kvHistoryVersions(versions);
        return s;
    }

    private static List<String> values(Store s, String key) {
        return s.kvHistory(WatchSet.NONE, key).value().stream()
                .map(v -> v.deleted() ? "<deleted>" : String.valueOf(v.valueAsString())).toList();
    }

    @Test
    void everyWriteIsAVersionNewestFirstTrimmedToTheLimit() {
        Store s = store(3);
        for (int i = 1; i <= 5; i++) {
            s.apply(10L * i, set("k", "v" + i, i));
        }
        List<KvVersion> h = s.kvHistory(WatchSet.NONE, "k").value();
        assertThat(h).extracting(KvVersion::modifyIndex).containsExactly(50L, 40L, 30L);
        assertThat(h).extracting(KvVersion::flags).containsExactly(5L, 4L, 3L);
        assertThat(h).extracting(KvVersion::size).containsExactly(2, 2, 2);
        assertThat(h).allSatisfy(v -> assertThat(v.createIndex()).isEqualTo(10));
        assertThat(s.kvHistory(WatchSet.NONE, "k").index()).isEqualTo(50);
    }

    @Test
    void anIdenticalWriteIsNoVersionAndACasThatFailsIsNone() {
        Store s = store(10);
        s.apply(1, set("k", "a"));
        s.apply(2, set("k", "a"));
        assertThat(s.apply(3, cas("k", "b", 99))).isEqualTo(ApplyResult.Bool.FALSE);
        assertThat(s.apply(4, cas("k", "b", 1))).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(values(s, "k")).containsExactly("b", "a");
    }

    @Test
    void historySurvivesADeleteUntilTheTombstoneIsReaped() {
        Store s = store(10);
        s.apply(1, set("app/a", "1"));
        s.apply(2, set("app/b", "2"));
        s.apply(3, delete("app/a"));
        s.apply(4, deleteTree("app/"));
        assertThat(values(s, "app/a")).containsExactly("<deleted>", "1");
        assertThat(values(s, "app/b")).containsExactly("<deleted>", "2");
        s.apply(5, set("app/b", "3"));
        assertThat(values(s, "app/b")).containsExactly("3", "<deleted>", "2");
        s.apply(6, new Command.TombstoneReap(4));
        assertThat(s.kvHistory(WatchSet.NONE, "app/a").value()).as("reaped with its tombstone").isEmpty();
        assertThat(values(s, "app/b")).as("a live key keeps its history").containsExactly("3", "<deleted>", "2");
    }

    @Test
    void aRolledBackTransactionLeavesNoVersionAndRestoresTrimmedOnes() {
        Store s = store(2);
        s.apply(1, set("k", "a"));
        s.apply(2, set("k", "b"));
        s.apply(3, txn(set("k", "c"), set("new", "x"), checkIndex("k", 99)));
        assertThat(values(s, "k")).containsExactly("b", "a");
        assertThat(s.kvHistory(WatchSet.NONE, "new").value()).isEmpty();
        Store clean = store(2);
        clean.apply(1, set("k", "a"));
        clean.apply(2, set("k", "b"));
        clean.apply(3, set("unrelated", "z"));
        s.apply(3, set("unrelated", "z"));
        assertThat(Snapshots.bytes(s)).isEqualTo(Snapshots.bytes(clean));
    }

    @Test
    void offRecordsNothing() {
        Store s = new Store();
        s.apply(1, set("k", "a"));
        assertThat(s.kvHistory(WatchSet.NONE, "k").value()).isEmpty();
        assertThat(s.kvHistory(WatchSet.NONE, "k").index()).isEqualTo(1);
        assertThatThrownBy(() -> s.kvHistoryVersions(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHistoryReadWakesOnTheKeysNextWrite() {
        Store s = store(5);
        s.apply(1, set("k", "a"));
        AtomicInteger woken = new AtomicInteger();
        Watches.Waiter w = s.watches().newWaiter(woken::incrementAndGet);
        s.kvHistory(w, "k");
        s.apply(2, set("other", "x"));
        assertThat(woken).hasValue(0);
        s.apply(3, set("k", "b"));
        assertThat(woken).hasValue(1);
    }

    @Test
    void aSnapshotCarriesHistoryAndTwoReplicasAgree() throws Exception {
        Store a = store(4);
        for (int i = 1; i <= 6; i++) {
            a.apply(i, set("k" + (i % 2), "v" + i));
        }
        Store b = store(4);
        Snapshots.restore(b, Snapshots.bytes(a));
        assertThat(values(b, "k0")).containsExactly("v6", "v4", "v2");
        a.apply(7, set("k0", "v7"));
        b.apply(7, set("k0", "v7"));
        assertThat(b.stateHash()).isEqualTo(a.stateHash());
    }

    /** A KV command as the log held it before commands carried a time: type byte, then JSON. */
    private static byte[] logged(CommandType type, String json) {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) type.code();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Test
    void theTimeStampedIntoTheCommandIsRecordedAndOldCommandsWithoutOneStillApply() {
        // 2026-12-02T06:55:01.250Z
        long t = java.time.Instant.parse("2026-12-02T06:55:01.250Z").toEpochMilli();
        Command.Kv stamped = ((Command.Kv) set("k", "v1")).at(t);
        byte[] encoded = CommandCodec.encode(stamped);
        assertThat(new String(encoded, 1, encoded.length - 1, java.nio.charset.StandardCharsets.UTF_8)).contains("\"Time\":" + t);
        Store s = store(10);
        s.apply(1, CommandCodec.decode(encoded));
        // A command logged before the field existed: no Time in its JSON.
        Command old = CommandCodec.decode(logged(CommandType.KV, "{\"Verb\":\"SET\",\"Key\":\"k\",\"Value\":\"djI=\",\"Flags\":0,\"Index\":0}"));
        assertThat(((Command.Kv) old).time()).isZero();
        assertThat(CommandCodec.encode(old)).as("an unstamped command encodes without Time").asString().doesNotContain("Time");
        s.apply(2, old);
        Command oldTxn = CommandCodec.decode(logged(CommandType.TXN,
                "{\"Ops\":[{\"Verb\":\"SET\",\"Key\":\"k\",\"Value\":\"djM=\",\"Flags\":0,\"Index\":0}]}"));
        s.apply(3, oldTxn);
        s.apply(4, CommandCodec.decode(CommandCodec.encode(new Command.Txn(List.of((Command.Kv) set("k", "v4")), t + 1000))));
        List<KvVersion> h = s.kvHistory(WatchSet.NONE, "k").value();
        assertThat(h).extracting(KvVersion::valueAsString).containsExactly("v4", "v3", "v2", "v1");
        assertThat(h).extracting(KvVersion::time).containsExactly("2026-12-02T06:55:02.250Z", null, null, "2026-12-02T06:55:01.250Z");
    }

    @Test
    void theTimeTravelsInTheSnapshotAndReplicasAgreeOnIt() throws Exception {
        long t = 1_796_000_000_000L;
        Store a = store(4);
        a.apply(1, ((Command.Kv) set("k", "v1")).at(t));
        a.apply(2, ((Command.Kv) delete("k")).at(t + 1));
        Store b = store(4);
        Snapshots.restore(b, Snapshots.bytes(a));
        assertThat(b.kvHistory(WatchSet.NONE, "k").value()).extracting(KvVersion::time)
                .containsExactly(KvVersion.deletedAt("k", 2, t + 1).time(), KvVersion.deletedAt("k", 1, t).time());
        assertThat(b.kvHistory(WatchSet.NONE, "k").value().get(0).time()).isNotNull();
        assertThat(b.stateHash()).isEqualTo(a.stateHash());
    }
}
