package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A port that stays taken: the start is retried a bounded number of times, then fails with the bind error, leaving nothing running. */
class StartFailureTest {
    @Test
    void aPortThatStaysTakenFailsTheStartWithTheBindErrorAndLeavesNothingRunning() throws Exception {
        int taken = Ports.free();
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress("127.0.0.1", taken));
            // The user's setting wins over the testkit's port, so every attempt meets the same taken port.
            RosterExtension roster = RosterExtension.dev().withoutDns().configure(b -> b.httpPort(taken));
            assertThatThrownBy(roster::start).hasStackTraceContaining(String.valueOf(taken));
            assertThatThrownBy(roster::agent).isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");

            // The same extension starts once the port is its own choice again.
            RosterExtension fresh = RosterExtension.dev().withoutDns();
            try (RosterExtension r = fresh.start()) {
                assertThat(r.httpPort()).isNotEqualTo(taken);
                assertThat(r.client().agent().nodeName()).isEqualTo(RosterExtension.DEFAULT_NODE);
            }
        }
    }
}
