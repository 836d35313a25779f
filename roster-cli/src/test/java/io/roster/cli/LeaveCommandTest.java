package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roster leave}: a graceful leave, after which the agent process would stop (its own agent, not shared). */
class LeaveCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @Test
    void leaveIsGracefulAndTellsTheAgentToStop() throws Exception {
        CountDownLatch left = new CountDownLatch(1);
        AGENT.agent().onLeft(left::countDown);
        assertThat(Cli.run("leave", "extra").code()).isEqualTo(2);
        Cli.Result r = Cli.run("leave");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Graceful leave complete\n");
        assertThat(left.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anUnreachableAgentIsOneLine() {
        Cli.Result r = Cli.run("leave", "-http-addr=127.0.0.1:1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error leaving: ").hasLineCount(1);
    }
}
