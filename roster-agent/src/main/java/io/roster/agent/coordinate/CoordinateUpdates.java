package io.roster.agent.coordinate;

import io.roster.agent.util.RateLimitedLog;
import io.roster.api.Coordinate;
import io.roster.state.Command;
import io.roster.state.Replicator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A server's pending coordinate updates ({@code PUT /v1/coordinate/update}, and this agent's own),
 * written to the log in batches as Consul's {@code Coordinate.batchUpdate} does: every
 * {@code coordinate_update_period} (5 s) at most {@code max_batches} (5) commands of
 * {@code batch_size} (128) entries. A node's newer update replaces its pending one, so each node
 * costs at most one row write per period however often it sends; updates beyond the limit are
 * dropped (and logged, rate-limited).
 */
public final class CoordinateUpdates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinateUpdates.class);
    public static final Duration UPDATE_PERIOD = Duration.ofSeconds(5);
    public static final int BATCH_SIZE = 128;
    public static final int MAX_BATCHES = 5;

    private final Replicator replicator;
    private final int dimensionality;
    private final Map<String, Coordinate.Entry> pending = new LinkedHashMap<>();
    private final RateLimitedLog dropped = new RateLimitedLog(LOG, Level.WARN, Duration.ofMinutes(1));
    private final RateLimitedLog failed = new RateLimitedLog(LOG, Level.WARN, Duration.ofMinutes(1));
    private final ScheduledFuture<?> task;

    /**
     * @param dimensionality the dimensions of this cluster's coordinates; others are refused
     */
    public CoordinateUpdates(Replicator replicator, ScheduledExecutorService timer, Duration period, int dimensionality) {
        this.replicator = replicator;
        this.dimensionality = dimensionality;
        this.task = timer.scheduleWithFixedDelay(this::flush, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues an update; returns Consul's one-line refusal, or null when taken. */
    public String offer(Coordinate.Entry e) {
        Coordinate c = e.coord();
        if (e.node().isEmpty()) {
            return "Must provide node";
        }
        if (c == null || c.vec().size() != dimensionality || !finite(c)) {
            return "rejected bad coordinate: " + (c == null ? "<nil>" : c.vec().size() + " dimensions, Error " + c.error());
        }
        synchronized (pending) {
            pending.put(e.node() + ":" + e.segment(), e);
        }
        return null;
    }

    private static boolean finite(Coordinate c) {
        for (double d : c.vec()) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return Double.isFinite(c.error()) && Double.isFinite(c.adjustment()) && Double.isFinite(c.height());
    }

    /** Writes what is pending (public for tests that cannot wait a period). */
    public void flush() {
        List<Coordinate.Entry> all;
        synchronized (pending) {
            all = new ArrayList<>(pending.values());
            pending.clear();
        }
        int limit = BATCH_SIZE * MAX_BATCHES;
        if (all.size() > limit) {
            dropped.log("coordinate updates: discarded {} of {} pending updates (more than {} per period)",
                    all.size() - limit, all.size(), limit);
            all = all.subList(0, limit);
        }
        for (int from = 0; from < all.size(); from += BATCH_SIZE) {
            List<Coordinate.Entry> batch = List.copyOf(all.subList(from, Math.min(all.size(), from + BATCH_SIZE)));
            replicator.submit(new Command.CoordinateBatch(batch)).whenComplete((r, err) -> {
                if (err != null) {
                    failed.log("coordinate updates: batch of {} not written: {}", batch.size(), err.getMessage());
                }
            });
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
