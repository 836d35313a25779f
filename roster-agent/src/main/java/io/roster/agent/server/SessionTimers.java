package io.roster.agent.server;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The leader's session TTL timers. A session with a TTL is invalidated when it has not been renewed
 * for twice its TTL (Consul's grace: clients renew at TTL/2, Patroni passes half its TTL). Timers
 * are reset, not carried over, when leadership moves, as in Consul.
 */
final class SessionTimers {
    /** Consul's SessionTTLMultiplier. */
    static final int TTL_MULTIPLIER = 2;

    private final ScheduledExecutorService scheduler;
    private final Consumer<String> onExpire;
    private final ConcurrentHashMap<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();

    SessionTimers(ScheduledExecutorService scheduler, Consumer<String> onExpire) {
        this.scheduler = scheduler;
        this.onExpire = onExpire;
    }

    /** (Re)arms the timer of session {@code id}. */
    void reset(String id, Duration ttl) {
        long nanos = ttl.toNanos() * TTL_MULTIPLIER;
        ScheduledFuture<?> next = scheduler.schedule(() -> {
            timers.remove(id);
            onExpire.accept(id);
        }, nanos, TimeUnit.NANOSECONDS);
        ScheduledFuture<?> prev = timers.put(id, next);
        if (prev != null) {
            prev.cancel(false);
        }
    }

    void clear(String id) {
        ScheduledFuture<?> prev = timers.remove(id);
        if (prev != null) {
            prev.cancel(false);
        }
    }

    void clearAll() {
        timers.values().forEach(f -> f.cancel(false));
        timers.clear();
    }

    int armed() {
        return timers.size();
    }
}
