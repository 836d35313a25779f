package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.gossip.sim.SimCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** User events: Lamport times, exactly-once delivery, size limit, no replay to newcomers. */
class UserEventTest {

    private static SimCluster joined(long seed, int n) {
        SimCluster c = new SimCluster(seed, b -> b);
        c.addMany(n);
        assertThat(c.joinAll(true, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        return c;
    }

    private static String key(UserEvent e) {
        return e.ltime() + "/" + e.name() + "/" + new String(e.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void eventsReachEveryMemberExactlyOnceDespiteLoss() {
        SimCluster c = joined(31, 60);
        c.network().setDropProbability(0.05);
        Random r = new Random(31);
        List<String> fired = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Gossip from = c.all().get(r.nextInt(60));
            // Same name and payload repeated on purpose: different Lamport times keep them distinct.
            String name = "deploy-" + (i % 5);
            from.fireEvent(name, ("v" + (i % 3)).getBytes(StandardCharsets.UTF_8));
            c.runFor(Duration.ofMillis(r.nextInt(500)));
        }
        c.runFor(Duration.ofMinutes(4)); // several push-pull rounds carry what gossip missed
        Map<String, Integer> reference = null;
        for (Gossip g : c.all()) {
            List<UserEvent> got = c.recorder(g.name()).events();
            Map<String, Integer> counts = new HashMap<>();
            for (UserEvent e : got) {
                counts.merge(key(e), 1, Integer::sum);
            }
            assertThat(counts.values()).as("no duplicates at %s", g.name()).allMatch(v -> v == 1);
            assertThat(got).as("every event at %s", g.name()).hasSize(40);
            if (reference == null) {
                reference = counts;
            }
            assertThat(counts).isEqualTo(reference);
            assertThat(g.stats().eventsDelivered()).isEqualTo(40);
        }
    }

    @Test
    void lamportTimesOrderEventsAcrossMembers() {
        SimCluster c = joined(32, 5);
        c.get("n000").fireEvent("a", new byte[0]);
        c.runFor(Duration.ofSeconds(5));
        c.get("n004").fireEvent("b", new byte[0]);
        c.runFor(Duration.ofSeconds(5));
        List<UserEvent> seen = c.recorder("n002").events();
        assertThat(seen).extracting(UserEvent::name).containsExactly("a", "b");
        assertThat(seen.get(1).ltime()).as("b was fired after a was witnessed").isGreaterThan(seen.get(0).ltime());
    }

    @Test
    void payloadLimitIsSerfs512BytesOfNamePlusPayload() {
        SimCluster c = joined(33, 2);
        Gossip g = c.get("n000");
        g.fireEvent("x", new byte[511]);
        assertThatThrownBy(() -> g.fireEvent("xy", new byte[511]))
                .isInstanceOf(GossipException.class)
                .hasMessage("gossip: user event exceeds the limit of 512 bytes (name + payload are 513 bytes)");
        assertThatThrownBy(() -> g.fireEvent("", new byte[0])).isInstanceOf(IllegalArgumentException.class);
        c.runFor(Duration.ofSeconds(5));
        assertThat(c.recorder("n001").events()).hasSize(1);
        assertThat(c.recorder("n001").events().getFirst().payload()).hasSize(511);
    }

    @Test
    void aNewcomerIsNotReplayedOldEventsButGetsNewOnes() {
        SimCluster c = joined(34, 10);
        c.get("n001").fireEvent("old", new byte[0]);
        c.runFor(Duration.ofSeconds(10));
        Gossip late = c.add("late");
        CompletableFuture<Integer> f = late.joinAsync(List.of(c.get("n002").address()));
        c.scheduler().runUntil(f::isDone, Duration.ofSeconds(5), Duration.ofMillis(10));
        assertThat(f).isCompletedWithValue(1);
        c.get("n003").fireEvent("new", new byte[0]);
        c.runFor(Duration.ofSeconds(70));
        assertThat(c.recorder("late").events()).extracting(UserEvent::name).containsExactly("new");
        assertThat(c.recorder("n009").events()).extracting(UserEvent::name).containsExactly("old", "new");
    }
}
