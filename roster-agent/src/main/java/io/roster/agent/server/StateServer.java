package io.roster.agent.server;

import io.roster.api.Durations;
import io.roster.api.SessionEntry;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Replicator;
import io.roster.state.Store;
import io.roster.state.TxnOutcome;
import io.roster.state.WatchSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side writes and leader duties: validates and pre-applies each write (lock-delay, session
 * IDs, TTL bounds) before submitting it to the {@link Replicator}, and runs the session TTL timers
 * and the tombstone GC while this server leads.
 */
public final class StateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateServer.class);
    /** Consul's largest lock-delay. */
    public static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);
    /** Consul's default lock-delay. */
    public static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    /** How long KV tombstones are kept before the leader reaps them (Consul's tombstone_ttl). */
    static final Duration TOMBSTONE_TTL = Duration.ofMinutes(15);

    private final Replicator replicator;
    private final Store store;
    private final Duration sessionTtlMin;
    private final LockDelays lockDelays;
    private final SessionTimers timers;
    private final LongSupplier nanoClock;
    private final ArrayDeque<long[]> indexHistory = new ArrayDeque<>();
    private final ScheduledFuture<?> gc;

    public StateServer(Replicator replicator, Duration sessionTtlMin, ScheduledExecutorService scheduler, LongSupplier nanoClock) {
        this.replicator = replicator;
        this.store = replicator.store();
        this.sessionTtlMin = sessionTtlMin;
        this.nanoClock = nanoClock;
        this.lockDelays = new LockDelays(nanoClock);
        this.timers = new SessionTimers(scheduler, this::expire);
        this.gc = scheduler.scheduleWithFixedDelay(this::tombstoneGc, 1, 1, TimeUnit.MINUTES);
        // Sessions that apply invalidates by itself (a check went critical, a node left) get their
        // lock-delay here, on the leader, where time may be read.
        store.onInvalidation((session, keys) -> {
            if (replicator.isLeader()) {
                lockDelays.arm(keys, heldDelay(session.lockDelay()));
                timers.clear(session.id());
            }
        });
        armAllTimers();
        barrier();
    }

    /**
     * Commits a no-op on an empty store, as a Raft leader commits a barrier before serving, so that
     * no client write ever gets index 1. Reads of empty tables report index 1 (an index is never 0);
     * a client blocking on that index for a missing key must be woken by the key's creation, which
     * is only seen as a change if the creation's index is higher. A tombstone reap up to 0 reaps
     * nothing and is the one no-op command the store has.
     */
    private void barrier() {
        if (replicator.isLeader() && store.lastIndex() == 0) {
            replicator.submit(new Command.TombstoneReap(0)).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.warn("leader barrier failed: {}", e.toString());
                }
            });
        }
    }

    public Store store() {
        return store;
    }

    public Replicator replicator() {
        return replicator;
    }

    // ------------------------------------------------------------------ KV

    /**
     * Applies a single KV write. An acquire of a key inside its lock-delay is refused ({@code false})
     * without being replicated; an acquire with an unknown session fails like Consul's.
     */
    public CompletableFuture<ApplyResult> kv(Command.Kv c) {
        if (c.verb() == KvVerb.LOCK) {
            ApplyResult refused = preLock(c);
            if (refused != null) {
                return CompletableFuture.completedFuture(refused);
            }
        }
        // The wall-clock time goes into the command here, before replication: apply reads no clock.
        return replicator.submit(c.at(System.currentTimeMillis()));
    }

    private ApplyResult preLock(Command.Kv c) {
        if (c.session() == null || c.session().isEmpty()) {
            return new ApplyError("missing session");
        }
        if (store.session(WatchSet.NONE, c.session()).value() == null) {
            return new ApplyError("invalid session \"" + c.session() + "\"");
        }
        if (lockDelays.delayed(c.key())) {
            LOG.debug("refusing lock of {}: lock-delay in force", c.key());
            return ApplyResult.Bool.FALSE;
        }
        return null;
    }

    /**
     * Runs a transaction: read-only ones locally without replication, others through the log.
     * Acquires inside a lock-delay fail the transaction like a held lock.
     */
    public CompletableFuture<Store.Read<TxnOutcome>> txn(List<Command.Kv> ops) {
        boolean write = false;
        for (Command.Kv op : ops) {
            write |= op.verb().isWrite();
        }
        if (!write) {
            return CompletableFuture.completedFuture(store.txnRead(ops));
        }
        List<io.roster.api.TxnResponse.Error> refused = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Command.Kv op = ops.get(i);
            if (op.verb() == KvVerb.LOCK && lockDelays.delayed(op.key())) {
                refused.add(new io.roster.api.TxnResponse.Error(i, "failed to lock key \"" + op.key() + "\", lock is already held"));
            }
        }
        if (!refused.isEmpty()) {
            return CompletableFuture.completedFuture(new Store.Read<>(new TxnOutcome(null, refused), store.lastIndex()));
        }
        return replicator.submit(new Command.Txn(List.copyOf(ops), System.currentTimeMillis()))
                .thenApply(r -> new Store.Read<>(txnOutcome(r), store.lastIndex()));
    }

    /** A transaction's outcome; any other result (apply threw on every server, say) fails the write with its one line. */
    private static TxnOutcome txnOutcome(ApplyResult r) {
        return switch (r) {
            case TxnOutcome t -> t;
            case ApplyError e -> throw new IllegalStateException(e.message());
            case ApplyResult.Bool b -> throw unexpected("a transaction", r);
            case ApplyResult.Count n -> throw unexpected("a transaction", r);
            case ApplyResult.SessionId s -> throw unexpected("a transaction", r);
            case ApplyResult.QueryId q -> throw unexpected("a transaction", r);
            case ApplyResult.Token t -> throw unexpected("a transaction", r);
            case ApplyResult.Policy p -> throw unexpected("a transaction", r);
            case ApplyResult.Role o -> throw unexpected("a transaction", r);
            case ApplyResult.None n -> throw unexpected("a transaction", r);
            case ApplyResult.Batch b -> throw unexpected("a transaction", r);
        };
    }

    private static IllegalStateException unexpected(String what, ApplyResult r) {
        return new IllegalStateException(what + " got an unexpected result: " + r);
    }

    // ------------------------------------------------------------------ catalog

    /** Applies a catalog registration or deregistration. */
    public CompletableFuture<ApplyResult> catalog(Command c) {
        if (!(c instanceof Command.CatalogRegister) && !(c instanceof Command.CatalogDeregister)) {
            throw new IllegalArgumentException("not a catalog command: " + c.type());
        }
        return replicator.submit(c);
    }

    /** Check ID of the server's own health check in the catalog. */
    public static final String SERF_HEALTH = "serfHealth";

    /**
     * Registers this server's node with the {@code consul} service and a passing {@code serfHealth}
     * check, as a Consul leader does for every server; the leader's
     * {@link Reconciler} keeps the check in step with gossip afterwards.
     */
    public CompletableFuture<ApplyResult> registerServer(io.roster.api.Node node, int serverPort) {
        io.roster.api.NodeService consul = new io.roster.api.NodeService(null, "consul", "consul", java.util.List.of(),
                null, null, java.util.Map.of(), serverPort, null, false, null, 0, 0);
        io.roster.api.HealthCheck serf = io.roster.api.HealthCheck.of(node.node(), SERF_HEALTH, "Serf Health Status",
                io.roster.api.HealthCheck.PASSING, "Agent alive and reachable", "", "");
        return replicator.submit(new Command.CatalogRegister(node, consul, java.util.List.of(serf), false));
    }

    // ------------------------------------------------------------------ sessions

    /** What a client asked for in {@code /v1/session/create}, already decoded. */
    public record SessionRequest(String name, String node, Duration lockDelay, String behavior, String ttl,
                                 List<String> nodeChecks, List<SessionEntry.ServiceCheck> serviceChecks) {
    }

    /** Validates TTL and lock-delay like Consul, picks the ID, replicates, and arms the TTL timer. */
    public CompletableFuture<ApplyResult> createSession(SessionRequest r) {
        String ttl = r.ttl() == null ? "" : r.ttl();
        Duration ttlDur = Duration.ZERO;
        if (!ttl.isEmpty()) {
            try {
                ttlDur = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(new ApplyError("Session TTL '" + ttl + "' invalid: " + e.getMessage()));
            }
            if (!ttlDur.isZero() && (ttlDur.compareTo(sessionTtlMin) < 0 || ttlDur.compareTo(io.roster.agent.AgentConfig.SESSION_TTL_MAX) > 0)) {
                return CompletableFuture.completedFuture(new ApplyError("Invalid Session TTL '" + ttlDur.toNanos()
                        + "', must be between [" + Durations.format(sessionTtlMin) + "="
                        + Durations.format(io.roster.agent.AgentConfig.SESSION_TTL_MAX) + "]"));
            }
        }
        // A LockDelay over MAX_LOCK_DELAY is kept as given and held for MAX_LOCK_DELAY (heldDelay), as
        // Consul's state store clamps it when a session is invalidated rather than refusing it.
        String behavior = r.behavior() == null || r.behavior().isEmpty() ? SessionEntry.RELEASE : r.behavior();
        if (!behavior.equals(SessionEntry.RELEASE) && !behavior.equals(SessionEntry.DELETE)) {
            return CompletableFuture.completedFuture(new ApplyError("Invalid Behavior setting '" + behavior + "'"));
        }
        io.roster.state.Store.NodeInfo node = store.node(WatchSet.NONE, r.node()).value();
        if (node == null) {
            return CompletableFuture.completedFuture(new ApplyError("Missing node registration"));
        }
        java.util.Map<String, io.roster.api.HealthCheck> nodeChecks = new java.util.HashMap<>();
        for (io.roster.api.HealthCheck hc : store.nodeChecks(WatchSet.NONE, r.node()).value()) {
            nodeChecks.put(hc.checkId(), hc);
        }
        java.util.List<String> wanted = new java.util.ArrayList<>(r.nodeChecks() == null ? java.util.List.of() : r.nodeChecks());
        if (r.serviceChecks() != null) {
            r.serviceChecks().forEach(sc -> wanted.add(sc.id()));
        }
        for (String checkId : wanted) {
            io.roster.api.HealthCheck hc = nodeChecks.get(checkId);
            if (hc == null) {
                return CompletableFuture.completedFuture(new ApplyError("Missing check '" + checkId + "' registration"));
            }
            if (io.roster.api.HealthCheck.CRITICAL.equals(hc.status())) {
                return CompletableFuture.completedFuture(new ApplyError("Check '" + checkId + "' is in critical state"));
            }
        }
        String id = UUID.randomUUID().toString();
        Duration armed = ttlDur;
        return replicator.submit(new Command.SessionCreate(id, r.name() == null ? "" : r.name(), r.node(),
                        r.lockDelay().toNanos(), behavior, ttl, r.nodeChecks(), r.serviceChecks()))
                .thenApply(res -> {
                    if (res instanceof ApplyResult.SessionId && !armed.isZero() && replicator.isLeader()) {
                        timers.reset(id, armed);
                    }
                    return res;
                });
    }

    /** The lock-delay (ns) an invalidated session's keys are held for: its LockDelay, at most {@link #MAX_LOCK_DELAY}. */
    static long heldDelay(long lockDelayNanos) {
        return Math.min(lockDelayNanos, MAX_LOCK_DELAY.toNanos());
    }

    /** Destroys (invalidates) a session, arming lock-delay on the keys it held. */
    public CompletableFuture<ApplyResult> destroySession(String id) {
        SessionEntry s = store.session(WatchSet.NONE, id).value();
        if (s != null) {
            lockDelays.arm(store.keysHeldBy(id), heldDelay(s.lockDelay()));
        }
        timers.clear(id);
        return replicator.submit(new Command.SessionDestroy(id));
    }

    /** Renews a session's TTL; {@code null} when it does not exist. */
    public SessionEntry renewSession(String id) {
        SessionEntry s = store.session(WatchSet.NONE, id).value();
        if (s == null) {
            return null;
        }
        if (!s.ttl().isEmpty()) {
            Duration ttl = Durations.parse(s.ttl());
            if (!ttl.isZero()) {
                timers.reset(id, ttl);
            }
        }
        return s;
    }

    private void expire(String id) {
        if (!replicator.isLeader()) {
            return;
        }
        LOG.info("session {} expired (TTL not renewed); invalidating", id);
        destroySession(id).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("failed to invalidate expired session {}: {}", id, e.toString());
            }
        });
    }

    /** On gaining leadership: every TTL session gets a fresh timer, as Consul resets them. */
    public void armAllTimers() {
        timers.clearAll();
        if (!replicator.isLeader()) {
            return;
        }
        for (SessionEntry s : store.sessions(WatchSet.NONE).value()) {
            if (!s.ttl().isEmpty()) {
                Duration ttl = Durations.parse(s.ttl());
                if (!ttl.isZero()) {
                    timers.reset(s.id(), ttl);
                }
            }
        }
    }

    /** How many session timers are armed (for tests and metrics). */
    public int armedTimers() {
        return timers.armed();
    }

    // ------------------------------------------------------------------ tombstones

    /** Every minute: remember the index now; reap tombstones older than the TTL. */
    private void tombstoneGc() {
        try {
            if (!replicator.isLeader()) {
                return;
            }
            long now = nanoClock.getAsLong();
            indexHistory.addLast(new long[] {now, store.lastIndex()});
            long reapUpTo = -1;
            while (!indexHistory.isEmpty() && now - indexHistory.peekFirst()[0] >= TOMBSTONE_TTL.toNanos()) {
                reapUpTo = indexHistory.pollFirst()[1];
            }
            if (reapUpTo > 0) {
                replicator.submit(new Command.TombstoneReap(reapUpTo));
            }
        } catch (RuntimeException e) {
            LOG.warn("tombstone GC failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        gc.cancel(false);
        timers.clearAll();
        lockDelays.clear();
    }
}
