package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.KvPair;
import io.roster.api.testing.TestPorts;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three Ratis servers in one JVM on loopback, each with its own store and data directory. */
class RaftReplicatorTest {
    private final List<RaftReplicator> servers = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> {
            if (s != null) {
                s.close();
            }
        });
    }

    private void startCluster(int n, long snapshotEvery) throws Exception {
        for (int i = 0; i < n; i++) {
            addresses.add("127.0.0.1:" + TestPorts.free());
            dirs.add(Files.createTempDirectory("roster-raft-" + i));
        }
        for (int i = 0; i < n; i++) {
            servers.add(start(i, snapshotEvery));
        }
    }

    private RaftReplicator start(int i, long snapshotEvery) throws IOException {
        return new RaftReplicator(new Store(), addresses.get(i), addresses, dirs.get(i), snapshotEvery, "dc1").start();
    }

    private static Command.Kv set(String key, String value) {
        return new Command.Kv(KvVerb.SET, key, value.getBytes(StandardCharsets.UTF_8), 0, 0, null);
    }

    private static String value(RaftReplicator r, String key) {
        KvPair e = r.store().kvGet(WatchSet.NONE, key).value();
        return e == null ? null : e.valueAsString();
    }

    private RaftReplicator leader() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().anyMatch(s -> s != null && s.isLeader()));
        return servers.stream().filter(s -> s != null && s.isLeader()).findFirst().orElseThrow();
    }

    private RaftReplicator follower() {
        RaftReplicator l = leader();
        return servers.stream().filter(s -> s != null && s != l).findFirst().orElseThrow();
    }

    @Test
    void aWriteThroughAFollowerIsAppliedEverywhereWithItsResult() throws Exception {
        startCluster(3, 10_000);
        RaftReplicator f = follower();
        assertThat(f.submit(set("a", "1")).get(30, TimeUnit.SECONDS)).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
        // The apply result travels back: a CAS on a stale index is false.
        assertThat(f.submit(new Command.Kv(KvVerb.CAS, "a", "x".getBytes(), 0, 999, null)).get(30, TimeUnit.SECONDS))
                .isEqualTo(io.roster.state.ApplyResult.Bool.FALSE);
        for (RaftReplicator s : servers) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(value(s, "a")));
        }
        // A consistent read on a follower sees every acknowledged write.
        f.submit(set("b", "2")).get(30, TimeUnit.SECONDS);
        RaftReplicator other = servers.stream().filter(s -> s != f).filter(s -> !s.isLeader()).findFirst().orElse(f);
        other.readBarrier().get(30, TimeUnit.SECONDS);
        assertThat(value(other, "b")).isEqualTo("2");
        assertThat(f.leaderAddress()).isIn(addresses);
        // The third server may apply the last write a moment later; then all states are identical.
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> servers.stream().map(s -> s.store().stateHash()).distinct().count() == 1);
    }

    @Test
    void theClusterSurvivesLosingItsLeaderAndTheLostServerCatchesUpBySnapshot() throws Exception {
        startCluster(3, 50);
        RaftReplicator l = leader();
        for (int i = 0; i < 20; i++) {
            l.submit(set("k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
        }
        int down = servers.indexOf(l);
        l.close();
        servers.set(down, null);
        RaftReplicator survivor = servers.stream().filter(s -> s != null).findFirst().orElseThrow();
        // Writes go on with the two remaining servers (a new leader is elected), enough to snapshot and truncate.
        for (int i = 20; i < 200; i++) {
            survivor.submit(set("k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
        }
        servers.set(down, start(down, 50));
        RaftReplicator back = servers.get(down);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "v199".equals(value(back, "k199")));
        assertThat(value(back, "k0")).isEqualTo("v0");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> servers.stream().map(s -> s.store().stateHash()).distinct().count() == 1);
    }

    @Test
    void allServersRestartedKeepEveryAcknowledgedWrite() throws Exception {
        startCluster(3, 10_000);
        RaftReplicator l = leader();
        for (int i = 0; i < 30; i++) {
            l.submit(set("durable/" + i, "v" + i)).get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < servers.size(); i++) {
            servers.get(i).close();
            servers.set(i, null);
        }
        for (int i = 0; i < 3; i++) {
            servers.set(i, start(i, 10_000));
        }
        leader();
        for (RaftReplicator s : servers) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "v29".equals(value(s, "durable/29")));
            assertThat(s.store().kvList(WatchSet.NONE, "durable/").value()).hasSize(30);
        }
    }

    @Test
    void concurrentWritesTravelTogetherAndEachGetsItsOwnResult() throws Exception {
        startCluster(3, 10_000);
        RaftReplicator l = leader();
        RaftReplicator f = follower();
        // 200 concurrent "create if absent" on one key, through both servers: exactly one wins,
        // however the replicator groups them into entries.
        List<java.util.concurrent.CompletableFuture<io.roster.state.ApplyResult>> race = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RaftReplicator via = i % 2 == 0 ? l : f;
            race.add(via.submit(new Command.Kv(KvVerb.CAS, "race", ("w" + i).getBytes(StandardCharsets.UTF_8), 0, 0, null)));
        }
        List<io.roster.state.ApplyResult> results = new ArrayList<>();
        for (var r : race) {
            results.add(r.get(60, TimeUnit.SECONDS));
        }
        assertThat(results).containsOnly(io.roster.state.ApplyResult.Bool.TRUE, io.roster.state.ApplyResult.Bool.FALSE);
        assertThat(results.stream().filter(io.roster.state.ApplyResult.Bool.TRUE::equals).count()).isEqualTo(1);
        String winner = "w" + results.indexOf(io.roster.state.ApplyResult.Bool.TRUE);
        for (RaftReplicator s : servers) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> winner.equals(value(s, "race")));
        }
        // And 300 distinct writes all land, with a rejected one among them not affecting the rest.
        List<java.util.concurrent.CompletableFuture<io.roster.state.ApplyResult>> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add((i % 3 == 0 ? f : l).submit(set("many/" + i, "v" + i)));
        }
        var bad = l.submit(new Command.Kv(KvVerb.LOCK, "many/locked", new byte[0], 0, 0, "no-such-session"));
        for (var m : many) {
            assertThat(m.get(60, TimeUnit.SECONDS)).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
        }
        assertThat(bad.get(60, TimeUnit.SECONDS)).isInstanceOf(io.roster.state.ApplyError.class);
        f.readBarrier().get(30, TimeUnit.SECONDS);
        assertThat(f.store().kvList(WatchSet.NONE, "many/").value()).hasSize(300);
    }

    @Test
    void manyConcurrentConsistentReadsOnAFollowerAllSeeAnAcknowledgedWrite() throws Exception {
        startCluster(3, 10_000);
        RaftReplicator f = follower();
        leader().submit(set("seen", "yes")).get(30, TimeUnit.SECONDS);
        List<java.util.concurrent.CompletableFuture<String>> reads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            reads.add(f.readBarrier().thenApply(v -> value(f, "seen")));
        }
        for (var r : reads) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo("yes");
        }
    }

    /** A seeded random workload of every command kind, from concurrent writers on every server. */
    @Test
    void everyServerReachesTheSameStateAfterARandomConcurrentWorkload() throws Exception {
        startCluster(3, 300);
        leader();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            java.util.Random rnd = new java.util.Random(1000 + w);
            RaftReplicator via = servers.get(w % 3);
            int id = w;
            writers.add(Thread.ofVirtual().start(() -> {
                List<java.util.concurrent.CompletableFuture<io.roster.state.ApplyResult>> inFlight = new ArrayList<>();
                for (int i = 0; i < 150; i++) {
                    String key = "w/" + rnd.nextInt(40);
                    Command c = switch (rnd.nextInt(6)) {
                        case 0, 1 -> set(key, "v" + id + "-" + i);
                        case 2 -> new Command.Kv(KvVerb.DELETE, key, null, 0, 0, null);
                        case 3 -> new Command.Kv(KvVerb.CAS, key, "cas".getBytes(StandardCharsets.UTF_8), 0, rnd.nextInt(50), null);
                        case 4 -> new Command.Txn(List.of(set(key + "/t1", "a"), set(key + "/t2", "b")));
                        default -> new Command.SessionCreate("sess-" + id + "-" + i, "", "", 0, "release", "", List.of(), null);
                    };
                    inFlight.add(via.submit(c));
                    if (inFlight.size() >= 8) {
                        try {
                            inFlight.remove(0).get(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }
                }
                for (var f : inFlight) {
                    try {
                        f.get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : writers) {
            t.join(Duration.ofSeconds(120));
        }
        assertThat(failures.get()).isZero();
        RaftReplicator l = leader();
        long last = l.store().lastIndex();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> servers.stream().allMatch(s -> s.store().lastIndex() >= last));
        assertThat(servers.stream().map(s -> s.store().stateHash()).distinct()).hasSize(1);
        assertThat(l.store().kvList(WatchSet.NONE, "w/").value()).isNotEmpty();
    }
}
