package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands as real processes ({@code java io.roster.cli.Main}, which is what
 * {@code bin/roster} runs) against an agent in this JVM: environment variables, exit codes, and
 * what only a process can show for {@code lock} (signals, {@code kill -9}) and {@code watch}.
 */
class ProcessCliTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();
    private static final Duration MAX = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<RosterProcess> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(RosterProcess::kill);
    }

    private RosterProcess roster(String... args) throws IOException {
        RosterProcess p = RosterProcess.start(Map.of("CONSUL_HTTP_ADDR", AGENT.address()), args);
        started.add(p);
        return p;
    }

    /** How many sessions lock processes created for {@code prefix} (their default session name says). */
    private static long sessions(String prefix) {
        return AGENT.client().session().list(QueryOptions.DEFAULT).value().stream()
                .filter(s -> s.name().endsWith(" at '" + prefix + "'")).count();
    }

    private static Optional<KvPair> key(String key) {
        return AGENT.client().kv().get(key, QueryOptions.DEFAULT).value();
    }

    @Test
    void kvPutAndGetFindTheAgentThroughTheEnvironment() throws Exception {
        RosterProcess put = roster("kv", "put", "proc/greeting", "hello world");
        assertThat(put.waitFor()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo("Success! Data written to: proc/greeting\n");

        RosterProcess get = roster("kv", "get", "proc/greeting");
        assertThat(get.waitFor()).isZero();
        assertThat(get.out()).isEqualTo("hello world\n");

        // ROSTER_HTTP_ADDR wins over CONSUL_HTTP_ADDR.
        RosterProcess wrong = RosterProcess.start(Map.of("CONSUL_HTTP_ADDR", AGENT.address(), "ROSTER_HTTP_ADDR", "127.0.0.1:1"),
                "kv", "get", "proc/greeting");
        started.add(wrong);
        assertThat(wrong.waitFor()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("Error querying Consul agent: ");

        RosterProcess missing = roster("kv", "get", "proc/none");
        assertThat(missing.waitFor()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error! No key exists at: proc/none\n");
        RosterProcess usage = roster("kv", "get", "-nope");
        assertThat(usage.waitFor()).isEqualTo(2);
        assertThat(usage.err().strip().lines()).hasSize(1);
    }

    @Test
    void aSecondLockProcessWaitsThenTakesOverWhenTheFirstExits() throws Exception {
        Path stop = dir.resolve("stop");
        Path log = dir.resolve("log");
        RosterProcess first = roster("lock", "proc/handoff",
                "echo first >> " + log + "; while [ ! -f " + stop + " ]; do sleep 0.05; done; echo first-done >> " + log);
        await().atMost(MAX).until(() -> Files.exists(log));
        RosterProcess second = roster("lock", "proc/handoff", "echo second >> " + log);
        // The second one has its session, so it is trying; it must not run while the first holds the lock.
        await().atMost(MAX).until(() -> sessions("proc/handoff") == 2);
        assertThat(second.process.isAlive()).isTrue();
        assertThat(Files.readAllLines(log)).containsExactly("first");

        Files.createFile(stop);
        assertThat(first.waitFor()).as(first.err()).isZero();
        assertThat(second.waitFor()).as(second.err()).isZero();
        assertThat(Files.readAllLines(log)).containsExactly("first", "first-done", "second");
        assertThat(key("proc/handoff/.lock")).isEmpty();
    }

    @Test
    void aKilledHoldersSessionExpiresAndTheWaiterTakesOverAfterTheLockDelay() throws Exception {
        Path held = dir.resolve("held");
        Path second = dir.resolve("second");
        // Short TTL and lock-delay so that the expiry (2 x TTL) and the delay take seconds, not 45s.
        RosterProcess holder = roster("lock", "-session-ttl=1s", "-lock-delay=1s", "proc/crash",
                "touch " + held + "; while true; do sleep 0.05; done");
        await().atMost(MAX).until(() -> Files.exists(held));
        RosterProcess waiter = roster("lock", "-session-ttl=1s", "-lock-delay=1s", "proc/crash", "touch " + second);
        await().atMost(MAX).until(() -> sessions("proc/crash") == 2);
        String holderSession = key("proc/crash/.lock").orElseThrow().session();

        long killedAt = System.nanoTime();
        holder.kill(); // SIGKILL: no release, no session destroy; its renewals just stop.
        await().atMost(MAX).until(() -> Files.exists(second));
        long tookOverMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(waiter.waitFor()).as(waiter.err()).isZero();
        // Not before the session expired (2 x 1s after the last renewal, which was at most 0.5s before the kill).
        assertThat(tookOverMs).isGreaterThanOrEqualTo(1500);
        assertThat(AGENT.client().session().info(holderSession, QueryOptions.DEFAULT).value()).isEmpty();
    }

    @Test
    void sigtermReachesTheChildAndTheLockIsReleased() throws Exception {
        Path started = dir.resolve("started");
        Path term = dir.resolve("term");
        RosterProcess holder = roster("lock", "proc/signal",
                "trap 'echo TERM > " + term + "; exit 7' TERM; touch " + started + "; while true; do sleep 0.05; done");
        await().atMost(MAX).until(() -> Files.exists(started));
        assertThat(key("proc/signal/.lock")).isPresent();

        holder.process.destroy(); // SIGTERM to the roster process
        assertThat(holder.waitFor()).isEqualTo(128 + 15);
        assertThat(Files.readString(term)).isEqualTo("TERM\n");
        assertThat(key("proc/signal/.lock")).as("released and cleaned up").isEmpty();
        assertThat(sessions("proc/signal")).isZero();
    }

    @Test
    void aWatchProcessRunsItsHandlerOnEveryChange() throws Exception {
        Path out = dir.resolve("watch");
        RosterProcess watch = roster("watch", "-type=key", "-key=proc/watched", "cat >> " + out);
        await().atMost(MAX).until(() -> Files.exists(out) && Files.readAllLines(out).size() == 1);
        assertThat(Files.readAllLines(out)).containsExactly("null");

        AGENT.client().kv().put("proc/watched", "1".getBytes(StandardCharsets.UTF_8));
        await().atMost(MAX).until(() -> Files.readAllLines(out).size() == 2);
        AGENT.client().kv().put("proc/watched", "2".getBytes(StandardCharsets.UTF_8));
        await().atMost(MAX).until(() -> Files.readAllLines(out).size() == 3);
        assertThat(Files.readAllLines(out).get(1)).contains("\"Value\":\"MQ==\"");
        assertThat(Files.readAllLines(out).get(2)).contains("\"Value\":\"Mg==\"");
        assertThat(watch.process.isAlive()).isTrue();
        watch.process.destroy();
        assertThat(watch.waitFor()).isEqualTo(128 + 15);
    }
}
