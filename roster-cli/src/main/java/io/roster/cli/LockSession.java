package io.roster.cli;

import io.roster.api.Durations;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The session a {@code lock} holds its lock through: created with a TTL, renewed every TTL/2 on a
 * daemon thread (the agent invalidates it after 2 x TTL without a renewal, so a killed holder's
 * lock is freed), destroyed on {@link #close()}. Consul's api Lock does the same.
 */
final class LockSession implements AutoCloseable {
    private final RosterClient client;
    private final String id;
    private final ScheduledExecutorService renewer;
    private boolean closed;

    private LockSession(RosterClient client, String id, Duration ttl) {
        this.client = client;
        this.id = id;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "roster-lock-renew");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, ttl.toMillis() / 2);
        renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Creates the session: {@code behavior} is {@code release} for a lock and {@code delete} for a
     * semaphore (its contender keys go with it); {@code lockDelay} null means the agent's default (15s).
     */
    static LockSession create(RosterClient client, String name, Duration ttl, String behavior, Duration lockDelay) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", name);
        body.put("TTL", Durations.format(ttl));
        body.put("Behavior", behavior);
        if (lockDelay != null) {
            body.put("LockDelay", Durations.format(lockDelay));
        }
        return new LockSession(client, client.session().create(body), ttl);
    }

    String id() {
        return id;
    }

    private void renew() {
        try {
            if (client.session().renew(id).isEmpty()) {
                // Gone (expired or destroyed): the lock monitor sees the lock released and stops the child.
                renewer.shutdown();
            }
        } catch (RosterException e) {
            // A transient failure: the next period tries again, well within the 2 x TTL grace.
        }
    }

    /** Stops renewing and destroys the session. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        renewer.shutdownNow();
        try {
            client.session().destroy(id);
        } catch (RosterException e) {
            // Nothing to do: an undestroyed session expires after 2 x TTL.
        }
    }
}
