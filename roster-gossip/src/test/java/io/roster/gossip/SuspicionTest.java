package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.time.SimScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SuspicionTest {

    @Test
    void timeoutShrinksFromMaxToMinOnALogCurve() {
        long min = 8_000;
        long max = 48_000;
        int k = 2;
        assertThat(Suspicion.timeout(0, k, min, max)).isEqualTo(max);
        long one = Suspicion.timeout(1, k, min, max);
        assertThat(one).isLessThan(max).isGreaterThan(min);
        // log(2)/log(3) of the way down: 48000 - 40000 * 0.6309 = 22763
        assertThat(one).isEqualTo((long) Math.floor(max - (max - min) * Math.log(2) / Math.log(3)));
        assertThat(Suspicion.timeout(2, k, min, max)).isEqualTo(min);
        assertThat(Suspicion.timeout(5, k, min, max)).isEqualTo(min);
        assertThat(Suspicion.timeout(0, 0, min, max)).as("no confirmations expected: min at once").isEqualTo(min);
    }

    @Test
    void confirmationsFromDistinctMembersPullTheDeadlineIn() {
        SimScheduler s = new SimScheduler(0);
        boolean[] fired = {false};
        Suspicion susp = new Suspicion(s, "a", 2, 1_000, 6_000, () -> fired[0] = true);
        s.runFor(Duration.ofMillis(500));
        assertThat(susp.confirm("a")).as("the accuser itself does not count twice").isFalse();
        assertThat(susp.confirm("b")).isTrue();
        assertThat(susp.confirm("b")).isFalse();
        s.runFor(Duration.ofMillis(1_000));
        assertThat(fired[0]).isFalse();
        assertThat(susp.confirm("c")).isTrue();
        s.runFor(Duration.ofMillis(1));
        assertThat(fired[0]).as("k confirmations: the min timeout (1 s) has already passed").isTrue();
    }
}
