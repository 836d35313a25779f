package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Runners made without a sink hand every result to their listeners, in the order they were added
 * (the agent adds metrics, then its local state), in place of the agent's former holder arrays.
 */
class ResultListenersTest extends ChecksTest {

    @Test
    void everyListenerSeesEachResultInTheOrderTheyWereAdded() {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (CheckRunners r = new CheckRunners(scheduler, CheckRunners.Options.defaults())) {
            r.onResult((id, status, output) -> seen.add("metrics " + id + " " + status));
            r.onResult((id, status, output) -> seen.add("local " + id + " " + status + " " + output));
            r.start("app", Def.ttl("1h").build());
            assertThat(r.ttlUpdate("app", CheckStatus.PASSING, "ok")).isTrue();
            assertThat(r.ttlUpdate("app", CheckStatus.CRITICAL, "down")).isTrue();
        }
        assertThat(seen).containsExactly("metrics app passing", "local app passing ok",
                "metrics app critical", "local app critical down");
    }

    @Test
    void runnersMadeWithASinkTakeNoListeners() {
        assertThatThrownBy(() -> runners.onResult((id, status, output) -> { }))
                .isInstanceOf(IllegalStateException.class);
    }
}
