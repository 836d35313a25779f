package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A thousand TCP checks at Consul's minimum interval (1s) run on a bounded number of platform
 * threads: the runners create none per check, and the JVM's live platform threads grow by at most
 * a small constant (virtual-thread carriers and pollers), not by a thousand.
 */
class ScaleTest extends ChecksTest {
    private static final int CHECKS = 1_000;

    @Test
    void aThousandChecksNeedOnlyAHandfulOfPlatformThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CheckRunners real = new CheckRunners(scheduler, sink, CheckRunners.Options.defaults());
        try (TcpListener listener = new TcpListener()) {
            int before = threads.getThreadCount();
            threads.resetPeakThreadCount();
            for (int i = 0; i < CHECKS; i++) {
                real.start("tcp-" + i, Def.tcp(listener.address()).interval("1s").build());
            }
            // Two full rounds: every check has run at least once, most twice.
            await().atMost(Duration.ofSeconds(60)).until(() -> real.runsCompleted() >= 2L * CHECKS);
            for (int i = 0; i < CHECKS; i++) {
                assertThat(sink.status("tcp-" + i)).as("tcp-" + i).isEqualTo(CheckStatus.PASSING);
            }
            int peak = threads.getPeakThreadCount();
            assertThat(real.platformThreadsUsed()).isZero();
            assertThat(peak - before).as("platform threads added while %d checks ran (peak %d, before %d)",
                    CHECKS, peak, before).isLessThan(64);
        } finally {
            real.close();
        }
    }
}
