package io.roster.gossip;

import io.roster.gossip.time.Scheduler;
import java.util.HashSet;
import java.util.Set;

/**
 * Lifeguard's suspicion timer for one suspect member. It starts at {@code max} and shrinks towards
 * {@code min} as independent members confirm the suspicion, on the log curve memberlist uses:
 * {@code timeout(c) = max - (max - min) * log(c + 1) / log(k + 1)} for c confirmations out of the k
 * expected, never below min. With k &lt; 1 (tiny clusters) the timeout is min from the start. The
 * more members agree a node is gone, the sooner it is declared dead; a lone accuser (perhaps itself
 * the slow one) must wait the longest, giving the suspect the most time to refute.
 */
final class Suspicion {
    private final Scheduler scheduler;
    private final Set<String> confirmations = new HashSet<>();
    private final int k;
    private final long min;
    private final long max;
    private final long start;
    private final Runnable onTimeout;
    private Scheduler.Cancellable timer;
    private int n;

    Suspicion(Scheduler scheduler, String from, int k, long min, long max, Runnable onTimeout) {
        this.scheduler = scheduler;
        this.k = k;
        this.min = min;
        this.max = max;
        this.onTimeout = onTimeout;
        this.start = scheduler.nowMillis();
        confirmations.add(from);
        timer = scheduler.schedule(timeout(0, k, min, max), onTimeout);
    }

    static long timeout(int confirmations, int k, long min, long max) {
        if (k < 1) {
            return min;
        }
        double frac = Math.log(confirmations + 1.0) / Math.log(k + 1.0);
        long t = (long) Math.floor(max - frac * (max - min));
        return Math.max(min, t);
    }

    /** Records a confirmation from {@code from}; true if it was new and counted (worth re-gossiping). */
    boolean confirm(String from) {
        if (n >= k || !confirmations.add(from)) {
            return false;
        }
        n++;
        long remaining = timeout(n, k, min, max) - (scheduler.nowMillis() - start);
        timer.cancel();
        timer = scheduler.schedule(Math.max(0, remaining), onTimeout);
        return true;
    }

    int confirmations() {
        return n;
    }

    void cancel() {
        timer.cancel();
    }
}
