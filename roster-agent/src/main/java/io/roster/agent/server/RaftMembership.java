package io.roster.agent.server;

import io.roster.gossip.Listener;
import io.roster.gossip.Member;
import io.roster.server.RaftReplicator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers found through LAN gossip become one Raft cluster: the bootstrap (Consul's
 * {@code bootstrap_expect} / {@code bootstrap}) and the leader's adding of servers that arrive
 * later (what Consul's autopilot does).
 *
 * <p><b>Bootstrap.</b> A server that holds no Raft group (none recovered from its data directory,
 * none given by a leader) and runs with {@code bootstrap_expect = N} waits until it knows at least
 * N alive servers of its datacenter in the LAN pool (tags {@code role=consul}, {@code id},
 * {@code port}, {@code expect}). Then only the one with the lowest node ID among them acts: it asks
 * every other one whether it already holds the group (a cluster exists: it never bootstraps then,
 * and waits to be added), and otherwise creates the group with all of them as the initial
 * configuration ({@link RaftReplicator#bootstrap}, all or nothing). Why exactly one initial
 * configuration survives: a server holds the group at most once (Ratis refuses a second add), a
 * bootstrap that any server refuses is undone on those that took it, and with
 * {@code bootstrap_expect} above half of the servers (Consul's advice; Pigsty writes
 * floor(n/2)+1) any two candidate sets share a server, which can take only one of them. Servers
 * whose {@code expect} differs from this one's stop the bootstrap with Consul's error line.
 * {@code bootstrap = true} (or a server with neither {@code bootstrap_expect} nor join addresses:
 * a lone server, Roster's convenience) creates the group with itself alone.
 *
 * <p><b>Adding servers.</b> On the leader, every alive server of the datacenter that gossip knows
 * and the Raft configuration does not is added as a voter ({@link RaftReplicator#addVoter}).
 * Removing servers stays explicit ({@code leave}, {@code /v1/operator/raft/peer}).
 *
 * <p>The work runs on one thread of its own (the calls to other servers block), every second and
 * whenever gossip sees a server join; a problem is logged when it first appears or changes, not on
 * every round.
 */
public final class RaftMembership implements Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMembership.class);
    static final String EXPECT_CONFLICT = "Member has a conflicting expect value. All nodes should expect the same number.";

    private final RaftReplicator raft;
    private final Supplier<List<Member>> members;
    private final String datacenter;
    private final String selfId;
    private final int expect;
    private final boolean bootstrapAlone;
    private final ExecutorService worker;
    private final ScheduledFuture<?> periodic;
    private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    /** Not before this (System.nanoTime): the pause after a failed bootstrap. */
    private long notBefore;
    private volatile String lastProblem = "";
    private static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Not before this (System.nanoTime): the next reachability probe of a joining server. */
    private long nextProbe = System.nanoTime();
    private int probes;

    /**
     * @param expect         {@code bootstrap_expect} (0: none)
     * @param bootstrapAlone create the group with this server alone when it holds none
     */
    public RaftMembership(RaftReplicator raft, Supplier<List<Member>> members, String datacenter, String selfId, int expect,
                          boolean bootstrapAlone, ScheduledExecutorService scheduler) {
        this.raft = raft;
        this.members = members;
        this.datacenter = datacenter;
        this.selfId = selfId;
        this.expect = expect;
        this.bootstrapAlone = bootstrapAlone;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "roster-raft-membership");
            t.setDaemon(true);
            return t;
        });
        this.periodic = scheduler.scheduleWithFixedDelay(this::trigger, 200, 1000, TimeUnit.MILLISECONDS);
    }

    /** A server known to gossip: its node ID and Raft address ({@code gossip host:port tag}). */
    record Known(String id, String address, int expect, String name) {
    }

    /** Alive servers of this datacenter that gossip knows, this one included, by node ID. */
    List<Known> servers() {
        List<Known> out = new ArrayList<>();
        for (Member m : members.get()) {
            Map<String, String> t = m.tags();
            if (m.status() != 1 || !"consul".equals(t.get("role")) || !datacenter.equals(t.getOrDefault("dc", datacenter))) {
                continue;
            }
            String id = t.get("id");
            int port;
            try {
                port = Integer.parseInt(t.getOrDefault("port", ""));
            } catch (NumberFormatException e) {
                continue;
            }
            if (id == null || id.isEmpty()) {
                continue;
            }
            String host = m.address().contains(":") && !m.address().startsWith("[") ? "[" + m.address() + "]" : m.address();
            int e;
            try {
                e = Integer.parseInt(t.getOrDefault("expect", "0"));
            } catch (NumberFormatException bad) {
                e = 0;
            }
            out.add(new Known(id, host + ":" + port, e, m.name()));
        }
        out.sort(Comparator.comparing(Known::id));
        return out;
    }

    /** Runs a round soon, unless one is already waiting. */
    public void trigger() {
        if (closed || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.execute(() -> {
                queued.set(false);
                try {
                    round();
                } catch (RuntimeException e) {
                    problem("Raft membership: " + e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            queued.set(false);
        }
    }

    private void round() {
        if (closed) {
            return;
        }
        if (!raft.hasGroup()) {
            if (System.nanoTime() - notBefore >= 0) {
                maybeBootstrap();
            }
        } else if (raft.isLeader()) {
            addNewServers();
        }
    }

    private void maybeBootstrap() {
        if (bootstrapAlone) {
            tryBootstrap(Map.of(selfId, raft.selfAddress()));
            return;
        }
        if (expect <= 0) {
            probeWhileJoining(); // a joining server: the leader adds it
            return;
        }
        List<Known> known = servers();
        for (Known k : known) {
            if (k.expect() != 0 && k.expect() != expect) {
                problem(EXPECT_CONFLICT + " member=" + k.name() + " expect=" + k.expect() + " (this server: " + expect + ")");
                return;
            }
        }
        if (known.size() < expect) {
            problem("");
            return;
        }
        if (!known.get(0).id().equals(selfId)) {
            return; // the server with the lowest node ID bootstraps; this one waits to be in its group
        }
        for (Known k : known) {
            if (k.id().equals(selfId)) {
                continue;
            }
            try {
                if (raft.holdsGroup(k.id(), k.address())) {
                    problem("Raft: server " + k.name() + " (" + k.address() + ") already holds the cluster's Raft group:"
                            + " not bootstrapping, waiting for its leader to add this server");
                    return;
                }
            } catch (java.io.IOException | RuntimeException e) {
                problem("Raft: cannot ask server " + k.name() + " (" + k.address() + ") for its Raft state before the bootstrap: "
                        + e.getMessage());
                return;
            }
        }
        Map<String, String> initial = new LinkedHashMap<>();
        known.forEach(k -> initial.put(k.id(), k.address()));
        tryBootstrap(initial);
    }

    /**
     * A joining server waits for the leader to add it, which fails quietly here when TLS refuses it
     * (a certificate of another CA, or one that does not name {@code server.<dc>.<domain>}): the
     * leader's log says why, this server's would not. So, at most every {@link #PROBE_EVERY_NANOS},
     * it asks one known server over the server port whether it holds the group and logs the
     * failure (once, while it stays the same), as Consul's servers log a refused RPC handshake.
     */
    private void probeWhileJoining() {
        long now = System.nanoTime();
        if (now - nextProbe < 0) {
            return;
        }
        nextProbe = now + PROBE_EVERY_NANOS;
        List<Known> others = servers().stream().filter(k -> !k.id().equals(selfId)).toList();
        if (others.isEmpty()) {
            return;
        }
        Known k = others.get(probes % others.size());
        try {
            raft.holdsGroup(k.id(), k.address());
            problem("");
        } catch (java.io.IOException | RuntimeException e) {
            probes++; // the next probe asks another server: one that is down does not hide what the others say
            problem("Raft: cannot reach server " + k.name() + " (" + k.address() + ") to be added to the cluster: " + reason(e));
        }
    }

    private void tryBootstrap(Map<String, String> initial) {
        try {
            LOG.info("Raft: bootstrapping the cluster with {} server(s): {}", initial.size(), initial.values());
            raft.bootstrap(initial);
            problem("");
        } catch (java.io.IOException | RuntimeException e) {
            // Another server was faster, or one did not answer: try again after a pause (random, so two never retry in step).
            notBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000 + ThreadLocalRandom.current().nextInt(2000));
            problem("Raft: bootstrap failed, will check again: " + e.getMessage());
        }
    }

    private void addNewServers() {
        Map<String, String> config = raft.peerIds();
        for (Known k : servers()) {
            if (config.containsKey(k.id())) {
                continue;
            }
            try {
                raft.addVoter(k.id(), k.address());
                LOG.info("Raft: added server {} ({}, {}) as a voter", k.name(), k.id(), k.address());
                problem("");
            } catch (java.io.IOException | RuntimeException e) {
                problem("Raft: cannot add server " + k.name() + " (" + k.address() + ") yet: " + reason(e));
            }
        }
    }

    /** Logs a problem when it appears or changes (an empty one clears it), never once per round. */
    /** One line: the error and, when it differs, its root cause (a TLS handshake failure hides under gRPC's "io exception"). */
    private static String reason(Throwable e) {
        Throwable root = e;
        for (int i = 0; i < 10 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        String m = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !m.contains(root.getMessage())) {
            m = m + " (" + root.getMessage() + ")";
        }
        // gRPC appends Netty's channel pipeline to the message: noise in an operator's log.
        return m.replaceAll("\\s*\\R\\s*", " ").replaceAll(" ?Channel Pipeline: \\[[^\\]]*\\]", "").strip();
    }

    private void problem(String p) {
        if (p.equals(lastProblem)) {
            return;
        }
        lastProblem = p;
        if (p.startsWith(EXPECT_CONFLICT)) {
            LOG.error(p);
        } else if (!p.isEmpty()) {
            LOG.warn(p);
        }
    }

    /** The problem last logged (empty: none), for diagnostics and tests. */
    public String problem() {
        return lastProblem;
    }

    @Override
    public void onJoin(Member m) {
        if ("consul".equals(m.tags().get("role"))) {
            trigger();
        }
    }

    @Override
    public void onUpdate(Member m) {
        onJoin(m);
    }

    @Override
    public void close() {
        closed = true;
        periodic.cancel(false);
        worker.shutdownNow();
    }
}
