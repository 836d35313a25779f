package io.roster.agent.metrics;

import io.roster.state.Replicator;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code consul.raft.leader.lastContact}: on the leader, one observation per follower of the time
 * since the leader last heard from it (ms), taken periodically as Consul's Raft does when it checks
 * its leader lease. The source is the one autopilot's health reads (Ratis' time since each
 * follower's last answer, {@link Replicator#peerStatus()}); followers and client agents record nothing.
 */
public final class LeaderContact {
    public static final String NAME = "consul.raft.leader.lastContact";

    private LeaderContact() {
    }

    /** Samples every {@code every} on {@code scheduler} until the scheduler stops or the future is cancelled. */
    public static ScheduledFuture<?> start(ConsulMetrics metrics, Replicator replicator, ScheduledExecutorService scheduler,
                                           Duration every) {
        metrics.declareSummary(NAME);
        long ms = every.toMillis();
        return scheduler.scheduleWithFixedDelay(() -> sample(metrics, replicator), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One round: an observation per follower whose contact time the leader knows. */
    static void sample(ConsulMetrics metrics, Replicator replicator) {
        try {
            if (!replicator.isLeader()) {
                return;
            }
            for (Replicator.PeerStatus p : replicator.peerStatus()) {
                if (!p.leader() && p.lastContactNanos() >= 0) {
                    metrics.measure(NAME, p.lastContactNanos());
                }
            }
        } catch (RuntimeException e) {
            // Raft not started or shutting down: nothing to sample this round; a throw would end the schedule.
        }
    }
}
