package io.roster.agent.server;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.gossip.Listener;
import io.roster.gossip.Member;
import io.roster.state.ApplyError;
import io.roster.state.Command;
import io.roster.state.Replicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's duty of keeping the catalog in step with the LAN gossip pool, as Consul's leader
 * does: every member is a catalog node with a {@code serfHealth} check (passing while alive,
 * critical once failed), servers also carry the {@code consul} service; a member that left, or
 * was reaped, is deregistered. Member events are reconciled one by one as they come; a full pass
 * runs on gaining leadership and every {@link #FULL_INTERVAL} to fix drift (also removing nodes
 * with a {@code serfHealth} check that gossip no longer knows).
 *
 * <p>A server that is still in the Raft configuration is never deregistered for being failed or
 * reaped: only its own leave (or a removal from Raft) takes it out.
 *
 * <p>Writes go through {@link StateServer#catalog} one at a time on a thread of its own, and only when
 * the catalog differs, so an idle cluster makes no writes.
 */
public final class Reconciler implements Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** How often the leader compares the whole member list with the catalog. */
    public static final Duration FULL_INTERVAL = Duration.ofSeconds(60);
    static final String ALIVE_OUTPUT = "Agent alive and reachable";
    static final String FAILED_OUTPUT = "Agent not live or unreachable";

    private final StateServer server;
    private final Replicator replicator;
    private final Store store;
    private final String datacenter;
    private final Supplier<List<Member>> members;
    private final ExecutorService worker;
    private final ScheduledFuture<?> periodic;
    private volatile boolean closed;

    public Reconciler(StateServer server, String datacenter, Supplier<List<Member>> members, ScheduledExecutorService scheduler) {
        this.server = server;
        this.replicator = server.replicator();
        this.store = server.store();
        this.datacenter = datacenter;
        this.members = members;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "roster-reconcile");
            t.setDaemon(true);
            return t;
        });
        long every = FULL_INTERVAL.toMillis();
        this.periodic = scheduler.scheduleWithFixedDelay(this::reconcileAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** On gaining leadership (and at start): one full pass. */
    public void reconcileAll() {
        submit(this::fullPass);
    }

    @Override
    public void onJoin(Member m) {
        submit(() -> reconcile(m));
    }

    @Override
    public void onUpdate(Member m) {
        submit(() -> reconcile(m));
    }

    @Override
    public void onFail(Member m) {
        submit(() -> reconcile(m));
    }

    @Override
    public void onLeave(Member m) {
        submit(() -> reconcile(m));
    }

    @Override
    public void onReap(Member m) {
        submit(() -> reaped(m.name()));
    }

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            worker.execute(() -> {
                if (closed || !replicator.isLeader()) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("reconcile failed (the next full pass retries): {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closing
        }
    }

    private void fullPass() {
        List<Member> known = members.get();
        Map<String, Member> byName = new HashMap<>();
        for (Member m : known) {
            byName.put(m.name(), m);
            reconcile(m);
        }
        // Nodes gossip put in the catalog (they have serfHealth) but no longer knows: reaped.
        for (Node n : store.nodes(WatchSet.NONE).value()) {
            if (byName.containsKey(n.node())) {
                continue;
            }
            boolean gossiped = store.nodeChecks(WatchSet.NONE, n.node()).value().stream()
                    .anyMatch(c -> c.checkId().equals(StateServer.SERF_HEALTH));
            if (gossiped) {
                reaped(n.node());
            }
        }
    }

    /** One member: registered and passing while alive, critical once failed, gone once it left. */
    void reconcile(Member m) {
        switch (m.status()) {
            case 1 -> ensure(m, HealthCheck.PASSING, ALIVE_OUTPUT);
            case 4 -> ensure(m, HealthCheck.CRITICAL, FAILED_OUTPUT);
            case 2, 3 -> {
                if (store.node(WatchSet.NONE, m.name()).value() != null) {
                    LOG.info("member {} left: deregistering its node", m.name());
                    apply(new Command.CatalogDeregister(m.name(), null, null));
                }
            }
            default -> LOG.debug("member {}: unknown status {}", m.name(), m.status());
        }
    }

    private void ensure(Member m, String status, String output) {
        boolean server = "consul".equals(m.tags().get("role"));
        Store.NodeInfo info = store.node(WatchSet.NONE, m.name()).value();
        String id = m.tags().getOrDefault("id", "");
        Node node;
        boolean skipNode;
        if (info != null && info.node().address().equals(m.address()) && (id.isEmpty() || id.equals(info.node().id()))) {
            node = info.node();
            skipNode = true;
        } else {
            Map<String, String> tagged = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            if (info != null) {
                tagged.putAll(info.node().taggedAddresses());
                meta.putAll(info.node().meta());
            } else {
                meta.put("consul-network-segment", "");
            }
            tagged.put("lan", m.address());
            tagged.put("lan_ipv4", m.address());
            tagged.putIfAbsent("wan", m.address());
            tagged.putIfAbsent("wan_ipv4", m.address());
            node = new Node(id.isEmpty() ? null : id, m.name(), m.address(), datacenter, tagged, meta, 0, 0);
            // A node first seen here is created only if still absent when the write applies: the agent's own
            // registration (with its node_meta) may land between this read and this write, and must win.
            skipNode = info == null;
        }
        NodeService consul = null;
        if (server) {
            int port = parsePort(m.tags().get("port"));
            NodeService have = info == null ? null : info.services().stream()
                    .filter(s -> s.id().equals("consul")).findFirst().orElse(null);
            if (have == null || have.port() != port) {
                consul = new NodeService(null, "consul", "consul", List.of(), null, null, Map.of(), port, null, false, null, 0, 0);
            }
        }
        HealthCheck want = HealthCheck.of(m.name(), StateServer.SERF_HEALTH, "Serf Health Status", status, output, "", "");
        HealthCheck have = store.nodeChecks(WatchSet.NONE, m.name()).value().stream()
                .filter(c -> c.checkId().equals(StateServer.SERF_HEALTH)).findFirst().orElse(null);
        boolean checkSame = have != null && have.status().equals(status) && have.output().equals(output)
                && have.name().equals(want.name());
        if (skipNode && consul == null && checkSame) {
            return;
        }
        if (have == null || !have.status().equals(status)) {
            LOG.info("member {} is {}: serfHealth {}", m.name(), m.status() == 1 ? "alive" : "failed", status);
        }
        apply(new Command.CatalogRegister(node, consul, checkSame ? List.of() : List.of(want), skipNode));
    }

    /** A member gossip forgot: its node goes, unless it is a server still in the Raft configuration. */
    private void reaped(String name) {
        Store.NodeInfo info = store.node(WatchSet.NONE, name).value();
        if (info == null) {
            return;
        }
        for (NodeService s : info.services()) {
            if (s.id().equals("consul") && replicator.peers().contains(info.node().address() + ":" + s.port())) {
                LOG.info("member {} was reaped but is still a Raft server: keeping its node", name);
                return;
            }
        }
        LOG.info("member {} was reaped: deregistering its node", name);
        apply(new Command.CatalogDeregister(name, null, null));
    }

    private static int parsePort(String p) {
        try {
            return p == null ? 0 : Integer.parseInt(p);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void apply(Command c) {
        try {
            io.roster.state.ApplyResult r = server.catalog(c).get(15, TimeUnit.SECONDS);
            if (r instanceof ApplyError e) {
                LOG.warn("reconcile write refused: {}", e.message());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("reconcile write failed: " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        periodic.cancel(false);
        worker.shutdownNow();
    }
}
