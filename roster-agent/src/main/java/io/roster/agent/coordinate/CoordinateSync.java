package io.roster.agent.coordinate;

import io.roster.agent.util.RateLimitedLog;
import io.roster.api.Coordinate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Sends this agent's coordinate to the servers, as Consul's {@code sendCoordinate}: every
 * {@code max(sync_coordinate_interval_min, members / sync_coordinate_rate_target)} (15 s, 64
 * updates a second across the cluster) plus a random stagger of up to as much again.
 */
public final class CoordinateSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinateSync.class);
    public static final Duration INTERVAL_MIN = Duration.ofSeconds(15);
    public static final double RATE_TARGET = 64.0;

    private final String node;
    private final Supplier<Coordinate> coordinate;
    private final IntSupplier members;
    private final Function<Coordinate.Entry, String> send;
    private final ScheduledExecutorService timer;
    private final Duration min;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARN, Duration.ofMinutes(1));
    private volatile ScheduledFuture<?> next;
    private volatile boolean closed;

    /**
     * @param send delivers one update; returns null on success or a one-line error
     */
    public CoordinateSync(String node, Supplier<Coordinate> coordinate, IntSupplier members,
                          Function<Coordinate.Entry, String> send, ScheduledExecutorService timer, Duration min) {
        this.node = node;
        this.coordinate = coordinate;
        this.members = members;
        this.send = send;
        this.timer = timer;
        this.min = min;
    }

    /** Consul's {@code lib.RateScaledInterval}: the minimum, or longer so that all nodes together keep to the rate. */
    static Duration interval(Duration min, int members) {
        double seconds = members / RATE_TARGET;
        Duration scaled = Duration.ofNanos((long) (seconds * 1e9));
        return scaled.compareTo(min) > 0 ? scaled : min;
    }

    public CoordinateSync start() {
        schedule();
        return this;
    }

    private void schedule() {
        if (closed) {
            return;
        }
        long base = interval(min, Math.max(1, members.getAsInt())).toMillis();
        long delay = base + ThreadLocalRandom.current().nextLong(Math.max(1, base));
        try {
            next = timer.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the agent is stopping
        }
    }

    /** On a virtual thread: a client's send waits on the server RPC, which must not hold a timer thread. */
    private void tick() {
        Thread.ofVirtual().name("roster-coordinate-sync").start(() -> {
            try {
                syncNow();
            } finally {
                schedule();
            }
        });
    }

    /** Sends the coordinate now; returns null or the error. */
    public String syncNow() {
        Coordinate c = coordinate.get();
        if (c == null) {
            return "no coordinate yet";
        }
        String err;
        try {
            err = send.apply(new Coordinate.Entry(node, "", c));
        } catch (RuntimeException e) {
            err = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        if (err != null) {
            failures.log("coordinate: cannot send this agent's coordinate: {}", err);
        } else {
            failures.recovered("coordinate: sending this agent's coordinate again");
        }
        return err;
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> n = next;
        if (n != null) {
            n.cancel(false);
        }
    }
}
