package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

/** TCP checks against real listening and closed ports on 127.0.0.1. */
class TcpCheckTest extends ChecksTest {

    @Test
    void aListeningPortIsPassing() throws Exception {
        try (TcpListener listener = new TcpListener()) {
            runners.start("db", Def.tcp(listener.address()).build());
            awaitStatus("db", CheckStatus.PASSING);
            assertThat(sink.output("db")).isEqualTo("TCP connect " + listener.address() + ": Success");
        }
    }

    @Test
    void aClosedPortIsCriticalWithTheDialError() throws Exception {
        int port = deadPort();
        runners.start("db", Def.tcp("127.0.0.1:" + port).build());
        awaitStatus("db", CheckStatus.CRITICAL);
        assertThat(sink.output("db")).isEqualTo("dial tcp 127.0.0.1:" + port + ": connect: connection refused");
    }

    @Test
    void anAddressWithoutPortIsCritical() {
        runners.start("db", Def.tcp("127.0.0.1").build());
        awaitStatus("db", CheckStatus.CRITICAL);
        assertThat(sink.output("db")).isEqualTo("dial tcp: address 127.0.0.1: missing port in address");
    }

    @Test
    void aListenerGoingAwayTurnsTheCheckCritical() throws Exception {
        TcpListener listener = new TcpListener();
        runners.start("db", Def.tcp(listener.address()).build());
        awaitStatus("db", CheckStatus.PASSING);
        listener.close();
        awaitStatus("db", CheckStatus.CRITICAL);
        await().atMost(AWAIT).until(() -> sink.output("db").endsWith("connect: connection refused"));
        // (a connection caught by the close may first show "connection reset by peer")
        assertThat(sink.statuses("db")).startsWith("passing").containsOnly("passing", "critical").containsOnlyOnce("passing");
    }

    @Test
    void aPassingCheckReportsOnceHoweverOftenItRuns() throws Exception {
        try (TcpListener listener = new TcpListener()) {
            runners.start("db", Def.tcp(listener.address()).build());
            awaitStatus("db", CheckStatus.PASSING);
            awaitRuns(5);
            assertThat(sink.count("db")).as(sink.all("db").toString()).isEqualTo(1);
        }
    }
}
