package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roster.api.Json;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.QueryResult;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A lock ({@link Mutex}) or a semaphore ({@link Semaphore}) on a KV prefix, held through a
 * session, with the same keys, flags and values as Consul's api {@code Lock} and {@code Semaphore}
 * so that {@code roster lock} and {@code consul lock} (or any Consul api user) exclude each other:
 *
 * <ul>
 *   <li>Lock: the key {@code <prefix>/.lock}, acquired with the session, flags {@link #LOCK_FLAG}.</li>
 *   <li>Semaphore: each contender acquires {@code <prefix>/<session>} (flags {@link #SEMAPHORE_FLAG});
 *       {@code <prefix>/.lock} holds {@code {"Limit":N,"Holders":{"<session>":true}}}, changed only by
 *       check-and-set; holders whose contender key is gone are pruned.</li>
 * </ul>
 *
 * Waiting is a blocking query on the key (or prefix), so a waiter wakes as soon as the holder
 * releases; after a failed acquire (lock-delay after a holder's session was invalidated) it retries
 * after {@code retryWait}.
 */
abstract sealed class PrefixLock permits PrefixLock.Mutex, PrefixLock.Semaphore {
    /** Consul's api LockFlagValue: marks a key used as a lock. */
    static final long LOCK_FLAG = 0x2ddccbc058a50c18L;
    /** Consul's api SemaphoreFlagValue: marks keys used by a semaphore. */
    static final long SEMAPHORE_FLAG = 0xe0f69a2baa414de0L;
    /** Consul's DefaultSemaphoreKey, used by locks too so that a lock and a semaphore on one prefix conflict. */
    static final String LOCK_KEY = ".lock";
    /** How long one blocking read waits (Consul's DefaultLockWaitTime). */
    static final Duration WAIT = Duration.ofSeconds(15);
    /** How long the monitor waits between retries after an error (Consul's MonitorRetryTime). */
    static final Duration MONITOR_RETRY_WAIT = Duration.ofSeconds(1);

    final RosterClient client;
    final String prefix;
    final String session;
    final QueryOptions reads;
    final Map<String, String> writes;
    final Duration retryWait;
    private volatile Thread monitor;
    private volatile boolean stopped;

    PrefixLock(RosterClient client, String prefix, String session, QueryOptions reads, Map<String, String> writes,
               Duration retryWait) {
        this.client = client;
        this.prefix = prefix;
        this.session = session;
        this.reads = reads;
        this.writes = writes;
        this.retryWait = retryWait;
    }

    /** A failure that is not the agent's: a key used the other way, a limit that differs. */
    static final class LockException extends Exception {
        private static final long serialVersionUID = 1L;

        LockException(String message) {
            super(message, null, false, false);
        }
    }

    /** The key that coordinates: {@code <prefix>/.lock}. */
    String lockKey() {
        return GoFormat.pathJoin(prefix, LOCK_KEY);
    }

    /**
     * Waits until the lock (or a slot) is ours. Returns false when {@code deadlineNanos} (a
     * {@link System#nanoTime()} value; 0 for none) passes first.
     */
    abstract boolean acquire(long deadlineNanos) throws LockException, InterruptedException;

    /** Gives the lock (or slot) up. */
    abstract void release() throws LockException;

    /** Deletes the coordinating key if nobody holds it; false when it is in use. */
    abstract boolean destroy() throws LockException;

    /** One blocking check: the index to wait from next, or empty when the lock is no longer ours. */
    abstract Optional<Long> stillHeld(long index);

    /**
     * Watches the lock from a daemon thread; the future completes when it is lost (session
     * invalidated, key changed). Errors are retried {@code retries} times a second apart, then
     * count as a loss, as Consul's {@code -monitor-retry}.
     */
    CompletableFuture<String> monitor(int retries) {
        CompletableFuture<String> lost = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long index = 0;
            int left = retries;
            while (!stopped) {
                Optional<Long> next;
                try {
                    next = stillHeld(index);
                    left = retries;
                } catch (RosterException e) {
                    if (stopped) {
                        return;
                    }
                    if (left-- > 0 && (e.status() == 0 || e.status() >= 500)) {
                        if (!pause(MONITOR_RETRY_WAIT)) {
                            return;
                        }
                        continue;
                    }
                    lost.complete("failed to read lock: " + ClientCommand.describe(e));
                    return;
                }
                if (next.isEmpty()) {
                    lost.complete("lock lost");
                    return;
                }
                index = next.get();
            }
        }, "roster-lock-monitor");
        t.setDaemon(true);
        monitor = t;
        t.start();
        return lost;
    }

    /** Stops the monitor (before a release, which it would otherwise report as a loss). */
    void stopMonitor() {
        stopped = true;
        Thread t = monitor;
        if (t != null) {
            t.interrupt();
        }
    }

    Map<String, String> params(String... kv) {
        Map<String, String> p = new LinkedHashMap<>(writes);
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    /** Sleeps; false when interrupted (the interrupt is kept). */
    static boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How long the next blocking read may wait: {@link #WAIT}, or less when the deadline is nearer; null when passed. */
    static Duration waitFor(long deadlineNanos) {
        if (deadlineNanos == 0) {
            return WAIT;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return null;
        }
        return Duration.ofNanos(Math.min(left, WAIT.toNanos()));
    }

    /** Sleeps {@code retryWait} (or until the deadline); false when the deadline has passed. */
    boolean backOff(long deadlineNanos) throws InterruptedException {
        Duration d = retryWait;
        if (deadlineNanos != 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            d = Duration.ofNanos(Math.min(left, d.toNanos()));
        }
        Thread.sleep(d);
        return true;
    }

    /** Mutual exclusion: one holder of {@code <prefix>/.lock}. */
    static final class Mutex extends PrefixLock {
        Mutex(RosterClient client, String prefix, String session, QueryOptions reads, Map<String, String> writes,
              Duration retryWait) {
            super(client, prefix, session, reads, writes, retryWait);
        }

        @Override
        boolean acquire(long deadlineNanos) throws LockException, InterruptedException {
            long index = 0;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                Duration wait = waitFor(deadlineNanos);
                if (wait == null) {
                    return false;
                }
                QueryResult<Optional<KvPair>> r = client.kv().get(lockKey(), reads.withIndex(index).withWait(wait));
                Optional<KvPair> pair = r.value();
                if (pair.isPresent() && pair.get().flags() != LOCK_FLAG) {
                    throw new LockException("Existing key does not match lock use");
                }
                if (pair.isPresent() && pair.get().session() != null && !pair.get().session().isEmpty()) {
                    // Held by someone: block until the key changes.
                    index = r.index();
                    continue;
                }
                if (client.kv().put(lockKey(), new byte[0], params("acquire", session, "flags", Long.toUnsignedString(LOCK_FLAG)))) {
                    return true;
                }
                // Free but not acquirable: the lock-delay after a holder's session was invalidated.
                if (!backOff(deadlineNanos)) {
                    return false;
                }
            }
        }

        @Override
        Optional<Long> stillHeld(long index) {
            QueryResult<Optional<KvPair>> r = client.kv().get(lockKey(), reads.withConsistent().withIndex(index).withWait(WAIT));
            Optional<KvPair> pair = r.value();
            return pair.isPresent() && session.equals(pair.get().session()) ? Optional.of(r.index()) : Optional.empty();
        }

        @Override
        void release() {
            client.kv().put(lockKey(), new byte[0], params("release", session, "flags", Long.toUnsignedString(LOCK_FLAG)));
        }

        @Override
        boolean destroy() throws LockException {
            Optional<KvPair> pair = client.kv().get(lockKey(), reads).value();
            if (pair.isEmpty()) {
                return true;
            }
            if (pair.get().flags() != LOCK_FLAG) {
                throw new LockException("Existing key does not match lock use");
            }
            if (pair.get().session() != null && !pair.get().session().isEmpty()) {
                return false;
            }
            return client.kv().delete(lockKey(), params("cas", Long.toString(pair.get().modifyIndex())));
        }
    }

    /** Up to {@code limit} holders, recorded in {@code <prefix>/.lock}. */
    static final class Semaphore extends PrefixLock {
        private final int limit;

        Semaphore(RosterClient client, String prefix, String session, QueryOptions reads, Map<String, String> writes,
                  Duration retryWait, int limit) {
            super(client, prefix, session, reads, writes, retryWait);
            this.limit = limit;
        }

        String contenderKey() {
            return GoFormat.pathJoin(prefix, session);
        }

        /** The {@code .lock} entry: its limit, holders and ModifyIndex (0 when absent). */
        private record State(int limit, Set<String> holders, long modifyIndex) {
        }

        @Override
        boolean acquire(long deadlineNanos) throws LockException, InterruptedException {
            if (!client.kv().put(contenderKey(), new byte[0],
                    params("acquire", session, "flags", Long.toUnsignedString(SEMAPHORE_FLAG)))) {
                throw new LockException("failed to make contender entry");
            }
            long index = 0;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                Duration wait = waitFor(deadlineNanos);
                if (wait == null) {
                    return false;
                }
                QueryResult<List<KvPair>> r = client.kv().list(prefix, reads.withIndex(index).withWait(wait));
                State s = state(r.value());
                if (s.holders().size() >= s.limit()) {
                    index = r.index();
                    continue;
                }
                s.holders().add(session);
                if (client.kv().put(lockKey(), encode(s), params("cas", Long.toString(s.modifyIndex()),
                        "flags", Long.toUnsignedString(SEMAPHORE_FLAG)))) {
                    return true;
                }
                // Another contender changed .lock first: read again.
            }
        }

        /** Reads {@code .lock} from a listing of the prefix, checking flags and limit, without dead holders. */
        private State state(List<KvPair> pairs) throws LockException {
            KvPair lock = null;
            Set<String> alive = new HashSet<>();
            for (KvPair p : pairs) {
                if (p.key().equals(lockKey())) {
                    lock = p;
                }
                if (p.session() != null && !p.session().isEmpty()) {
                    alive.add(p.session());
                }
            }
            if (lock != null && lock.flags() != SEMAPHORE_FLAG) {
                throw new LockException("Existing key does not match semaphore use");
            }
            State s = decode(lock);
            if (s.limit() != limit) {
                throw new LockException("semaphore limit conflict (lock: " + s.limit() + ", local: " + limit + ")");
            }
            s.holders().retainAll(alive);
            return s;
        }

        private State decode(KvPair lock) throws LockException {
            if (lock == null || lock.value() == null) {
                return new State(limit, new HashSet<>(), lock == null ? 0 : lock.modifyIndex());
            }
            try {
                JsonNode n = Json.mapper().readTree(lock.value());
                Set<String> holders = new HashSet<>();
                n.path("Holders").properties().forEach(e -> {
                    if (e.getValue().asBoolean()) {
                        holders.add(e.getKey());
                    }
                });
                return new State(n.path("Limit").asInt(), holders, lock.modifyIndex());
            } catch (IOException e) {
                throw new LockException("lock decoding failed: " + Main.oneLine(e.getMessage()));
            }
        }

        /** Go's encoding of Consul's semaphoreLock: {@code {"Limit":N,"Holders":{...}}}, holders sorted. */
        private static byte[] encode(State s) {
            ObjectNode v = JsonNodeFactory.instance.objectNode();
            v.put("Limit", s.limit());
            ObjectNode holders = v.putObject("Holders");
            new TreeSet<>(s.holders()).forEach(h -> holders.put(h, true));
            return GoFormat.compact(v).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        Optional<Long> stillHeld(long index) {
            QueryResult<List<KvPair>> r = client.kv().list(prefix, reads.withConsistent().withIndex(index).withWait(WAIT));
            try {
                return state(r.value()).holders().contains(session) ? Optional.of(r.index()) : Optional.empty();
            } catch (LockException e) {
                return Optional.empty();
            }
        }

        @Override
        void release() throws LockException {
            while (true) {
                Optional<KvPair> lock = client.kv().get(lockKey(), reads).value();
                State s = decode(lock.orElse(null));
                if (!s.holders().remove(session)) {
                    break;
                }
                if (client.kv().put(lockKey(), encode(s), params("cas", Long.toString(s.modifyIndex()),
                        "flags", Long.toUnsignedString(SEMAPHORE_FLAG)))) {
                    break;
                }
            }
            client.kv().delete(contenderKey(), params());
        }

        @Override
        boolean destroy() throws LockException {
            List<KvPair> pairs = client.kv().list(prefix, reads).value();
            KvPair lock = pairs.stream().filter(p -> p.key().equals(lockKey())).findFirst().orElse(null);
            if (lock == null) {
                return true;
            }
            State s = state(pairs);
            if (!s.holders().isEmpty()) {
                return false;
            }
            return client.kv().delete(lockKey(), params("cas", Long.toString(lock.modifyIndex())));
        }
    }
}
