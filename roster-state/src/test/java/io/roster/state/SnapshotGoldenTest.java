package io.roster.state;

import static io.roster.state.Cmds.cas;
import static io.roster.state.Cmds.checkIndex;
import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.destroy;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.txn;
import static io.roster.state.Cmds.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvPair;
import io.roster.api.SessionEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The snapshot schema, pinned by a golden file. A change to these bytes is a change to the on-disk
 * format: bump {@link Snapshot#VERSION} rather than editing the golden file. To regenerate after a
 * deliberate change, run with {@code -Droster.golden.update=true} and review the diff.
 */
class SnapshotGoldenTest {
    private static final String GOLDEN = "golden/snapshot-v1.jsonl";
    private static final Path GOLDEN_SOURCE = Path.of("src/test/resources", GOLDEN);

    static final String LEADER = "6b9ac2ad-1b3f-4c0a-9f6e-1a2b3c4d5e01";
    static final String EPHEMERAL = "0c5e1d7a-77aa-4bde-8f00-1a2b3c4d5e02";
    static final String DOOMED = "f1e2d3c4-b5a6-4978-8695-1a2b3c4d5e03";

    /** A store touching every row kind and field: flags, binary and empty values, locks, tombstones, sessions. */
    static Store goldenStore() {
        Store s = new Store();
        long i = 100;
        s.apply(i += 3, new Command.SessionCreate(LEADER, "leader-lock", "node1", 15_000_000_000L,
                SessionEntry.RELEASE, "30s", List.of("serfHealth"), null));
        s.apply(i += 3, new Command.SessionCreate(EPHEMERAL, "ephemeral", "node2", 0L,
                SessionEntry.DELETE, "", List.of(), List.of(new SessionEntry.ServiceCheck("web", "default"))));
        s.apply(i += 3, new Command.SessionCreate(DOOMED, "doomed", "node1", 1_000_000_000L,
                SessionEntry.RELEASE, "10s", List.of("serfHealth", "disk"), null));
        s.apply(i += 3, set("config/app/name", "roster"));
        s.apply(i += 3, set("config/app/port", "8500", 42));
        s.apply(i += 3, new Command.Kv(KvVerb.SET, "config/binary", new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe},
                9_007_199_254_740_993L, 0, null));
        s.apply(i += 3, set("empty", null));
        s.apply(i += 3, set("unicode/ключ/✓", "värde"));
        s.apply(i += 3, set("weird/\"quoted\"\n\ttab", "line1\nline2"));
        s.apply(i += 3, lock("service/leader", "node1", LEADER));
        s.apply(i += 3, lock("service/ephemeral", "x", EPHEMERAL));
        s.apply(i += 3, set("tmp/a", "1"));
        s.apply(i += 3, set("tmp/b/c", "2"));
        long goneAt = i += 3;
        s.apply(goneAt, set("gone", "bye"));
        long deletedAt = i += 3;
        s.apply(deletedAt, delete("gone"));
        s.apply(i += 3, deleteTree("tmp/"));
        s.apply(i += 3, lock("service/doomed", "d", DOOMED));
        s.apply(i += 3, destroy(DOOMED));
        s.apply(i += 3, cas("config/app/port", "8501", 115));
        s.apply(i += 3, lock("mutex", "first", LEADER));
        s.apply(i += 3, unlock("mutex", "first", LEADER));
        s.apply(i += 3, lock("mutex", "second", EPHEMERAL));
        s.apply(i += 3, txn(set("txn/a", "a"), set("txn/b", "b"), delete("txn/b")));
        s.apply(i += 3, txn(set("txn/rolled-back", "x"), checkIndex("txn/a", 1)));
        s.apply(i += 3, new Command.TombstoneReap(deletedAt));
        return s;
    }

    private static byte[] golden() throws IOException {
        try (InputStream in = SnapshotGoldenTest.class.getClassLoader().getResourceAsStream(GOLDEN)) {
            assertThat(in).as("golden file %s (create it with -Droster.golden.update=true)", GOLDEN).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void snapshotMatchesTheGoldenFileByteForByte() throws IOException {
        byte[] actual = Snapshots.bytes(goldenStore());
        if (Boolean.getBoolean("roster.golden.update")) {
            Files.createDirectories(GOLDEN_SOURCE.getParent());
            Files.write(GOLDEN_SOURCE, actual);
        }
        assertThat(new String(actual, StandardCharsets.UTF_8)).isEqualTo(new String(golden(), StandardCharsets.UTF_8));
        assertThat(actual).isEqualTo(golden());
    }

    @Test
    void snapshotIsStableAcrossRuns() {
        assertThat(Snapshots.bytes(goldenStore())).isEqualTo(Snapshots.bytes(goldenStore()));
    }

    @Test
    void goldenFileRestoresToTheSameBytes() throws IOException {
        Store restored = new Store();
        Snapshots.restore(restored, golden());
        assertThat(Snapshots.bytes(restored)).isEqualTo(golden());
        assertThat(restored.stateHash()).isEqualTo(goldenStore().stateHash());
    }

    @Test
    void restoredStoreBehavesLikeTheOriginal() throws IOException {
        Store original = goldenStore();
        Store restored = new Store();
        Snapshots.restore(restored, golden());

        assertThat(restored.lastIndex()).isEqualTo(original.lastIndex());
        assertThat(restored.keysHeldBy(LEADER)).containsExactly("service/leader");
        assertThat(restored.keysHeldBy(DOOMED)).isEmpty();
        assertThat(restored.keysHeldBy(EPHEMERAL)).containsExactly("mutex", "service/ephemeral");
        assertThat(restored.session(WatchSet.NONE, DOOMED).value()).isNull();
        assertThat(restored.kvGet(WatchSet.NONE, "config/binary").value().value())
                .containsExactly(0, 1, 2, 0xff, 0xfe);
        assertThat(restored.kvGet(WatchSet.NONE, "weird/\"quoted\"\n\ttab").value().valueAsString())
                .isEqualTo("line1\nline2");
        for (String prefix : List.of("", "tmp/", "txn/", "gone", "config/", "nothing/")) {
            assertThat(restored.kvList(WatchSet.NONE, prefix).index()).as(prefix)
                    .isEqualTo(original.kvList(WatchSet.NONE, prefix).index());
        }
        assertThat(restored.sessions(WatchSet.NONE).index()).isEqualTo(original.sessions(WatchSet.NONE).index());

        // The same next commands give the same state on both.
        for (Store s : List.of(original, restored)) {
            LocalReplicator r = new LocalReplicator(s, "127.0.0.1:8300");
            assertThat(r.submit(destroy(EPHEMERAL)).join()).isEqualTo(true);
            assertThat(r.submit(lock("mutex", "third", LEADER)).join()).isEqualTo(true);
        }
        // EPHEMERAL has behaviour delete: both its keys went, so the mutex starts over.
        assertThat(restored.kvGet(WatchSet.NONE, "service/ephemeral").value()).isNull();
        KvPair mutex = restored.kvGet(WatchSet.NONE, "mutex").value();
        assertThat(mutex.lockIndex()).isEqualTo(1);
        assertThat(mutex.createIndex()).isEqualTo(original.lastIndex());
        assertThat(mutex.session()).isEqualTo(LEADER);
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(original));
    }

    @Test
    void restoreReplacesEverythingIncludingWhichKeysASessionHolds() throws IOException {
        // Before: session s holds x. Snapshot: s exists and holds nothing; x is a free key.
        Store dirty = new Store();
        dirty.apply(1, Cmds.deleteSession("s"));
        dirty.apply(2, lock("x", "held", "s"));
        dirty.apply(3, set("only-before", "v"));
        Store source = new Store();
        source.apply(1, Cmds.deleteSession("s"));
        source.apply(2, set("x", "free"));

        Snapshots.restore(dirty, Snapshots.bytes(source));

        assertThat(dirty.keysHeldBy("s")).isEmpty();
        assertThat(Snapshots.bytes(dirty)).isEqualTo(Snapshots.bytes(source));
        dirty.apply(4, destroy("s"));
        source.apply(4, destroy("s"));
        assertThat(dirty.kvGet(WatchSet.NONE, "x").value()).as("s never held x in the restored state").isNotNull();
        assertThat(dirty.stateHash()).isEqualTo(source.stateHash());
    }

    @Test
    void restoreIntoANonEmptyStoreGivesTheGoldenBytes() throws IOException {
        Store dirty = new Store();
        dirty.apply(1, Cmds.releaseSession(LEADER));
        dirty.apply(2, lock("stale/key", "held-before-restore", LEADER));
        dirty.apply(3, Cmds.releaseSession(DOOMED));
        dirty.apply(4, lock("service/doomed", "held-before-restore", DOOMED));
        dirty.apply(999, set("extra", "x"));
        Snapshots.restore(dirty, golden());
        assertThat(Snapshots.bytes(dirty)).isEqualTo(golden());
        assertThat(dirty.keysHeldBy(LEADER)).containsExactly("service/leader");
        assertThat(dirty.keysHeldBy(DOOMED)).isEmpty();
    }

    // ------------------------------------------------------------------ refusals

    private static String withoutLine(String s, int lineNo) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        lines.remove(lineNo);
        return String.join("\n", lines) + "\n";
    }

    private static String replaceLine(String s, int lineNo, String line) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        lines.set(lineNo, line);
        return String.join("\n", lines) + "\n";
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("empty file", (UnaryOperator<String>) s -> "", "empty snapshot"),
                Arguments.of("no end marker", (UnaryOperator<String>) s -> withoutLine(s, (int) s.lines().count() - 1),
                        "truncated snapshot: no end marker"),
                Arguments.of("cut mid-row", (UnaryOperator<String>) s -> s.substring(0, s.length() / 2),
                        "snapshot"),
                Arguments.of("header only", (UnaryOperator<String>) s -> s.lines().findFirst().orElseThrow() + "\n",
                        "truncated snapshot: no end marker after 0 rows"),
                Arguments.of("a row missing", (UnaryOperator<String>) s -> withoutLine(s, 3), "rows, found"),
                Arguments.of("corrupt row", (UnaryOperator<String>) s -> replaceLine(s, 2, "{\"KV\":{\"Key\":"),
                        "corrupt snapshot row 2"),
                Arguments.of("wrong version", (UnaryOperator<String>) s -> s.replaceFirst("\"Version\":1,", "\"Version\":2,"),
                        "unsupported snapshot version 2"),
                Arguments.of("no version", (UnaryOperator<String>) s -> s.replaceFirst("\"Version\":1,", ""),
                        "unsupported snapshot version 0"),
                Arguments.of("other format", (UnaryOperator<String>) s -> s.replaceFirst("roster-snapshot", "consul-snapshot"),
                        "not a Roster snapshot (format consul-snapshot)"),
                Arguments.of("garbage header", (UnaryOperator<String>) s -> replaceLine(s, 0, "hello, world"),
                        "not a Roster snapshot (bad header)"),
                Arguments.of("binary garbage", (UnaryOperator<String>) s -> "\u0000\u0001PK\u0003\u0004\n" + s,
                        "not a Roster snapshot"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenSnapshotIsRefusedAndLeavesTheStoreUntouched(String name, UnaryOperator<String> breakIt, String message)
            throws IOException {
        Store store = new Store();
        store.apply(1, Cmds.releaseSession("keep"));
        store.apply(2, lock("keep/me", "v", "keep"));
        store.apply(3, set("and/me", "w"));
        store.apply(4, delete("and/me"));
        byte[] before = Snapshots.bytes(store);
        AtomicInteger woken = new AtomicInteger();
        Watches.Waiter w = store.watches().newWaiter(woken::incrementAndGet);
        store.kvList(w, "");
        store.sessions(w);

        byte[] bad = breakIt.apply(new String(golden(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(bad).isNotEqualTo(golden());

        assertThatThrownBy(() -> Snapshots.restore(store, bad))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(message);
        assertThat(Snapshots.bytes(store)).isEqualTo(before);
        assertThat(store.keysHeldBy("keep")).containsExactly("keep/me");
        assertThat(woken).hasValue(0);
        assertThat(w.cancel()).isTrue();
    }
}
