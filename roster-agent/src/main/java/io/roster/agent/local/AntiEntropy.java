package io.roster.agent.local;

import io.roster.agent.server.StateServer;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.state.Command;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the catalog's entry for this node equal to {@link LocalState}, as Consul's agent does:
 * a sync right after every local change (coalesced), a periodic full sync, removal of catalog
 * services and checks of this node that the agent does not know, and rate-limited output updates:
 * a check whose status is unchanged has its new output synced at most once per
 * {@code check_update_interval}; status changes go out at once. Also reaps services whose check
 * stayed critical longer than {@code DeregisterCriticalServiceAfter}.
 */
public final class AntiEntropy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropy.class);
    private final io.roster.agent.util.RateLimitedLog failures = new io.roster.agent.util.RateLimitedLog(LOG,
            org.slf4j.event.Level.WARN, java.time.Duration.ofMinutes(1));
    /** Consul's base full-sync interval for small clusters (scaled up with cluster size there). */
    static final Duration FULL_SYNC = Duration.ofMinutes(1);
    private static final Duration REAP_EVERY = Duration.ofSeconds(5);

    private final Node self;
    private final LocalState local;
    private final CatalogAccess catalog;
    private final ScheduledExecutorService scheduler;
    private final Duration checkUpdateInterval;
    private final Set<String> serverServices;
    private final Set<String> serverChecks;
    private final LongSupplier nanoClock;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Map<String, Long> outputSyncedAt = new HashMap<>();
    private volatile ScheduledFuture<?> fullSync;
    private volatile ScheduledFuture<?> reaper;
    private volatile boolean closed;

    /**
     * @param self            this node's catalog row (ID, name, address, tagged addresses, meta)
     * @param serverServices  service IDs the server itself owns on this node (never removed here)
     * @param serverChecks    check IDs the server itself owns on this node (never removed here)
     */
    public AntiEntropy(Node self, LocalState local, StateServer server, ScheduledExecutorService scheduler,
                       Duration checkUpdateInterval, Set<String> serverServices, Set<String> serverChecks,
                       LongSupplier nanoClock) {
        this(self, local, CatalogAccess.of(server), scheduler, checkUpdateInterval, serverServices, serverChecks, nanoClock);
    }

    /** Anti-entropy against any catalog: this server's, or (on a client agent) a server's over HTTP. */
    public AntiEntropy(Node self, LocalState local, CatalogAccess catalog, ScheduledExecutorService scheduler,
                       Duration checkUpdateInterval, Set<String> serverServices, Set<String> serverChecks,
                       LongSupplier nanoClock) {
        this.self = self;
        this.local = local;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.checkUpdateInterval = checkUpdateInterval;
        this.serverServices = serverServices;
        this.serverChecks = serverChecks;
        this.nanoClock = nanoClock;
    }

    /**
     * Consul's scaling of the full-sync interval with cluster size: the base interval up to 128
     * nodes, then one more multiple per doubling ({@code ceil(log2(n) - log2(128)) + 1}).
     */
    static Duration scaled(Duration base, int nodes) {
        if (nodes <= 128) {
            return base;
        }
        double mult = Math.ceil(Math.log(nodes) / Math.log(2) - 7) + 1;
        return base.multipliedBy((long) mult);
    }

    private void scheduleFullSync() {
        if (closed) {
            return;
        }
        int nodes = catalog.nodeCount();
        long base = scaled(FULL_SYNC, nodes).toMillis();
        // A random stagger keeps a fleet of agents from syncing in step.
        long delay = base + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, base / 2));
        fullSync = scheduler.schedule(() -> {
            trigger();
            scheduleFullSync();
        }, delay, TimeUnit.MILLISECONDS);
    }

    public void start() {
        scheduleFullSync();
        reaper = scheduler.scheduleWithFixedDelay(this::reap, REAP_EVERY.toMillis(), REAP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        trigger();
    }

    /** Asks for a sync soon; many triggers before it runs make one sync. */
    public void trigger() {
        if (!closed && pending.compareAndSet(false, true)) {
            scheduler.execute(this::syncSafely);
        }
    }

    private void syncSafely() {
        pending.set(false);
        try {
            syncNow();
            failures.recovered("anti-entropy sync succeeded again");
        } catch (Exception e) {
            // Retried every second: the first failure of a streak is logged, then one line a minute with a count.
            failures.log("anti-entropy sync failed (retrying every second): {}", oneLine(e));
            if (!closed) {
                scheduler.schedule(this::trigger, 1, TimeUnit.SECONDS);
            }
        }
    }

    private static String oneLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** One full comparison of local state with the catalog, fixing every difference. Runs on the scheduler thread. */
    public synchronized void syncNow() throws Exception {
        if (closed) {
            return;
        }
        String node = self.node();
        Store.NodeInfo cat = catalog.node(node);
        if (cat == null || !self.sameAs(cat.node())) {
            apply(new Command.CatalogRegister(self, null, List.of(), false));
        }
        Map<String, NodeService> mine = local.services();
        Map<String, HealthCheck> myChecks = local.checks();
        Map<String, NodeService> theirs = new HashMap<>();
        if (cat != null) {
            for (NodeService s : cat.services()) {
                theirs.put(s.id(), s);
            }
        }
        Map<String, HealthCheck> theirChecks = new HashMap<>();
        for (HealthCheck c : catalog.nodeChecks(node)) {
            theirChecks.put(c.checkId(), c);
        }
        // Services: register what differs, remove what the agent does not know.
        for (NodeService s : mine.values()) {
            NodeService inCatalog = theirs.get(s.id());
            if (!s.sameAs(inCatalog)) {
                apply(new Command.CatalogRegister(self, s.withDatacenter(""), List.of(), true));
            }
        }
        for (NodeService s : theirs.values()) {
            if (!mine.containsKey(s.id()) && !serverServices.contains(s.id())) {
                apply(new Command.CatalogDeregister(node, s.id(), null));
            }
        }
        // Checks: status changes at once, output-only changes at most once per check_update_interval.
        long now = nanoClock.getAsLong();
        long nextDeferred = Long.MAX_VALUE;
        for (HealthCheck c : myChecks.values()) {
            HealthCheck inCatalog = theirChecks.get(c.checkId());
            if (comparable(c).sameAs(comparable(inCatalog))) {
                continue;
            }
            boolean outputOnly = inCatalog != null && sameButOutput(c, inCatalog);
            Long last = outputSyncedAt.get(c.checkId());
            if (outputOnly && last != null && now - last < checkUpdateInterval.toNanos()) {
                nextDeferred = Math.min(nextDeferred, last + checkUpdateInterval.toNanos() - now);
                continue;
            }
            apply(new Command.CatalogRegister(self, null, List.of(c), true));
            outputSyncedAt.put(c.checkId(), now);
        }
        for (HealthCheck c : theirChecks.values()) {
            if (!myChecks.containsKey(c.checkId()) && !serverChecks.contains(c.checkId())) {
                apply(new Command.CatalogDeregister(node, null, c.checkId()));
                outputSyncedAt.remove(c.checkId());
            }
        }
        if (nextDeferred != Long.MAX_VALUE) {
            scheduler.schedule(this::trigger, nextDeferred, TimeUnit.NANOSECONDS);
        }
    }

    /** The fields the catalog derives (service name and tags) are compared as the catalog stores them. */
    private static HealthCheck comparable(HealthCheck c) {
        return c == null ? null : c.withIndexes(0, 0);
    }

    private static boolean sameButOutput(HealthCheck a, HealthCheck b) {
        return a.withStatus(a.status(), "").withIndexes(0, 0).sameAs(b.withStatus(b.status(), "").withIndexes(0, 0))
                && a.status().equals(b.status());
    }

    private void apply(Command c) throws Exception {
        catalog.apply(c);
    }

    private void reap() {
        try {
            for (String id : local.criticalTooLong()) {
                LOG.info("deregistering service {}: critical longer than its DeregisterCriticalServiceAfter", id);
                local.removeService(id);
            }
        } catch (RuntimeException e) {
            LOG.warn("reaping critical services failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {fullSync, reaper}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
