package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code SuccessBeforePassing}, {@code FailuresBeforeWarning}, {@code FailuresBeforeCritical}:
 * the pure counting rules (Consul's StatusHandler), then the same rules driving a real HTTP check.
 */
class ThresholdsTest extends ChecksTest {
    private static final Result OK = Result.passing("ok");
    private static final Result WARN = Result.warning("meh");
    private static final Result BAD = Result.critical("bad");

    /** What the sink would show after each result ("-" = unchanged). */
    private static List<String> shown(Thresholds t, Result... results) {
        List<String> out = new ArrayList<>();
        for (Result r : results) {
            Result s = t.apply(r);
            out.add(s == null ? "-" : s.status());
        }
        return out;
    }

    @Test
    void withoutThresholdsEveryResultShows() {
        assertThat(shown(new Thresholds(0, 0, 0), OK, BAD, OK, WARN))
                .containsExactly("passing", "critical", "passing", "warning");
    }

    @Test
    void theFirstResultShowsAtOnceAsInConsul() {
        assertThat(shown(new Thresholds(3, 0, 3), BAD)).containsExactly("critical");
        assertThat(shown(new Thresholds(3, 0, 3), OK)).containsExactly("passing");
    }

    @Test
    void failuresBeforeCriticalNeedsThatManyFailuresInARow() {
        Thresholds t = new Thresholds(0, 0, 3);
        assertThat(shown(t, OK, BAD, BAD, OK, BAD, BAD, BAD, BAD))
                .containsExactly("passing", "-", "-", "passing", "-", "-", "critical", "critical");
    }

    @Test
    void failuresBeforeWarningShowsWarningFirst() {
        Thresholds t = new Thresholds(0, 1, 3);
        assertThat(shown(t, OK, BAD, BAD, BAD, BAD))
                .containsExactly("passing", "warning", "warning", "critical", "critical");
    }

    @Test
    void successBeforePassingNeedsThatManySuccessesInARowAndWarningCounts() {
        Thresholds t = new Thresholds(2, 0, 0);
        assertThat(shown(t, BAD, OK, BAD, OK, WARN, OK))
                .containsExactly("critical", "-", "critical", "-", "warning", "passing");
    }

    @Test
    void anHttpCheckGoesWarningCriticalPassingAsTheServerChanges() throws Exception {
        try (TestHttpServer server = TestHttpServer.http()) {
            runners.start("web", Def.http(server.url("/health")).thresholds(2, 1, 3).build());
            awaitStatus("web", CheckStatus.PASSING);
            server.respond(500, "down");
            awaitStatus("web", CheckStatus.CRITICAL);
            server.respond(200, "ok");
            awaitStatus("web", CheckStatus.PASSING);
            assertThat(sink.statuses("web")).containsExactly("passing", "warning", "critical", "passing");
        }
    }
}
