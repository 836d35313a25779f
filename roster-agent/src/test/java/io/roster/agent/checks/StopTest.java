package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

/** stop(), replacing a check, and close(): no further runs, no further updates. */
class StopTest extends ChecksTest {

    @Test
    void stopEndsUpdatesWhileOtherChecksKeepRunning() throws Exception {
        try (TestHttpServer flapping = TestHttpServer.http(); TcpListener listener = new TcpListener()) {
            // Every run of this check changes its status, so a live runner would keep reporting.
            flapping.respond(n -> new TestHttpServer.Reply(n % 2 == 0 ? 200 : 500, "n" + n));
            runners.start("flap", Def.http(flapping.url("/")).build());
            await().atMost(AWAIT).until(() -> sink.count("flap") >= 3);

            runners.stop("flap");
            assertThat(runners.running()).doesNotContain("flap");
            await().atMost(AWAIT).until(() -> !sink.busy("flap"));
            int updates = sink.count("flap");
            int requests = flapping.requests();

            runners.start("other", Def.tcp(listener.address()).build());
            awaitRuns(10);
            assertThat(sink.count("flap")).isEqualTo(updates);
            assertThat(flapping.requests()).isLessThanOrEqualTo(requests + 1); // at most the run in flight
        }
    }

    @Test
    void startingAgainReplacesTheRunner() throws Exception {
        try (TcpListener listener = new TcpListener()) {
            runners.start("c", Def.tcp("127.0.0.1:" + deadPort()).build());
            awaitStatus("c", CheckStatus.CRITICAL);
            runners.start("c", Def.tcp(listener.address()).build());
            awaitStatus("c", CheckStatus.PASSING);
            awaitRuns(10);
            assertThat(sink.status("c")).isEqualTo(CheckStatus.PASSING);
            assertThat(runners.running()).containsExactly("c");
        }
    }

    @Test
    void stopInterruptsARunInFlight() {
        try (TestHttpServer stuck = TestHttpServer.http()) {
            stuck.hold = new java.util.concurrent.CountDownLatch(1);
            runners.start("stuck", Def.http(stuck.url("/")).timeout("1h").build());
            await().atMost(AWAIT).until(() -> stuck.requests() == 1);
            long runs = runners.runsCompleted();
            runners.stop("stuck");
            await().atMost(AWAIT).until(() -> runners.runsCompleted() == runs + 1);
            assertThat(sink.all("stuck")).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void closeStopsEverythingAndRefusesNewChecks() throws Exception {
        try (TcpListener listener = new TcpListener()) {
            runners.start("a", Def.tcp(listener.address()).build());
            runners.start("b", Def.ttl("1h").build());
            awaitStatus("a", CheckStatus.PASSING);
            runners.close();
            assertThat(runners.running()).isEmpty();
            assertThat(runners.ttlUpdate("b", CheckStatus.PASSING, "")).isFalse();
            assertThatThrownBy(() -> runners.start("c", Def.ttl("1h").build())).isInstanceOf(IllegalStateException.class);
        }
    }
}
