package io.roster.agent.wan;

import io.roster.agent.AgentConfig;
import io.roster.agent.Version;
import io.roster.gossip.Gossip;
import io.roster.gossip.GossipConfig;
import io.roster.gossip.GossipException;
import io.roster.gossip.KeyStatus;
import io.roster.gossip.Listener;
import io.roster.gossip.Member;
import io.roster.gossip.transport.UdpTcpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's seat in the WAN gossip pool: the servers of every datacenter, each named
 * {@code <node>.<datacenter>}, on {@code ports.serf_wan} (8302) with memberlist's WAN timings.
 * Its tags say the datacenter and the server port ({@code dc}, {@code port}), which is all that
 * forwarding to another datacenter needs ({@link WanRouter}); its probes feed the Vivaldi
 * coordinates that order {@code /v1/catalog/datacenters}. Same shape as the LAN pool
 * ({@link io.roster.agent.lan.LanPool}), without user events.
 */
public final class WanPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WanPool.class);
    /** Default WAN gossip port for addresses given without one. */
    public static final int DEFAULT_PORT = 8302;

    private final AgentConfig config;
    private final String nodeId;
    private final UdpTcpTransport transport;
    private final ScheduledExecutorService scheduler;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final io.roster.agent.util.RateLimitedLog joinFailures = new io.roster.agent.util.RateLimitedLog(LOG,
            org.slf4j.event.Level.WARN, Duration.ofMinutes(1));
    private volatile Gossip gossip;
    private volatile boolean closed;

    /** Binds the WAN port now ({@code bind_addr}, advertising {@code advertise_addr_wan}). */
    public WanPool(AgentConfig config, String nodeId, ScheduledExecutorService scheduler) throws IOException {
        this.config = config;
        this.nodeId = nodeId;
        this.scheduler = scheduler;
        this.transport = bind(config);
    }

    /**
     * Binds the WAN port. The default port (8302) when taken is replaced by a free one, with a
     * warning, as the LAN pool does for its derived port: several servers on one machine (tests)
     * still start, and other datacenters learn the real port through gossip; only a join aimed at
     * 8302 misses this server. Any other port that is taken fails the agent.
     */
    private static UdpTcpTransport bind(AgentConfig config) throws IOException {
        try {
            return UdpTcpTransport.bind(config.bindAddr(), config.serfWanPort(), config.advertiseAddrWan());
        } catch (java.net.BindException e) {
            if (config.serfWanPort() != DEFAULT_PORT) {
                throw e;
            }
            LOG.warn("gossip: WAN port {} is taken ({}); using a free port instead (set ports.serf_wan / -serf-wan-port to choose one)",
                    DEFAULT_PORT, e.getMessage());
            return UdpTcpTransport.bind(config.bindAddr(), 0, config.advertiseAddrWan());
        }
    }

    /** This server's name in the WAN pool: {@code <node>.<datacenter>}, as Consul names it. */
    public static String memberName(String node, String datacenter) {
        return node + "." + datacenter;
    }

    /** Adds a membership listener (called on the gossip loop). Add before {@link #start}. */
    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** The tags a server publishes in the WAN pool (Consul's: role, dc, id, port, vsn, build). */
    Map<String, String> tags() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("role", "consul");
        t.put("dc", config.datacenter());
        t.put("segment", "");
        t.put("id", nodeId);
        t.put("port", Integer.toString(config.serverPort()));
        t.put("raft_vsn", "3");
        t.put("vsn", "2");
        t.put("vsn_min", "2");
        t.put("vsn_max", "3");
        t.put("build", Version.CONSUL_API + ":" + Version.REVISION);
        return t;
    }

    /**
     * Starts the member, then joins {@code start_join_wan} once (none answering throws, the agent
     * stops, as Consul's) and {@code retry_join_wan} in the background until one answers.
     */
    public void start() throws IOException {
        GossipConfig.Builder b = (config.dev() ? GossipConfig.local(memberName(config.nodeName(), config.datacenter()))
                : GossipConfig.wan(memberName(config.nodeName(), config.datacenter()))).toBuilder().tags(tags());
        if (config.encrypt() != null) {
            b.encryptKey(config.encrypt());
        }
        Gossip g = Gossip.create(b.build(), transport, new Fanout());
        g.start();
        gossip = g;
        LOG.info("gossip: WAN member {} on {}", memberName(config.nodeName(), config.datacenter()), g.address());
        AgentConfig.Wan wan = config.membership().wan();
        if (!wan.startJoin().isEmpty()) {
            try {
                int n = join(wan.startJoin());
                LOG.info("gossip: joined {} of {} (start_join_wan)", n, wan.startJoin());
            } catch (RuntimeException e) {
                throw new IllegalStateException("Error joining WAN address(es) " + wan.startJoin() + ": " + e.getMessage(), e);
            }
        }
        List<String> retry = new ArrayList<>();
        for (String a : wan.retryJoin()) {
            String full = io.roster.agent.lan.LanPool.withPort(a, DEFAULT_PORT);
            if (!full.equals(address())) {
                retry.add(full);
            }
        }
        if (!retry.isEmpty()) {
            scheduler.execute(() -> retryJoin(retry, 1));
        }
    }

    private void retryJoin(List<String> addresses, int attempt) {
        if (closed) {
            return;
        }
        Duration interval = config.membership().wan().retryInterval();
        try {
            int n = join(addresses);
            joinFailures.recovered("gossip: WAN join retries succeeded");
            LOG.info("gossip: joined the WAN pool through {} of {}", n, addresses);
        } catch (RuntimeException e) {
            joinFailures.log("gossip: WAN join {} failed (attempt {}), retrying in {}: {}", addresses, attempt,
                    io.roster.api.Durations.format(interval), e.getMessage());
            if (!closed) {
                scheduler.schedule(() -> retryJoin(addresses, attempt + 1), interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Joins through these WAN addresses (host or host:port, 8302 by default); how many answered. Throws when none did. */
    public int join(List<String> addresses) {
        List<String> full = new ArrayList<>();
        for (String a : addresses) {
            full.add(io.roster.agent.lan.LanPool.withPort(a, DEFAULT_PORT));
        }
        return running().join(full);
    }

    private Gossip running() {
        Gossip g = gossip;
        if (g == null) {
            throw new GossipException("gossip: WAN pool not started");
        }
        return g;
    }

    /** Every WAN member known, this server included; empty before start. */
    public List<Member> members() {
        Gossip g = gossip;
        return g == null ? List.of() : g.members();
    }

    /** This member's WAN coordinate, or null before start. */
    public io.roster.gossip.coordinate.Coordinate coordinate() {
        Gossip g = gossip;
        return g == null ? null : g.coordinate();
    }

    /** The coordinates learnt from WAN probes, by member name. */
    public Map<String, io.roster.gossip.coordinate.Coordinate> peerCoordinates() {
        Gossip g = gossip;
        return g == null ? Map.of() : g.peerCoordinates();
    }

    /** Marks a WAN member ({@code <node>.<dc>}) as left; false when unknown. */
    public boolean forceLeave(String node, boolean prune) {
        return running().forceLeave(node, prune);
    }

    /** The graceful WAN leave. */
    public void leave() {
        Gossip g = gossip;
        if (g != null) {
            try {
                g.leave(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("gossip: WAN leave did not finish: {}", e.getMessage());
            }
        }
    }

    /** The WAN keyring as {@code GET /v1/operator/keyring} lists it ({@code WAN: true}). */
    public io.roster.agent.lan.LanPool.KeyringView keyring() {
        List<KeyStatus> keys = running().keyring().list();
        Map<String, Integer> held = new LinkedHashMap<>();
        Map<String, Integer> primary = new LinkedHashMap<>();
        int total = 0;
        for (KeyStatus k : keys) {
            held.put(k.key(), k.members());
            if (k.primaryMembers() > 0) {
                primary.put(k.key(), k.primaryMembers());
            }
            total = Math.max(total, k.totalMembers());
        }
        return new io.roster.agent.lan.LanPool.KeyringView(true, config.datacenter(), "", held, primary, total);
    }

    public void installKey(String key) {
        running().keyring().install(key);
    }

    public void useKey(String key) {
        running().keyring().use(key);
    }

    public void removeKey(String key) {
        running().keyring().remove(key);
    }

    /** {@code host:port} others reach this member at. */
    public String address() {
        return transport.host() + ":" + transport.port();
    }

    /** The WAN port bound. */
    public int port() {
        return transport.port();
    }

    @Override
    public void close() {
        closed = true;
        Gossip g = gossip;
        if (g != null) {
            g.shutdown();
        } else {
            transport.close();
        }
    }

    private final class Fanout implements Listener {
        @Override
        public void onJoin(Member m) {
            listeners.forEach(l -> l.onJoin(m));
        }

        @Override
        public void onUpdate(Member m) {
            listeners.forEach(l -> l.onUpdate(m));
        }

        @Override
        public void onFail(Member m) {
            listeners.forEach(l -> l.onFail(m));
        }

        @Override
        public void onLeave(Member m) {
            listeners.forEach(l -> l.onLeave(m));
        }

        @Override
        public void onReap(Member m) {
            listeners.forEach(l -> l.onReap(m));
        }
    }
}
