package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.sim.SimCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Failure detection, Lifeguard and the member life cycle on the simulated network. Every test is
 * seeded and bounded in virtual time; assertions are about states and counts, never timings.
 */
class LifeguardSimTest {

    private static SimCluster joined(long seed, int n) {
        SimCluster c = new SimCluster(seed, b -> b);
        c.addMany(n);
        assertThat(c.joinAll(true, Duration.ofSeconds(60))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(90))).isTrue();
        return c;
    }

    private static int falseFailures(SimCluster c, List<String> exclude) {
        int n = 0;
        for (Gossip g : c.all()) {
            for (String f : c.recorder(g.name()).failures()) {
                if (!exclude.contains(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void fiveHundredMembersConvergeAndAllDetectAKilledMember() {
        SimCluster c = joined(3, 500);
        c.kill("n123");
        assertThat(c.scheduler().runUntil(() -> c.countSeeing("n123", MemberState.FAILED) == 499,
                Duration.ofSeconds(120), Duration.ofSeconds(1))).isTrue();
        assertThat(falseFailures(c, List.of("n123"))).isZero();
    }

    @Test
    void gracefulLeaveIsLeftEverywhereNotFailed() {
        SimCluster c = joined(4, 30);
        Gossip leaver = c.get("n007");
        CompletableFuture<Void> left = leaver.leaveAsync(Duration.ofSeconds(10));
        c.scheduler().runUntil(left::isDone, Duration.ofSeconds(15), Duration.ofMillis(100));
        assertThat(left).isCompleted();
        assertThat(leaver.localMember().state()).isEqualTo(MemberState.LEFT);
        leaver.shutdown();
        c.stopped("n007");
        assertThat(c.scheduler().runUntil(() -> c.countSeeing("n007", MemberState.LEFT) == 29,
                Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();
        c.runFor(Duration.ofSeconds(60));
        assertThat(c.countSeeing("n007", MemberState.LEFT)).isEqualTo(29);
        assertThat(falseFailures(c, List.of())).as("nobody declares a left member failed").isZero();
        for (Gossip g : c.running()) {
            Member m = g.members().stream().filter(x -> x.name().equals("n007")).findFirst().orElseThrow();
            assertThat(m.status()).isEqualTo(3);
        }
    }

    @Test
    void noFalseFailuresWithTenPercentPacketLoss() {
        SimCluster c = joined(5, 50);
        c.network().setDropProbability(0.10);
        c.runFor(Duration.ofMinutes(5));
        assertThat(falseFailures(c, List.of())).isZero();
        c.network().setDropProbability(0);
        assertThat(c.awaitConverged(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void aSlowMemberDoesNotGetHealthyMembersDeclaredFailed() {
        SimCluster c = joined(6, 50);
        c.network().setSlow(c.get("n010").address(), 1_000, 3_000);
        c.runFor(Duration.ofMinutes(3));
        assertThat(falseFailures(c, List.of("n010"))).as("healthy members declared failed").isZero();
        // Lifeguard: the slow member noticed it is the slow one.
        assertThat(c.get("n010").stats().awareness()).isPositive();
        assertThat(c.get("n010").stats().probeFailures()).isPositive();
    }

    @Test
    void aSuspectedMemberRefutesWithAHigherIncarnation() {
        SimCluster c = joined(7, 10);
        Gossip victim = c.get("n004");
        long before = victim.localMember().incarnation();
        // Cut n004 off from n000 only: n000's probes fail, indirect probes through others succeed,
        // but a suspicion may still start; whatever happens, n004 must never be declared failed.
        c.network().setLinkDrop(c.get("n000").address(), victim.address(), 1.0);
        c.network().setLinkDrop(victim.address(), c.get("n000").address(), 1.0);
        c.runFor(Duration.ofMinutes(2));
        assertThat(falseFailures(c, List.of())).isZero();
        // Directly: tell everyone n004 is suspect; it hears it and refutes.
        c.get("n001").onLoop(() -> {
            c.get("n001").core().onSuspect(new Msg.Suspect(victim.localMember().incarnation(), "n004", "n001"));
            return null;
        });
        c.runFor(Duration.ofSeconds(10));
        assertThat(victim.localMember().incarnation()).isGreaterThan(before);
        assertThat(victim.stats().refutations()).isPositive();
        assertThat(c.countSeeing("n004", MemberState.ALIVE)).isEqualTo(9);
        assertThat(falseFailures(c, List.of())).isZero();
    }

    @Test
    void tagsUpdateReachesEveryone() {
        SimCluster c = joined(8, 20);
        c.get("n005").setTags(Map.of("role", "consul", "dc", "dc1", "port", "8300"));
        assertThat(c.scheduler().runUntil(() -> c.running().stream().allMatch(g -> g.members().stream()
                        .anyMatch(m -> m.name().equals("n005") && "consul".equals(m.tags().get("role")))),
                Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();
        assertThat(c.recorder("n000").updates()).isEqualTo(1);
    }

    @Test
    void failedMembersAreReapedAfterTheReconnectTimeoutAndForceLeavePrunes() {
        SimCluster c = new SimCluster(9, b -> b.reconnectTimeout(Duration.ofSeconds(90)).reapInterval(Duration.ofSeconds(5)));
        c.addMany(10);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        c.kill("n002");
        c.kill("n003");
        assertThat(c.scheduler().runUntil(() -> c.countSeeing("n002", MemberState.FAILED) == 8
                && c.countSeeing("n003", MemberState.FAILED) == 8, Duration.ofSeconds(60), Duration.ofMillis(500))).isTrue();
        // force-leave with prune: n003 is forgotten everywhere at once
        assertThat(c.get("n000").forceLeave("n003", true)).isTrue();
        c.runFor(Duration.ofSeconds(10));
        for (Gossip g : c.running()) {
            assertThat(g.members()).extracting(Member::name).doesNotContain("n003");
        }
        // n002 is reaped after the reconnect timeout
        c.runFor(Duration.ofSeconds(120));
        for (Gossip g : c.running()) {
            assertThat(g.members()).extracting(Member::name).doesNotContain("n002").hasSize(8);
            assertThat(c.recorder(g.name()).reaps()).isEqualTo(2);
        }
    }
}
