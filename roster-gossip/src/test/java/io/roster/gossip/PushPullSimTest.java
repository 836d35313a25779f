package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.sim.SimCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Push-pull, partitions, reconnect and the TCP fallback probe on the simulated network. */
class PushPullSimTest {

    @Test
    void partitionThenHealRejoinsEveryoneThroughPushPullAndRefutation() {
        SimCluster c = new SimCluster(11, b -> b.reconnectInterval(Duration.ofSeconds(10)));
        c.addMany(20);
        assertThat(c.joinAll(true, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (Gossip g : c.all()) {
            (a.size() < 10 ? a : b).add(g.address());
        }
        c.network().partition(a, b);
        // Long enough that each side declares the other failed, and past gossip-to-the-dead.
        assertThat(c.scheduler().runUntil(() -> c.countSeeing("n000", MemberState.FAILED) == 10
                        && c.countSeeing("n019", MemberState.FAILED) == 10,
                Duration.ofSeconds(120), Duration.ofSeconds(1))).isTrue();
        c.runFor(Duration.ofSeconds(60));
        c.network().heal();
        assertThat(c.awaitConverged(Duration.ofSeconds(180))).as("every member alive everywhere after heal").isTrue();
        long refutations = c.all().stream().mapToLong(g -> g.stats().refutations()).sum();
        assertThat(refutations).isPositive();
        assertThat(c.recorder("n000").joins()).as("n000 saw the other side rejoin").isGreaterThanOrEqualTo(19 + 10);
    }

    @Test
    void tcpFallbackProbeKeepsAMemberWithBrokenUdpAlive() {
        SimCluster c = new SimCluster(12, b -> b);
        c.addMany(10);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        String victim = c.get("n005").address();
        for (Gossip g : c.all()) {
            if (!g.address().equals(victim)) {
                c.network().setLinkDrop(g.address(), victim, 1.0);
            }
        }
        c.runFor(Duration.ofMinutes(3));
        assertThat(c.countSeeing("n005", MemberState.FAILED)).isZero();
        assertThat(c.all().stream().mapToLong(g -> g.stats().tcpFallbackProbes()).sum()).isPositive();
    }

    @Test
    void withoutTcpFallbackTheSameMemberIsDeclaredFailed() {
        SimCluster c = new SimCluster(12, b -> b.tcpFallbackProbe(false));
        c.addMany(10);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        String victim = c.get("n005").address();
        for (Gossip g : c.all()) {
            if (!g.address().equals(victim)) {
                c.network().setLinkDrop(g.address(), victim, 1.0);
            }
        }
        c.runFor(Duration.ofMinutes(3));
        assertThat(c.all().stream().mapToInt(g -> c.recorder(g.name()).failures().size()).sum()).isPositive();
    }

    @Test
    void joinThroughUnreachableAddressesFailsWithAClearMessage() {
        SimCluster c = new SimCluster(13, b -> b.tcpTimeout(Duration.ofSeconds(2)));
        Gossip g = c.add("n000");
        CompletableFuture<Integer> f = g.joinAsync(List.of("nowhere:8301", "gone:8301"));
        c.runFor(Duration.ofSeconds(5));
        assertThat(f).isCompletedExceptionally();
        Assertions.assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(GossipException.class)
                .hasMessageContaining("join failed: no member answered at any of the 2 address(es)")
                .hasMessageContaining("nowhere:8301").hasMessageContaining("gone:8301");
    }

    @Test
    void aLateJoinerLearnsTheWholePoolFromOnePushPull() {
        SimCluster c = new SimCluster(14, b -> b);
        c.addMany(30);
        assertThat(c.joinAll(true, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        Gossip late = c.add("late");
        CompletableFuture<Integer> f = late.joinAsync(List.of(c.get("n017").address()));
        c.scheduler().runUntil(f::isDone, Duration.ofSeconds(5), Duration.ofMillis(10));
        assertThat(f).isCompletedWithValue(1);
        assertThat(late.members()).hasSize(31);
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
    }
}
