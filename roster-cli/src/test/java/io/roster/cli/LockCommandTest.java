package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code roster lock} in this JVM against a real agent: the child runs only while the lock is held,
 * the exit code is the child's, the lock is released and cleaned up, a second lock waits for the
 * first, a semaphore admits N, and a lost lock stops the child. (Real processes, SIGTERM and
 * {@code kill -9}: {@link ProcessCliTest}.) Children report through files: they share this JVM's
 * stdout, which the test runner reads.
 */
class LockCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();
    private static final Duration MAX = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static Optional<KvPair> key(String key) {
        return AGENT.client().kv().get(key, QueryOptions.DEFAULT).value();
    }

    /** A child that says it started, then waits for its stop file (or for the test's directory to go). */
    private static String blocker(Path started, Path stop) {
        return "touch " + started + "; while [ ! -f " + stop + " ] && [ -d " + stop.getParent() + " ]; do sleep 0.05; done";
    }

    /** How many sessions the lock command created for {@code prefix} (its default session name says). */
    private static long sessions(String prefix) {
        return AGENT.client().session().list(QueryOptions.DEFAULT).value().stream()
                .filter(s -> s.name().endsWith(" at '" + prefix + "'")).count();
    }

    private static CompletableFuture<Integer> inBackground(String... args) {
        return CompletableFuture.supplyAsync(() -> Cli.execute(args));
    }

    @Test
    void runsTheChildHoldingTheLockAndReturnsItsExitCode() throws IOException {
        Path seen = dir.resolve("seen");
        Cli.Result r = Cli.run("lock", "jobs/one", "echo \"$CONSUL_LOCK_HELD\" > " + seen + "; exit 3");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(Files.readString(seen)).isEqualTo("true\n");
        // Released and cleaned up: no key left, no session left.
        assertThat(key("jobs/one/.lock")).isEmpty();
        assertThat(sessions("jobs/one")).isZero();

        assertThat(Cli.run("lock", "-child-exit-code", "jobs/one", "exit 3").code()).as("Consul's rule").isEqualTo(2);
        assertThat(Cli.run("lock", "-child-exit-code", "jobs/one", "true").code()).isZero();
    }

    @Test
    void severalArgumentsAreRunAsGivenAndOneThroughTheShell() throws IOException {
        Path out = dir.resolve("args");
        assertThat(Cli.run("lock", "jobs/args", "sh", "-c", "printf '%s|' \"$@\" > " + out, "sh", "a  b", "c").code()).isZero();
        assertThat(Files.readString(out)).isEqualTo("a  b|c|");
        assertThat(Cli.run("lock", "-shell=false", "jobs/args", "/bin/sh", "-c", "exit 5").code()).isEqualTo(5);
    }

    @Test
    void theLockKeyIsConsulsWhileTheChildRuns() throws Exception {
        Path started = dir.resolve("started");
        Path stop = dir.resolve("stop");
        CompletableFuture<Integer> holder = inBackground("lock", "-name=holder", "svc/leader", blocker(started, stop));
        await().atMost(MAX).until(() -> Files.exists(started));

        KvPair lock = key("svc/leader/.lock").orElseThrow();
        assertThat(lock.flags()).isEqualTo(0x2ddccbc058a50c18L);
        assertThat(lock.session()).isNotEmpty();
        assertThat(AGENT.client().session().info(lock.session(), QueryOptions.DEFAULT).value().orElseThrow())
                .satisfies(s -> {
                    assertThat(s.name()).isEqualTo("holder");
                    assertThat(s.ttl()).isEqualTo("15s");
                    assertThat(s.behavior()).isEqualTo("release");
                });

        Files.createFile(stop);
        assertThat(holder.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(key("svc/leader/.lock")).isEmpty();
    }

    @Test
    void aSecondLockWaitsThenTakesOverWhenTheFirstExits() throws Exception {
        Path firstStarted = dir.resolve("first-started");
        Path firstStop = dir.resolve("first-stop");
        Path second = dir.resolve("second");
        CompletableFuture<Integer> first = inBackground("lock", "svc/handoff", blocker(firstStarted, firstStop));
        await().atMost(MAX).until(() -> Files.exists(firstStarted));

        CompletableFuture<Integer> waiter = inBackground("lock", "svc/handoff", "echo second > " + second);
        // The waiter has its session, so it is trying: it waits on a blocking query of the lock key.
        await().atMost(MAX).until(() -> sessions("svc/handoff") == 2);
        assertThat(Files.exists(second)).isFalse();
        assertThat(waiter).isNotDone();

        Files.createFile(firstStop);
        assertThat(first.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(waiter.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(Files.readString(second)).isEqualTo("second\n");
        assertThat(key("svc/handoff/.lock")).isEmpty();
    }

    @Test
    void aSemaphoreAdmitsNHolders() throws Exception {
        Path stop = dir.resolve("stop");
        CompletableFuture<Integer> a = inBackground("lock", "-n=2", "pool/workers", blocker(dir.resolve("a"), stop));
        CompletableFuture<Integer> b = inBackground("lock", "-n=2", "pool/workers", blocker(dir.resolve("b"), stop));
        await().atMost(MAX).until(() -> Files.exists(dir.resolve("a")) && Files.exists(dir.resolve("b")));

        KvPair lock = key("pool/workers/.lock").orElseThrow();
        assertThat(lock.flags()).isEqualTo(0xe0f69a2baa414de0L);
        assertThat(lock.valueAsString()).startsWith("{\"Limit\":2,\"Holders\":{\"");
        assertThat(AGENT.client().kv().list("pool/workers/", QueryOptions.DEFAULT).value())
                .as("a contender key per holder, plus .lock").hasSize(3);

        Cli.Result third = Cli.run("lock", "-n=2", "-timeout=300ms", "pool/workers", "touch " + dir.resolve("c"));
        assertThat(third.code()).isEqualTo(1);
        assertThat(third.err()).isEqualTo("Shutdown triggered or timeout during lock acquisition\n");
        assertThat(Files.exists(dir.resolve("c"))).isFalse();

        Cli.Result conflict = Cli.run("lock", "pool/workers", "true");
        assertThat(conflict.code()).isEqualTo(1);
        assertThat(conflict.err()).isEqualTo("Lock acquisition failed: Existing key does not match lock use\n");
        Cli.Result limit = Cli.run("lock", "-n=3", "pool/workers", "true");
        assertThat(limit.err()).isEqualTo("Lock acquisition failed: semaphore limit conflict (lock: 2, local: 3)\n");

        Files.createFile(stop);
        assertThat(a.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(b.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(AGENT.client().kv().list("pool/workers/", QueryOptions.DEFAULT).value()).isEmpty();
    }

    @Test
    void aLostLockStopsTheChild() throws Exception {
        Path started = dir.resolve("started");
        Path terminated = dir.resolve("terminated");
        String child = "exec 2>/dev/null; trap 'touch " + terminated + "; exit 9' TERM; touch " + started + "; while [ -d " + dir + " ]; do sleep 0.05; done";
        CompletableFuture<Integer> holder = inBackground("lock", "svc/lost", child);
        await().atMost(MAX).until(() -> Files.exists(started));

        // An operator destroys the session: the lock is released under the holder's feet.
        String session = key("svc/lost/.lock").orElseThrow().session();
        AGENT.client().session().destroy(session);

        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(9);
        assertThat(Files.exists(terminated)).isTrue();
    }

    @Test
    void timeoutAndUsageMistakes() throws Exception {
        Path started = dir.resolve("started");
        Path stop = dir.resolve("stop");
        CompletableFuture<Integer> holder = inBackground("lock", "svc/busy", blocker(started, stop));
        await().atMost(MAX).until(() -> Files.exists(started));
        Cli.Result late = Cli.run("lock", "-timeout=200ms", "svc/busy", "true");
        assertThat(late.code()).isEqualTo(1);
        assertThat(late.err()).isEqualTo("Shutdown triggered or timeout during lock acquisition\n");
        Files.createFile(stop);
        assertThat(holder.get(30, TimeUnit.SECONDS)).isZero();

        assertThat(Cli.run("lock", "svc/x")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Key prefix and child command must be specified\n");
        });
        assertThat(Cli.run("lock", "-n=0", "svc/x", "true").err()).isEqualTo("Lock holder limit must be positive\n");
        assertThat(Cli.run("lock", "-timeout=soon", "svc/x", "true").err()).isEqualTo("invalid value \"soon\" for flag -timeout: parse error\n");
        assertThat(sessions("svc/busy")).isZero();
        assertThat(sessions("svc/x")).isZero();
    }
}
