package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.TxnOp;
import io.roster.api.TxnResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults against a real 3-server cluster of {@code bin/roster agent -server} processes: kill -9 of
 * the leader under a concurrent write load (no acknowledged write lost, no transaction half
 * applied), kill -9 of every server and a restart (all data intact), and SIGSTOP of the leader past
 * the election timeout (it steps down; one leader afterwards). Bounded in time; prints the
 * failover unavailability it measured.
 */
class RaftFaultProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private final List<Process> procs = new ArrayList<>(List.of(new Process[0]));
    private final List<Integer> httpPorts = new ArrayList<>();
    private final List<Integer> raftPorts = new ArrayList<>();
    private final List<Integer> serfPorts = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : procs) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    private void startCluster() throws Exception {
        for (int i = 0; i < 3; i++) {
            httpPorts.add(Ports.free());
            raftPorts.add(Ports.free());
            serfPorts.add(Ports.free());
            dirs.add(Files.createTempDirectory("roster-fault-" + i));
            procs.add(null);
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (int i = 0; i < 3; i++) {
            int port = httpPorts.get(i);
            Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                    .until(() -> !RosterClient.create("127.0.0.1:" + port).status().leader().isEmpty());
        }
    }

    /** Extra flags for every server (e.g. a config file). */
    private final List<String> extraFlags = new ArrayList<>();

    private void start(int i) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/roster").toString(), "agent", "-server",
                "-node=fault-" + i, "-data-dir=" + dirs.get(i), "-http-port=" + httpPorts.get(i), "-dns-port=-1",
                "-server-port=" + raftPorts.get(i), "-serf-lan-port=" + serfPorts.get(i), "-bootstrap-expect=3", "-log-level=warn", "-bind=127.0.0.1"));
        for (int p : serfPorts) {
            cmd.add("-retry-join=127.0.0.1:" + p); // gossip addresses: servers learn each other's Raft address from gossip
        }
        cmd.addAll(extraFlags);
        Path log = dirs.get(i).resolve("agent-" + System.nanoTime() + ".log");
        procs.set(i, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private RosterClient client(int i) {
        return RosterClient.create("127.0.0.1:" + httpPorts.get(i));
    }

    private int leaderIndex() {
        for (int attempt = 0; attempt < 600; attempt++) {
            for (int i = 0; i < 3; i++) {
                if (procs.get(i) == null || !procs.get(i).isAlive()) {
                    continue;
                }
                try {
                    String leader = client(i).status().leader();
                    int idx = raftPorts.indexOf(Integer.parseInt(leader.substring(leader.lastIndexOf(':') + 1)));
                    if (idx >= 0 && procs.get(idx) != null && procs.get(idx).isAlive()) {
                        return idx;
                    }
                } catch (RuntimeException notYet) {
                    // try the next server
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no leader");
    }

    private void signal(int i, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(procs.get(i).pid())).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void killDashNineOfTheLeaderUnderLoadLosesNoAcknowledgedWrite() throws Exception {
        startCluster();
        int leader = leaderIndex();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> ackedTxn = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong();
        AtomicLong firstAfterKill = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (int t = 0; t < 16; t++) {
            int thread = t;
            pool.execute(() -> {
                int n = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (running.get() && System.nanoTime() < end) {
                    // Each client talks to a server that stays up, and to the leader before it dies.
                    int target = (thread + n) % 3;
                    if (!procs.get(target).isAlive()) {
                        target = (target + 1) % 3;
                    }
                    String key = "load/" + thread + "/" + n++;
                    long sent = System.nanoTime();
                    try {
                        if (n % 5 == 0) {
                            // Every fifth write is a two-key transaction: both keys or neither.
                            TxnResponse r = client(target).txn(List.of(
                                    TxnOp.of(new TxnOp.KvOp("set", key + "/a", utf8("1"), null, null, null)),
                                    TxnOp.of(new TxnOp.KvOp("set", key + "/b", utf8("1"), null, null, null))));
                            if (r.errors() == null) {
                                ackedTxn.add(key);
                            }
                        } else if (client(target).kv().put(key, utf8("v"))) {
                            acked.add(key);
                        }
                        // Unavailability: from the kill to the first write that was sent after it and acknowledged.
                        long k = killedAt.get();
                        if (k != 0 && sent > k && firstAfterKill.get() == 0) {
                            firstAfterKill.compareAndSet(0, System.nanoTime());
                        }
                    } catch (RuntimeException unavailable) {
                        // not acknowledged: may or may not be applied, but never half-applied
                    }
                }
            });
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 200);
        killedAt.set(System.nanoTime());
        signal(leader, "KILL");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> firstAfterKill.get() != 0);
        long writesAfter = acked.size();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= writesAfter + 200);
        running.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        System.out.printf("failover: first acknowledged write %d ms after kill -9 of the leader; %d writes and %d txns acknowledged%n",
                (firstAfterKill.get() - killedAt.get()) / 1_000_000, acked.size(), ackedTxn.size());

        start(leader);
        int survivor = (leader + 1) % 3;
        for (int i = 0; i < 3; i++) {
            RosterClient c = client(i);
            Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() -> {
                List<String> keys = c.kv().keys("load/", null, QueryOptions.DEFAULT.withConsistent()).value();
                Set<String> present = Set.copyOf(keys);
                for (String k : acked) {
                    assertThat(present).as("acknowledged key %s on server %s", k, c.address()).contains(k);
                }
                for (String k : ackedTxn) {
                    assertThat(present).contains(k + "/a", k + "/b");
                }
                // No transaction is half applied, acknowledged or not.
                for (String k : keys) {
                    if (k.endsWith("/a")) {
                        assertThat(present).contains(k.substring(0, k.length() - 2) + "/b");
                    }
                }
            });
        }
        assertThat(client(survivor).kv().keys("load/", null, QueryOptions.DEFAULT).value()).isNotEmpty();
    }

    @Test
    void killDashNineOfEveryServerThenRestartKeepsAllData() throws Exception {
        startCluster();
        RosterClient c = client(leaderIndex());
        for (int i = 0; i < 100; i++) {
            assertThat(c.kv().put("durable/" + i, utf8("v" + i))).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            signal(i, "KILL");
            procs.get(i).waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (int i = 0; i < 3; i++) {
            RosterClient ci = client(i);
            Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() ->
                    assertThat(ci.kv().list("durable/", QueryOptions.DEFAULT.withConsistent()).value()).hasSize(100));
        }
    }

    @Test
    void aStoppedLeaderStepsDownAndNoAcknowledgedWriteIsLost() throws Exception {
        startCluster();
        int leader = leaderIndex();
        int other = (leader + 1) % 3;
        assertThat(client(other).kv().put("stop/before", utf8("1"))).isTrue();
        signal(leader, "STOP");
        try {
            // Past the election timeout (1-2 s) the other two elect a new leader and accept writes.
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> client(other).kv().put("stop/during", utf8("2")));
        } finally {
            signal(leader, "CONT");
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(client(leader).kv().get("stop/during", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
            // One leader, agreed on by every server.
            Set<String> leaders = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 3; i++) {
                leaders.add(client(i).status().leader());
            }
            assertThat(leaders).hasSize(1);
            assertThat(leaders.iterator().next()).isNotEmpty();
        });
        assertThat(client(leader).kv().get("stop/before", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
    }

    /**
     * A follower killed while 10,000 writes happen comes back and catches up: the leader has taken
     * snapshots and truncated its log meanwhile (threshold 400 entries: concurrent writes share entries), so the follower is brought
     * up to date by snapshot install, then by the log; its KV ends identical to the leader's.
     */
    @Test
    void aFollowerDownDuringTenThousandWritesCatchesUp() throws Exception {
        Path conf = Files.createTempFile("roster-fault-conf", ".json");
        Files.writeString(conf, "{\"raft_snapshot_threshold\": 400}");
        extraFlags.add("-config-file=" + conf);
        startCluster();
        int leader = leaderIndex();
        int down = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        client(down).kv().put("catchup/first", utf8("before"));
        signal(down, "KILL");
        assertThat(procs.get(down).waitFor(10, TimeUnit.SECONDS)).isTrue();
        procs.set(down, null);
        // 10,000 writes from 32 clients, spread over the two live servers.
        ExecutorService pool = Executors.newFixedThreadPool(32);
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        for (int t = 0; t < 32; t++) {
            int thread = t;
            pool.execute(() -> {
                RosterClient c = client(thread % 2 == 0 ? leader : other);
                for (int n = thread; n < 10_000; n += 32) {
                    boolean ok = false;
                    for (int attempt = 0; attempt < 5 && !ok; attempt++) {
                        try {
                            ok = c.kv().put("catchup/" + n, utf8("v" + n));
                        } catch (RuntimeException e) {
                            // retried below
                        }
                    }
                    if (!ok) {
                        failures.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        assertThat(failures.get()).isZero();
        System.out.printf("raft catch-up test: 10,000 writes with one follower down took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        start(down);
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                client(down).kv().keys("catchup/", null, QueryOptions.DEFAULT.withStale()).value().size() == 10_001);
        System.out.printf("raft catch-up test: the restarted follower had all 10,001 keys %.1f s after its start%n",
                (System.nanoTime() - t1) / 1e9);
        // The same KV, index for index, as the leader's.
        var leaderKv = client(leader).kv().list("catchup/", QueryOptions.DEFAULT.withConsistent()).value();
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(client(down).kv().list("catchup/", QueryOptions.DEFAULT.withStale()).value())
                        .usingRecursiveFieldByFieldElementComparator().isEqualTo(leaderKv));
        // The leader truncated its log behind snapshots, and the follower holds a snapshot too.
        try (var files = Files.walk(dirs.get(down).resolve("raft"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("snapshot.")).toList()).isNotEmpty();
        }
    }
}
