package io.roster.agent.lan;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.roster.agent.AgentConfig;
import io.roster.agent.Version;
import io.roster.api.Json;
import io.roster.api.NodeService;
import io.roster.gossip.Gossip;
import io.roster.gossip.GossipConfig;
import io.roster.gossip.GossipException;
import io.roster.gossip.KeyStatus;
import io.roster.gossip.Listener;
import io.roster.gossip.Member;
import io.roster.gossip.UserEvent;
import io.roster.gossip.transport.UdpTcpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's LAN gossip member. Created bound (so a port clash fails the agent at once), started
 * with the agent once its HTTP port is known (the {@code http} tag).
 */
public final class LanPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LanPool.class);
    /** Consul keeps the last 256 user events per agent. */
    public static final int EVENTS_KEPT = 256;
    /** The watch topic {@code /v1/event/list} blocks on. */
    public static final String EVENTS_TOPIC = "gossip/events";
    /** Default LAN gossip port for addresses given without one. */
    public static final int DEFAULT_PORT = 8301;

    /** A user event as Consul shows it ({@code /v1/event/fire}, {@code /v1/event/list}). */
    public record Event(@JsonProperty("ID") String id,
                        @JsonProperty("Name") String name,
                        @JsonProperty("Payload") byte[] payload,
                        @JsonProperty("NodeFilter") String nodeFilter,
                        @JsonProperty("ServiceFilter") String serviceFilter,
                        @JsonProperty("TagFilter") String tagFilter,
                        @JsonProperty("Version") int version,
                        @JsonProperty("LTime") long ltime) {
        public Event withLtime(long l) {
            return new Event(id, name, payload, nodeFilter, serviceFilter, tagFilter, version, l);
        }

        /** Consul's event index: the ID's two halves XOR-ed (a hash of the last event's ID). */
        public long index() {
            try {
                UUID u = UUID.fromString(id);
                return u.getMostSignificantBits() ^ u.getLeastSignificantBits();
            } catch (IllegalArgumentException e) {
                return id.hashCode();
            }
        }
    }

    /** The events' wire form inside a gossip user event (the name travels beside it). */
    private record Wire(@JsonProperty("ID") String id, @JsonProperty("Payload") byte[] payload,
                        @JsonProperty("NodeFilter") String nodeFilter, @JsonProperty("ServiceFilter") String serviceFilter,
                        @JsonProperty("TagFilter") String tagFilter, @JsonProperty("Version") int version) {
    }

    /** One pool's keyring view as {@code /v1/operator/keyring} lists it. */
    public record KeyringView(@JsonProperty("WAN") boolean wan, @JsonProperty("Datacenter") String datacenter,
                              @JsonProperty("Segment") String segment, @JsonProperty("Keys") Map<String, Integer> keys,
                              @JsonProperty("PrimaryKeys") Map<String, Integer> primaryKeys,
                              @JsonProperty("NumNodes") int numNodes) {
    }

    private final AgentConfig config;
    private final String nodeId;
    private final UdpTcpTransport transport;
    private final ScheduledExecutorService scheduler;
    private final Supplier<Map<String, NodeService>> localServices;
    private final Runnable eventsChanged;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private volatile Gossip gossip;
    /** Join retries run every RETRY_INTERVAL until one address answers: logged with a rate limit. */
    private final io.roster.agent.util.RateLimitedLog joinFailures = new io.roster.agent.util.RateLimitedLog(LOG,
            org.slf4j.event.Level.WARN, Duration.ofMinutes(1));
    private volatile boolean closed;

    /**
     * Binds the gossip port now ({@code bind_addr}, advertising {@code advertise_addr}: the bind address,
     * or the detected private address when bound to the wildcard).
     *
     * @param localServices this agent's services, for the event filters
     * @param eventsChanged told (on the gossip loop: return at once) when an event was kept
     */
    public LanPool(AgentConfig config, String nodeId, ScheduledExecutorService scheduler,
                   Supplier<Map<String, NodeService>> localServices, Runnable eventsChanged) throws IOException {
        this.config = config;
        this.nodeId = nodeId;
        this.scheduler = scheduler;
        this.localServices = localServices;
        this.eventsChanged = eventsChanged;
        this.transport = bind(config);
    }

    /**
     * Binds the gossip port. When the port was derived rather than set ({@code serf_lan} absent)
     * and is taken, a free port is used instead, with a warning: members learn each other's real
     * address through gossip, so only joins aimed at the derived port miss this agent.
     */
    private static UdpTcpTransport bind(AgentConfig config) throws IOException {
        try {
            return UdpTcpTransport.bind(config.bindAddr(), config.gossipPort(), advertiseHost(config));
        } catch (java.net.BindException e) {
            if (config.serfLanPort() >= 0 || config.gossipPort() == 0) {
                throw e;
            }
            LOG.warn("gossip: port {} is taken ({}); using a free port instead (set ports.serf_lan / -serf-lan-port to choose one)",
                    config.gossipPort(), e.getMessage());
            return UdpTcpTransport.bind(config.bindAddr(), 0, advertiseHost(config));
        }
    }

    /** The host other agents reach this one at: the resolved advertise address. */
    public static String advertiseHost(AgentConfig config) {
        return config.advertiseAddr();
    }

    /** Adds a membership/event listener (called on the gossip loop). Add before {@link #start}. */
    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** The tags this agent publishes: role, dc, id, port (servers), http, dns (servers), vsn, build. */
    public Map<String, String> tags(int httpPort, int dnsPort) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("role", config.server() ? "consul" : "node");
        t.put("dc", config.datacenter());
        t.put("segment", "");
        t.put("id", nodeId);
        if (config.server()) {
            t.put("port", Integer.toString(config.serverPort()));
            t.put("raft_vsn", "3");
            if (config.bootstrapExpect() > 0) {
                t.put("expect", Integer.toString(config.bootstrapExpect()));
            }
            if (config.membership().bootstrap()) {
                t.put("bootstrap", "1");
            }
        }
        String httpHost = config.network().reachable(config.network().httpAddrs().get(0));
        t.put("http", httpHost + ":" + httpPort);
        if (config.server() && dnsPort > 0) {
            t.put("dns", Integer.toString(dnsPort)); // Roster's own: where client agents forward DNS questions
        }
        t.put("vsn", "2");
        t.put("vsn_min", "2");
        t.put("vsn_max", "3");
        t.put("build", Version.CONSUL_API + ":" + Version.REVISION);
        return t;
    }

    /**
     * Starts the member with its tags, then (in the background) joins {@code joinAddresses} until one
     * answers: every {@code retry_interval}, at most {@code retry_max} times (0: for ever), after
     * which {@code gaveUp} runs (the agent stops, as Consul's does).
     */
    public void start(int httpPort, int dnsPort, List<String> joinAddresses, Runnable gaveUp) throws IOException {
        GossipConfig.Builder b = GossipConfig.lan(config.nodeName()).toBuilder().tags(tags(httpPort, dnsPort))
                .userEventSizeLimit(1024);
        if (config.encrypt() != null) {
            b.encryptKey(config.encrypt());
        }
        Gossip g = Gossip.create(b.build(), transport, new Fanout());
        g.start();
        gossip = g;
        LOG.info("gossip: LAN member {} on {} (encrypted: {})", config.nodeName(), g.address(), config.encrypt() != null);
        if (!joinAddresses.isEmpty()) {
            scheduler.execute(() -> retryJoin(joinAddresses, 1, gaveUp));
        }
    }

    /** Starts the member with its tags and joins {@code joinAddresses} until one answers, for ever. */
    public void start(int httpPort, int dnsPort, List<String> joinAddresses) throws IOException {
        start(httpPort, dnsPort, joinAddresses, () -> { });
    }

    private void retryJoin(List<String> addresses, int attempt, Runnable gaveUp) {
        if (closed) {
            return;
        }
        Duration interval = config.membership().retryInterval();
        int max = config.membership().retryMax();
        try {
            int n = join(addresses);
            joinFailures.recovered("gossip: join retries succeeded");
            LOG.info("gossip: joined the LAN pool through {} of {}", n, addresses);
        } catch (RuntimeException e) {
            if (max > 0 && attempt >= max) {
                LOG.error("gossip: join {} failed {} times (retry_max), giving up: {}", addresses, attempt, e.getMessage());
                gaveUp.run();
                return;
            }
            // One line per attempt, at most one per retry_interval (30 s by default): not a flood.
            joinFailures.log("gossip: join {} failed (attempt {}), retrying in {}: {}", addresses, attempt,
                    io.roster.api.Durations.format(interval), e.getMessage());
            if (!closed) {
                scheduler.schedule(() -> retryJoin(addresses, attempt + 1, gaveUp), interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The gossip member's counters since it started, or null before it starts. */
    /**
     * This member's network coordinate (Vivaldi, from its probes' round trips), in the API's form;
     * null before the pool starts.
     */
    public io.roster.api.Coordinate coordinate() {
        Gossip g = gossip;
        if (g == null) {
            return null;
        }
        io.roster.gossip.coordinate.Coordinate c = g.coordinate();
        List<Double> vec = new java.util.ArrayList<>();
        for (double d : c.vec()) {
            vec.add(d);
        }
        return new io.roster.api.Coordinate(vec, c.error(), c.adjustment(), c.height());
    }

    public io.roster.gossip.GossipStats stats() {
        Gossip g = gossip;
        return g == null ? null : g.stats();
    }

    /** Adds the default LAN port to an address given as a bare host. */
    public static String withPort(String address, int defaultPort) {
        String a = address.trim();
        if (a.startsWith("[")) {
            return a.contains("]:") ? a : a + ":" + defaultPort;
        }
        return a.indexOf(':') >= 0 && a.indexOf(':') == a.lastIndexOf(':') ? a : a + ":" + defaultPort;
    }

    /** Joins through these addresses (host or host:port, 8301 by default); how many answered. Throws when none did. */
    public int join(List<String> addresses) {
        List<String> full = new ArrayList<>();
        for (String a : addresses) {
            full.add(withPort(a, DEFAULT_PORT));
        }
        return running().join(full);
    }

    private Gossip running() {
        Gossip g = gossip;
        if (g == null) {
            throw new GossipException("gossip: not started");
        }
        return g;
    }

    /** Every member this agent knows, itself included; empty before start. */
    public List<Member> members() {
        Gossip g = gossip;
        return g == null ? List.of() : g.members();
    }

    /** Marks a member as left; false when unknown. */
    public boolean forceLeave(String node, boolean prune) {
        return running().forceLeave(node, prune);
    }

    /** The graceful gossip leave: others see "left", not "failed". */
    public void leave() {
        Gossip g = gossip;
        if (g != null) {
            try {
                g.leave(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("gossip: leave did not finish: {}", e.getMessage());
            }
        }
    }

    /** Fires a user event to the pool (delivered here too); answers it as Consul does. */
    public Event fire(String name, byte[] payload, String nodeFilter, String serviceFilter, String tagFilter) {
        for (String f : new String[] {nodeFilter, serviceFilter, tagFilter}) {
            if (f != null && !f.isEmpty()) {
                try {
                    Pattern.compile(f);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("invalid filter regexp '" + f + "': " + e.getDescription());
                }
            }
        }
        if (tagFilter != null && !tagFilter.isEmpty() && (serviceFilter == null || serviceFilter.isEmpty())) {
            throw new IllegalArgumentException("cannot provide tag filter without service filter");
        }
        Wire w = new Wire(UUID.randomUUID().toString(), payload, nz(nodeFilter), nz(serviceFilter), nz(tagFilter), 1);
        byte[] encoded;
        try {
            encoded = Json.mapper().writeValueAsBytes(w);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            running().fireEvent(name, encoded);
        } catch (GossipException e) {
            if (e.getMessage() != null && e.getMessage().contains("exceeds")) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^gossip: ", ""));
            }
            throw e;
        }
        return new Event(w.id(), name, payload, w.nodeFilter(), w.serviceFilter(), w.tagFilter(), 1, 0);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** The events kept here, oldest first, optionally only those named {@code name}. */
    public synchronized List<Event> events(String name) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (name == null || name.isEmpty() || e.name().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private void received(UserEvent ue) {
        Wire w;
        try {
            w = Json.mapper().readValue(ue.payload(), Wire.class);
        } catch (IOException e) {
            LOG.debug("gossip: ignoring a user event that is not Consul-shaped: {}", e.getMessage());
            return;
        }
        if (!accepts(w)) {
            return;
        }
        Event e = new Event(w.id(), ue.name(), w.payload(), nz(w.nodeFilter()), nz(w.serviceFilter()), nz(w.tagFilter()),
                w.version(), ue.ltime());
        synchronized (this) {
            events.addLast(e);
            while (events.size() > EVENTS_KEPT) {
                events.removeFirst();
            }
        }
        eventsChanged.run();
    }

    /** Consul's filters: the node name must match, and some local service (with some tag) must match. */
    private boolean accepts(Wire w) {
        try {
            if (w.nodeFilter() != null && !w.nodeFilter().isEmpty()
                    && !Pattern.compile(w.nodeFilter()).matcher(config.nodeName()).find()) {
                return false;
            }
            if (w.serviceFilter() != null && !w.serviceFilter().isEmpty()) {
                Pattern svc = Pattern.compile(w.serviceFilter());
                Pattern tag = w.tagFilter() == null || w.tagFilter().isEmpty() ? null : Pattern.compile(w.tagFilter());
                for (NodeService s : localServices.get().values()) {
                    if (!svc.matcher(s.service()).find()) {
                        continue;
                    }
                    if (tag == null || s.tags().stream().anyMatch(t -> tag.matcher(t).find())) {
                        return true;
                    }
                }
                return false;
            }
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** The keyring as {@code GET /v1/operator/keyring} lists it (the LAN pool only). */
    public List<KeyringView> keyring() {
        if (!encrypted()) {
            throw new GossipException("keyring: gossip encryption is not enabled (no encrypt key)");
        }
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
        return List.of(new KeyringView(false, config.datacenter(), "", held, primary, total));
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

    /** Whether gossip encryption is on. */
    public boolean encrypted() {
        return config.encrypt() != null;
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

    /** Hands every callback to the listeners; user events are also kept here. */
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

        @Override
        public void onUserEvent(UserEvent e) {
            received(e);
            listeners.forEach(l -> l.onUserEvent(e));
        }
    }
}
