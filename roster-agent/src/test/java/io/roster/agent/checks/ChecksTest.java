package io.roster.agent.checks;

import static org.awaitility.Awaitility.await;

import io.roster.api.testing.TestPorts;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the check tests share: a scheduler, a recording sink and runners that accept the short
 * intervals tests use (50ms; Consul's minimum is 1s).
 */
abstract class ChecksTest {
    static final Duration AWAIT = Duration.ofSeconds(15);

    ScheduledExecutorService scheduler;
    Recorder sink;
    CheckRunners runners;

    @BeforeEach
    void startRunners() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-check-scheduler");
            t.setDaemon(true);
            return t;
        });
        sink = new Recorder();
        runners = runners(options());
    }

    @AfterEach
    void stopRunners() {
        runners.close();
        scheduler.shutdownNow();
    }

    /** Options for {@link #runners}; tests override to enable scripts, shrink output, add a resolver. */
    CheckRunners.Options options() {
        return CheckRunners.Options.defaults();
    }

    CheckRunners runners(CheckRunners.Options options) {
        CheckRunners r = new CheckRunners(scheduler, sink, options);
        r.minInterval(Duration.ofMillis(10));
        r.aliasPollInterval(Duration.ofMillis(50));
        return r;
    }

    /** Waits for the check's latest reported status. */
    void awaitStatus(String checkId, String status) {
        await().atMost(AWAIT).until(() -> status.equals(sink.status(checkId)));
    }

    /** Waits until {@code n} more runs (of any check) have completed. */
    void awaitRuns(long n) {
        long target = runners.runsCompleted() + n;
        await().atMost(AWAIT).until(() -> runners.runsCompleted() >= target);
    }

    /** A port that nothing listens on (below the ephemeral range: no outgoing connection takes it). */
    static int deadPort() throws IOException {
        return TestPorts.free();
    }
}
