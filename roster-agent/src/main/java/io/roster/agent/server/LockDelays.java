package io.roster.agent.server;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lock-delay, as Consul implements it: when a session is invalidated, the keys it held cannot be
 * acquired again for the session's {@code LockDelay}. Kept in the leader's memory only (like
 * Consul), and checked before an acquire is replicated.
 */
final class LockDelays {
    private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    LockDelays(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    void arm(Collection<String> keys, long delayNanos) {
        if (delayNanos <= 0) {
            return;
        }
        long deadline = nanoClock.getAsLong() + delayNanos;
        for (String k : keys) {
            until.merge(k, deadline, Math::max);
        }
    }

    /** Whether {@code key} is still inside a lock-delay window. */
    boolean delayed(String key) {
        Long d = until.get(key);
        if (d == null) {
            return false;
        }
        if (d - nanoClock.getAsLong() > 0) {
            return true;
        }
        until.remove(key, d);
        return false;
    }

    void clear() {
        until.clear();
    }
}
