package io.roster.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An invalidated session's keys are held for its LockDelay, at most 60 s, as Consul's state store clamps it. */
class HeldLockDelayTest {
    @Test
    void aLockDelayOverTheMaximumIsHeldForTheMaximum() {
        assertThat(StateServer.heldDelay(Duration.ofSeconds(90).toNanos())).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(StateServer.heldDelay(Duration.ofSeconds(60).toNanos())).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(StateServer.heldDelay(Duration.ofSeconds(15).toNanos())).isEqualTo(Duration.ofSeconds(15).toNanos());
        assertThat(StateServer.heldDelay(0L)).isEqualTo(0L);
    }
}
