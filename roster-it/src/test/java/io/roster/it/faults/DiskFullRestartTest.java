package io.roster.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.it.hosts.NetHosts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A server whose data disk fills while Ratis rewrites its {@code raft-meta} (term and vote) must come
 * back once space is freed: three servers on namespace hosts, s1's data directory on a small tmpfs.
 * s1 is killed, the tmpfs filled, s1 started on the full disk, and the leader killed so that every
 * server rewrites its term: on s1 that write hits ENOSPC, which (in Ratis 3.3.0) left an empty
 * {@code raft-meta} and a server that could never start again ({@code 'term' not found in
 * properties: {}}). Then s1 is killed, the disk emptied, s1 started: it must lead or follow, and
 * serve a write made after its restart ({@code ?stale} from s1 itself, so the value came through its
 * own log). The test also asserts that the damage really happened (the file was seen empty or
 * without a term, up to three rounds of term changes), so it cannot pass without exercising the fix
 * ({@code RaftMetaGuard} in roster-server).
 */
class DiskFullRestartTest {
    @Test
    void aServerWhoseRaftMetaWriteHitAFullDiskRejoinsOnceSpaceIsBack() throws Exception {
        Assumptions.assumeTrue(NetHosts.unavailableReason().isEmpty(), () -> NetHosts.unavailableReason().orElse(""));
        try (Cluster c = new Cluster(0)) {
            c.startAll();
            assertThat(FaultRun.waitForLeader(c, Duration.ofSeconds(120))).as("a leader at the start").isTrue();
            assertThat(put(c, 1, "fz/before", "one")).isEqualTo(200);

            boolean damaged = false;
            for (int round = 0; round < 3 && !damaged; round++) {
                c.kill9(0);
                c.fillDisk();
                c.start(0);
                // s1 must be up (its Raft server running on the full disk) before the terms change
                waitUp(c, 0, Duration.ofSeconds(120));
                for (int change = 0; change < 3 && !damaged; change++) {
                    // a new term on every server: s1 has to persist it on the full disk
                    int leader = FaultRun.leaderOr(c, 1);
                    c.kill9(leader);
                    c.start(leader);
                    if (leader == 0) {
                        waitUp(c, 0, Duration.ofSeconds(120)); // s1 led: its own start on the full disk rewrites the term
                    }
                    for (int i = 0; i < 40 && !damaged; i++) {
                        damaged = metaDamaged(c.dataDir(0));
                        sleep(500);
                    }
                }
                System.out.printf("DiskFullRestartTest: round %d, s1's raft-meta %s%n", round, damaged ? "damaged" : "intact");
                c.freeDisk();
                if (!damaged) {
                    FaultRun.waitForLeader(c, Duration.ofSeconds(60));
                }
            }
            assertThat(damaged).as("s1's raft-meta was damaged by a write on the full disk (the fault this test is about)").isTrue();

            c.kill9(0);
            c.freeDisk();
            c.start(0);
            assertThat(FaultRun.waitForLeader(c, Duration.ofSeconds(120))).as("all three agree on a leader after s1's restart").isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            int status = 0;
            while (System.nanoTime() < deadline && status != 200) {
                status = put(c, 1, "fz/after", "two");
                if (status != 200) {
                    status = put(c, 2, "fz/after", "two");
                }
                sleep(500);
            }
            assertThat(status).as("a write after s1's restart").isEqualTo(200);
            String seen = null;
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !"two".equals(seen)) {
                HttpBridge.Answer a = c.bridge().call("GET", Cluster.url(0) + "/v1/kv/fz/after?stale&raw", null, Duration.ofSeconds(5));
                seen = a.status() == 200 ? a.body() : null;
                sleep(300);
            }
            assertThat(seen).as("s1 caught up: it serves the write made after its restart from its own state").isEqualTo("two");
            HttpBridge.Answer before = c.bridge().call("GET", Cluster.url(0) + "/v1/kv/fz/before?stale&raw", null, Duration.ofSeconds(5));
            assertThat(before.body()).as("and the write from before the fault").isEqualTo("one");
            String log = Files.readString(c.logDir().resolve("s1-agent.log"));
            assertThat(log).as("s1's agent restored raft-meta from its kept copy").contains("Restored ");
        }
    }

    private static void waitUp(Cluster c, int server, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline
                && c.bridge().call("GET", Cluster.url(server) + "/v1/agent/self", null, Duration.ofSeconds(5)).status() != 200) {
            sleep(500);
        }
    }

    private static int put(Cluster c, int server, String key, String value) {
        return c.bridge().call("PUT", Cluster.url(server) + "/v1/kv/" + key, value, Duration.ofSeconds(10)).status();
    }

    /** Some group's {@code raft-meta} under the data directory exists and lacks a term. */
    private static boolean metaDamaged(Path dataDir) throws IOException {
        Path raft = dataDir.resolve("raft");
        if (!Files.isDirectory(raft)) {
            return false;
        }
        try (Stream<Path> groups = Files.list(raft)) {
            for (Path g : groups.toList()) {
                Path meta = g.resolve("current").resolve("raft-meta");
                if (Files.exists(meta)) {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(meta)) {
                        p.load(in);
                    } catch (IOException e) {
                        return true;
                    }
                    if (p.getProperty("term") == null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
