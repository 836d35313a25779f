package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.coordinate.Coordinate;
import io.roster.gossip.sim.SimCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Coordinates computed from the probes of real gossip members on the simulated network: packets take
 * 10-12 ms each way (RTT about 22 ms), and every packet to n003 takes 40 ms more (RTT about 62 ms).
 * After five virtual minutes every member's estimates rank n003 farthest, and are within 25 % of the
 * injected round trips (figures printed).
 */
class CoordinateSimTest {
    @Test
    void membersLearnTheInjectedLatenciesFromTheirProbes() {
        SimCluster c = new SimCluster(11, b -> b);
        c.network().setDelay(10, 12);
        c.addMany(6);
        c.network().setSlow("n003:" + SimCluster.PORT, 40, 40);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(30))).isTrue();
        c.runFor(Duration.ofMinutes(5));

        for (Gossip g : c.running()) {
            Coordinate mine = g.coordinate();
            Map<String, Coordinate> peers = g.peerCoordinates();
            assertThat(peers).as(g.name()).hasSize(5);
            double slowest = 0;
            String farthest = null;
            for (Gossip other : c.running()) {
                if (other == g) {
                    continue;
                }
                double est = mine.distanceTo(other.coordinate());
                boolean slowPair = g.name().equals("n003") || other.name().equals("n003");
                double truth = slowPair ? 0.062 : 0.022;
                System.out.printf("coordinates %s -> %s: estimated %.1f ms, injected %.1f ms%n", g.name(), other.name(),
                        est * 1000, truth * 1000);
                assertThat(Math.abs(est - truth) / truth).as(g.name() + " -> " + other.name()).isLessThan(0.25);
                if (est > slowest) {
                    slowest = est;
                    farthest = other.name();
                }
            }
            if (!g.name().equals("n003")) {
                assertThat(farthest).as(g.name()).isEqualTo("n003");
            }
        }
    }
}
