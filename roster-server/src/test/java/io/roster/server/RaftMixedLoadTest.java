package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.testing.TestPorts;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's stall: consistent reads and writes mixed on the leader. Three in-process Ratis
 * servers on loopback; every operation must complete within a generous bound (a stall is an
 * operation that does not complete at all in {@link #STALL} while the cluster is healthy).
 * Before the fix, read barriers and writes shared one Ratis client's ordered gRPC stream to the
 * leader, whose server-side sliding window then waited for sequence numbers that belonged to the
 * other window: requests sat there until the client's 3 s request timeout, reconnect and retry,
 * holding the one in-flight write slot and the shared ReadIndex round meanwhile.
 */
class RaftMixedLoadTest {
    /** A bound no healthy operation gets near; only a stalled one exceeds it. */
    private static final Duration STALL = Duration.ofSeconds(8);
    private final List<RaftReplicator> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RaftReplicator::close);
    }

    private RaftReplicator startCluster() throws Exception {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            addresses.add("127.0.0.1:" + TestPorts.free());
        }
        for (int i = 0; i < 3; i++) {
            Path dir = Files.createTempDirectory("roster-mixed-" + i);
            servers.add(new RaftReplicator(new Store(), addresses.get(i), addresses, dir, 100_000, "dc1").start());
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().anyMatch(RaftReplicator::isLeader));
        return servers.stream().filter(RaftReplicator::isLeader).findFirst().orElseThrow();
    }

    private static Command.Kv set(String key, String value) {
        return new Command.Kv(KvVerb.SET, key, value.getBytes(StandardCharsets.UTF_8), 0, 0, null);
    }

    /** Waits for {@code f} up to {@link #STALL}; records a stall (and does not throw) if it does not complete. */
    private static void await(CompletableFuture<?> f, AtomicInteger stalls, AtomicLong slowestMillis) {
        long t0 = System.nanoTime();
        try {
            f.get(STALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stalls.incrementAndGet();
        } catch (Exception e) {
            throw new AssertionError("operation failed: " + e, e);
        }
        slowestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
    }

    /** Runs {@code threads} loops of {@code op} for {@code seconds} (bounded by count too); returns operations done. */
    private static long storm(int threads, int seconds, int maxPerThread, java.util.function.IntFunction<CompletableFuture<?>> op,
                              AtomicInteger stalls, AtomicLong slowest) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(Thread.ofVirtual().start(() -> {
                for (int n = 0; n < maxPerThread && System.nanoTime() < end && stalls.get() == 0; n++) {
                    await(op.apply(id * 1_000_000 + n), stalls, slowest);
                    done.incrementAndGet();
                }
            }));
        }
        for (Thread t : ts) {
            t.join(TimeUnit.SECONDS.toMillis(seconds) + 2 * STALL.toMillis());
        }
        return done.get();
    }

    @Test
    void writesAndConsistentReadsOnTheLeaderNeverStallAfterAReadStorm() throws Exception {
        RaftReplicator leader = startCluster();
        leader.submit(set("warm", "up")).get(30, TimeUnit.SECONDS);
        AtomicInteger stalls = new AtomicInteger();
        AtomicLong slowest = new AtomicLong();
        // 1. A read storm on the leader, with a trickle of writes as a running agent has (its own
        //    catalog and session writes), the mix that stalled.
        Thread trickle = Thread.ofVirtual().start(() -> {
            for (int n = 0; n < 200 && stalls.get() == 0; n++) {
                await(leader.submit(set("trickle/" + (n % 8), "v" + n)), stalls, slowest);
            }
        });
        long reads = storm(32, 6, 200_000, n -> leader.readBarrier(), stalls, slowest);
        trickle.join(STALL.toMillis() * 3);
        // 2. Then 32 writers, every write a distinct value.
        long writes = storm(32, 4, 100_000, n -> leader.submit(set("w/" + (n % 64), "v" + n)), stalls, slowest);
        // 3. One consistent read and one write right after.
        await(leader.readBarrier(), stalls, slowest);
        await(leader.submit(set("probe", "after")), stalls, slowest);
        System.out.printf("mixed load on the leader: %d consistent reads, %d writes, slowest operation %d ms, %d stalled%n",
                reads, writes, slowest.get(), stalls.get());
        assertThat(stalls.get()).as("operations that did not complete within %s", STALL).isZero();
        assertThat(reads).isPositive();
        assertThat(writes).isPositive();
    }

    @Test
    void theFirstConsistentReadAfterALeaderKillCompletesOnTheNewLeaderAndOnTheFollower() throws Exception {
        RaftReplicator old = startCluster();
        old.submit(set("before", "kill")).get(30, TimeUnit.SECONDS);
        old.close();
        servers.remove(old);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().anyMatch(RaftReplicator::isLeader));
        RaftReplicator leader = servers.stream().filter(RaftReplicator::isLeader).findFirst().orElseThrow();
        RaftReplicator follower = servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
        AtomicInteger stalls = new AtomicInteger();
        AtomicLong leaderMillis = new AtomicLong();
        AtomicLong followerMillis = new AtomicLong();
        // Both first reads at once, each timed from the moment the new leader was seen: the follower's
        // read must not ride on a round the leader's read already made.
        long t0 = System.nanoTime();
        CompletableFuture<Void> onLeader = leader.readBarrier()
                .thenRun(() -> leaderMillis.set((System.nanoTime() - t0) / 1_000_000));
        CompletableFuture<Void> onFollower = follower.readBarrier()
                .thenRun(() -> followerMillis.set((System.nanoTime() - t0) / 1_000_000));
        await(onLeader, stalls, new AtomicLong());
        await(onFollower, stalls, new AtomicLong());
        System.out.printf("first consistent read after the leader was killed: %d ms on the new leader, %d ms on the follower%n",
                leaderMillis.get(), followerMillis.get());
        assertThat(stalls.get()).as("first reads that did not complete within %s", STALL).isZero();
        assertThat(follower.store().kvGet(io.roster.state.WatchSet.NONE, "before").value()).isNotNull();
    }

    @Test
    void aFiftyMegabyteSnapshotRestoreReplicatesToEveryServerInPieces() throws Exception {
        RaftReplicator leader = startCluster();
        RaftReplicator follower = servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
        // A state whose snapshot is over 50 MB: 400 keys of 100 KB (base64 in the snapshot).
        Store source = new Store();
        byte[] value = new byte[100 * 1024];
        for (int i = 0; i < 400; i++) {
            java.util.Arrays.fill(value, (byte) ('a' + i % 26));
            source.apply(i + 1, new Command.Kv(KvVerb.SET, "big/" + i, value.clone(), 0, 0, null));
        }
        java.io.ByteArrayOutputStream snap = new java.io.ByteArrayOutputStream();
        source.snapshot(snap);
        byte[] snapshot = snap.toByteArray();
        assertThat(snapshot.length).isGreaterThan(50 << 20);
        leader.submit(set("before", "restore")).get(30, TimeUnit.SECONDS);
        // Through a follower: the pieces are forwarded to the leader one after the other.
        Object result = follower.submit(new Command.Restore(snapshot)).get(120, TimeUnit.SECONDS);
        assertThat(result).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
        // Every server applied it whole (the key written before is gone, all 400 are there), and
        // replication goes on afterwards.
        leader.submit(set("after", "restore")).get(30, TimeUnit.SECONDS);
        for (RaftReplicator r : servers) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    r.store().kvGet(io.roster.state.WatchSet.NONE, "after").value() != null);
            assertThat(r.store().kvGet(io.roster.state.WatchSet.NONE, "before").value()).isNull();
            assertThat(r.store().kvList(io.roster.state.WatchSet.NONE, "big/").value()).hasSize(400);
        }
        assertThat(servers.stream().map(r -> r.store().stateHash()).distinct()).hasSize(1);
        System.out.printf("restored a %d-byte snapshot on 3 servers in %d-byte pieces%n", snapshot.length, Chunks.PIECE_BYTES);
    }
}
