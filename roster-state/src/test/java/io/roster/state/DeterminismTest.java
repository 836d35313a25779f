package io.roster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.Json;
import io.roster.api.SessionEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apply is a pure function of (state, index, command): the same log gives the same state on every
 * server, whether the commands come straight from the leader or through the log's byte encoding.
 */
class DeterminismTest {

    /** One log entry. */
    record Entry(long index, Command command) {
    }

    /**
     * A seeded random log mixing every verb, sessions coming and going, transactions that commit and
     * that roll back, and tombstone reaps. It is generated against a reference store so that CAS and
     * check indexes, lock holders and session IDs are right often enough to exercise the success paths.
     */
    static final class Workload {
        private static final List<String> KEYS = List.of("a", "a/b", "a/b/c", "a/d", "b/x", "b/y/z", "c", "c/",
                "lock/1", "lock/2", "lock/3", "ü/1");
        private static final List<String> PREFIXES = List.of("a/", "a/b", "b/", "lock/", "c", "nothing/", "");

        final Store reference = new Store();
        final List<Entry> log = new ArrayList<>();
        /** How often each kind of outcome happened, to prove the workload reached every branch. */
        final TreeMap<String, Integer> outcomes = new TreeMap<>();
        private final Random rnd;
        private long index;
        private int sessionSeq;

        Workload(long seed, int size) {
            rnd = new Random(seed);
            for (int i = 0; i < size; i++) {
                index += 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(5) : 0);
                Command c = next();
                Object result = reference.apply(index, c);
                log.add(new Entry(index, c));
                outcomes.merge(classify(c, result), 1, Integer::sum);
            }
        }

        private static String classify(Command c, Object result) {
            String type = c instanceof Command.Kv kv ? kv.verb().wire() : c.type().name();
            String outcome = switch (result) {
                case ApplyError e -> "error";
                case TxnOutcome t -> t.committed() ? "committed" : "rolled-back";
                case Boolean b -> b.toString();
                case Integer n -> n > 0 ? "reaped" : "nothing-reaped";
                default -> "ok";
            };
            return type + ":" + outcome;
        }

        private <T> T pick(List<T> items) {
            return items.get(rnd.nextInt(items.size()));
        }

        private String key() {
            return pick(KEYS);
        }

        private List<String> liveSessions() {
            return reference.sessions(WatchSet.NONE).value().stream().map(SessionEntry::id).toList();
        }

        /** Mostly a live session, sometimes a destroyed or never-created one. */
        private String session() {
            List<String> live = liveSessions();
            if (live.isEmpty() || rnd.nextInt(10) == 0) {
                return "s-" + rnd.nextInt(sessionSeq + 2);
            }
            return pick(live);
        }

        private String holderOr(String key) {
            var e = reference.kvGet(WatchSet.NONE, key).value();
            return e != null && e.session() != null && rnd.nextInt(4) != 0 ? e.session() : session();
        }

        /** The key's current ModifyIndex most of the time, else 0 or a stale guess. */
        private long indexOf(String key) {
            var e = reference.kvGet(WatchSet.NONE, key).value();
            int r = rnd.nextInt(10);
            if (e != null && r < 6) {
                return e.modifyIndex();
            }
            return r < 8 ? 0 : 1 + rnd.nextInt((int) index);
        }

        private byte[] value() {
            return switch (rnd.nextInt(6)) {
                case 0 -> null;
                case 1 -> new byte[0];
                case 2 -> {
                    byte[] b = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(b);
                    yield b;
                }
                default -> ("v" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            };
        }

        private long flags() {
            return rnd.nextInt(4) == 0 ? rnd.nextLong() >>> 1 : rnd.nextInt(3);
        }

        private Command.Kv kvWrite() {
            String key = key();
            int r = rnd.nextInt(100);
            if (r < 35) {
                return new Command.Kv(KvVerb.SET, key, value(), flags(), 0, null);
            } else if (r < 47) {
                return new Command.Kv(KvVerb.CAS, key, value(), flags(), indexOf(key), null);
            } else if (r < 65) {
                return new Command.Kv(KvVerb.LOCK, key, value(), flags(), 0, rnd.nextInt(30) == 0 ? "" : session());
            } else if (r < 77) {
                return new Command.Kv(KvVerb.UNLOCK, key, value(), flags(), 0, holderOr(key));
            } else if (r < 87) {
                return new Command.Kv(KvVerb.DELETE, key, null, 0, 0, null);
            } else if (r < 95) {
                return new Command.Kv(KvVerb.DELETE_CAS, key, null, 0, indexOf(key), null);
            } else {
                String prefix = pick(PREFIXES);
                return new Command.Kv(KvVerb.DELETE_TREE, prefix.isEmpty() && rnd.nextInt(4) != 0 ? "a/" : prefix,
                        null, 0, 0, null);
            }
        }

        private Command.Kv txnOp() {
            String key = key();
            return switch (rnd.nextInt(10)) {
                case 0 -> new Command.Kv(KvVerb.GET, key, null, 0, 0, null);
                case 1 -> new Command.Kv(KvVerb.GET_TREE, pick(PREFIXES), null, 0, 0, null);
                case 2 -> new Command.Kv(KvVerb.CHECK_INDEX, key, null, 0, indexOf(key), null);
                case 3 -> new Command.Kv(KvVerb.CHECK_SESSION, key, null, 0, 0, holderOr(key));
                case 4 -> new Command.Kv(KvVerb.CHECK_NOT_EXISTS, key, null, 0, 0, null);
                default -> kvWrite();
            };
        }

        private Command next() {
            int r = rnd.nextInt(100);
            if (r < 55) {
                return kvWrite();
            } else if (r < 65) {
                int n = rnd.nextInt(10);
                String id = n == 0 && sessionSeq > 0 ? "s-" + rnd.nextInt(sessionSeq) : "s-" + sessionSeq++;
                String behavior = n == 1 ? "bogus" : rnd.nextBoolean() ? SessionEntry.RELEASE : SessionEntry.DELETE;
                List<SessionEntry.ServiceCheck> svc = rnd.nextInt(3) == 0
                        ? List.of(new SessionEntry.ServiceCheck("svc-" + rnd.nextInt(3), "default")) : null;
                return new Command.SessionCreate(id, "n" + rnd.nextInt(3), "node" + rnd.nextInt(3),
                        rnd.nextInt(3) * 1_000_000_000L, behavior, rnd.nextBoolean() ? "" : "15s",
                        rnd.nextBoolean() ? List.of("serfHealth") : List.of(), svc);
            } else if (r < 72) {
                return new Command.SessionDestroy(session());
            } else if (r < 97) {
                List<Command.Kv> ops = new ArrayList<>();
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    ops.add(txnOp());
                }
                return new Command.Txn(ops);
            } else {
                return new Command.TombstoneReap(Math.max(0, index - rnd.nextInt(40)));
            }
        }
    }

    private static Command throughTheLog(Command c) {
        return CommandCodec.decode(CommandCodec.encode(c));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20_240_611L, -7L})
    void sameLogGivesSameStateDirectlyAndThroughTheCodec(long seed) {
        Workload w = new Workload(seed, 3_000);
        Store direct = new Store();
        Store decoded = new Store();
        for (Entry e : w.log) {
            Object a = direct.apply(e.index(), e.command());
            Object b = decoded.apply(e.index(), throughTheLog(e.command()));
            assertThat(Json.writeString(b)).as("result at %d of %s", e.index(), e.command()).isEqualTo(Json.writeString(a));
        }

        assertThat(direct.stateHash()).isEqualTo(w.reference.stateHash()).isEqualTo(decoded.stateHash());
        assertThat(Snapshots.bytes(decoded)).isEqualTo(Snapshots.bytes(direct));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L})
    void workloadReachesEveryBranch(long seed) {
        Workload w = new Workload(seed, 3_000);
        Set<String> seen = w.outcomes.keySet();
        assertThat(seen).as("outcomes %s", w.outcomes).contains(
                "set:true", "cas:true", "cas:false", "lock:true", "lock:false", "lock:error",
                "unlock:true", "unlock:false", "delete:true", "delete-cas:true", "delete-cas:false",
                "delete-tree:true", "SESSION_CREATE:ok", "SESSION_CREATE:error", "SESSION_DESTROY:true",
                "TXN:committed", "TXN:rolled-back", "TOMBSTONE_REAP:reaped");
        String snapshot = Snapshots.text(w.reference);
        assertThat(snapshot).contains("{\"KV\":", "{\"Tombstone\":", "{\"Session\":", "\"Session\":\"s-");
    }

    @Test
    void differentLogsGiveDifferentHashes() {
        assertThat(new Workload(1, 500).reference.stateHash()).isNotEqualTo(new Workload(2, 500).reference.stateHash());
        Workload w = new Workload(3, 500);
        Store shorter = new Store();
        for (Entry e : w.log.subList(0, w.log.size() - 1)) {
            shorter.apply(e.index(), e.command());
        }
        assertThat(shorter.stateHash()).isNotEqualTo(w.reference.stateHash());
    }

    /** A follower that installs a snapshot half-way and replays the rest ends where the leader does. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5L, 99L})
    void snapshotInTheMiddleThenReplayGivesTheSameState(long seed) throws IOException {
        Workload w = new Workload(seed, 2_000);
        int cut = w.log.size() / 2;
        Store leader = new Store();
        for (Entry e : w.log.subList(0, cut)) {
            leader.apply(e.index(), e.command());
        }
        byte[] snap = Snapshots.bytes(leader);

        // The follower had diverging uncommitted state before installing the snapshot.
        Store follower = new Store();
        for (Entry e : new Workload(seed + 1, 300).log) {
            follower.apply(e.index(), e.command());
        }
        Snapshots.restore(follower, snap);
        for (Entry e : w.log.subList(cut, w.log.size())) {
            follower.apply(e.index(), throughTheLog(e.command()));
        }

        assertThat(follower.stateHash()).isEqualTo(w.reference.stateHash());
    }

    // ------------------------------------------------------------------ codec

    static List<Command> oneOfEachType() {
        return List.of(
                new Command.Kv(KvVerb.LOCK, "a/b", new byte[] {0, 1, (byte) 0xff}, Long.MAX_VALUE, 17, "sess"),
                new Command.SessionCreate("id-1", "name", "node1", 15_000_000_000L, SessionEntry.DELETE, "10s",
                        List.of("serfHealth", "disk"), List.of(new SessionEntry.ServiceCheck("web", "default"))),
                new Command.SessionDestroy("id-1"),
                new Command.Txn(List.of(Cmds.set("x", "1"), Cmds.checkIndex("x", 4), Cmds.getTree(""),
                        Cmds.checkSession("x", "s"))),
                new Command.TombstoneReap(123));
    }

    @Test
    void samplesCoverEveryCommandType() {
        Set<CommandType> types = oneOfEachType().stream().map(Command::type).collect(Collectors.toSet());
        assertThat(types).isEqualTo(EnumSet.allOf(CommandType.class));
    }

    @Test
    void everyCommandTypeRoundTrips() {
        for (Command c : oneOfEachType()) {
            byte[] bytes = CommandCodec.encode(c);
            assertThat(bytes[0] & 0xff).isEqualTo(c.type().code());
            Command back = CommandCodec.decode(bytes);
            assertThat(back).isInstanceOf(c.getClass()).usingRecursiveComparison().isEqualTo(c);
            assertThat(CommandCodec.encode(back)).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @EnumSource(KvVerb.class)
    void everyKvVerbRoundTrips(KvVerb verb) {
        Command.Kv c = new Command.Kv(verb, "k", "v".getBytes(StandardCharsets.UTF_8), 3, 9, "s");
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).usingRecursiveComparison().isEqualTo(c);
    }

    @Test
    void nullFieldsRoundTrip() {
        Command c = new Command.SessionCreate("id", null, null, 0, SessionEntry.RELEASE, null, null, null);
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
        Command.Kv kv = new Command.Kv(KvVerb.DELETE, "", null, 0, 0, null);
        assertThat(CommandCodec.decode(CommandCodec.encode(kv))).usingRecursiveComparison().isEqualTo(kv);
    }

    /** Log entries outlive the code that wrote them: the encoding itself is pinned. */
    @Test
    void encodingIsPinned() {
        byte[] bytes = CommandCodec.encode(Cmds.set("k", "v"));
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8))
                .isEqualTo("{\"Verb\":\"SET\",\"Key\":\"k\",\"Value\":\"dg==\",\"Flags\":0,\"Index\":0,\"Session\":null}");
        assertThat(new String(CommandCodec.encode(new Command.TombstoneReap(5)), StandardCharsets.UTF_8))
                .isEqualTo("\u0005{\"Index\":5}");
        assertThat(new String(CommandCodec.encode(new Command.SessionDestroy("x")), StandardCharsets.UTF_8))
                .isEqualTo("\u0003{\"ID\":\"x\"}");
    }

    @Test
    void typeCodesAreStable() {
        assertThat(CommandType.KV.code()).isEqualTo(1);
        assertThat(CommandType.SESSION_CREATE.code()).isEqualTo(2);
        assertThat(CommandType.SESSION_DESTROY.code()).isEqualTo(3);
        assertThat(CommandType.TXN.code()).isEqualTo(4);
        assertThat(CommandType.TOMBSTONE_REAP.code()).isEqualTo(5);
        assertThat(CommandType.IGNORABLE).isEqualTo(128);
        for (CommandType t : CommandType.values()) {
            assertThat(CommandType.of(t.code())).isSameAs(t);
            assertThat(t.code()).isBetween(1, CommandType.IGNORABLE - 1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 42, 127})
    void unknownNonIgnorableTypeStopsDecoding(int code) {
        byte[] bytes = {(byte) code, '{', '}'};
        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown command type " + code);
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 129, 200, 255})
    void unknownIgnorableTypeDecodesToNull(int code) {
        assertThat(CommandCodec.decode(new byte[] {(byte) code, '{', '}'})).isNull();
        assertThat(CommandCodec.decode(new byte[] {(byte) code, 'x'})).as("the body is not even read").isNull();
    }

    @Test
    void corruptBodyIsAnError() {
        byte[] bytes = {1, '{', '"', 'V'};
        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("corrupt KV command");
    }
}
