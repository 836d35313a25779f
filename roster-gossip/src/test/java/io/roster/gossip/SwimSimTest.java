package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.sim.SimCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Basic SWIM on the simulated network: join, convergence, failure detection. Seeded, virtual time. */
class SwimSimTest {

    @Test
    void fiveMembersConvergeAndAllDetectAKilledOne() {
        SimCluster c = new SimCluster(1, b -> b);
        c.addMany(5);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(30))).isTrue();

        c.kill("n003");
        boolean allKnow = c.scheduler().runUntil(() -> c.countSeeing("n003", MemberState.FAILED) == 4,
                Duration.ofSeconds(60), Duration.ofMillis(200));
        assertThat(allKnow).isTrue();
        for (Gossip g : c.running()) {
            assertThat(c.recorder(g.name()).failures()).containsExactly("n003");
        }
    }

    @Test
    void hundredMembersConvergeAfterJoin() {
        SimCluster c = new SimCluster(2, b -> b);
        c.addMany(100);
        assertThat(c.joinAll(true, Duration.ofSeconds(60))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        for (Gossip g : c.running()) {
            assertThat(c.recorder(g.name()).failures()).isEmpty();
        }
    }
}
