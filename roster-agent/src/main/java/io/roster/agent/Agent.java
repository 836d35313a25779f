package io.roster.agent;

import io.roster.agent.checks.CheckRunners;
import io.roster.agent.config.LoadedConfig;
import io.roster.agent.http.HttpServer;
import io.roster.agent.local.AntiEntropy;
import io.roster.agent.local.LocalState;
import io.roster.agent.server.StateServer;
import io.roster.api.CheckDefinition;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.ServiceDefinition;
import io.roster.state.LocalReplicator;
import io.roster.state.Replicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Roster agent process: the store, the replicator (in-memory in dev mode), the server duties
 * (with the leader's reconciliation of gossip members), the LAN gossip member, this machine's
 * services and checks with their runners and anti-entropy, the HTTP API and DNS.
 *
 * <p>A client agent (neither {@code -server} nor {@code -dev}) has no Raft: its store only backs
 * local watches, anti-entropy writes through the server RPC (the server port, never a server's
 * HTTP address), and HTTP and DNS questions that are not its own are forwarded over the same RPC
 * to the servers it learns from gossip.
 * Start with {@link #start()}, stop with {@link #close()}.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    /** This node's ID: {@code node_id}, or the one kept in {@code <data_dir>/node-id} (generated on first start). */
    private final String nodeId;
    /** The Raft replicator of a server (null in dev mode and on client agents). */
    private io.roster.server.RaftReplicator raft;
    /** Bootstrap and autopilot of a server's Raft cluster from gossip (null in dev mode and on client agents). */
    private final io.roster.agent.server.RaftMembership raftMembership;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService wake;
    private final Store store = new Store();
    private final io.roster.agent.metrics.AgentMetrics metrics = new io.roster.agent.metrics.AgentMetrics();
    private final Replicator replicator;
    private volatile StateServer server;
    private final CheckRunners runners;
    private final LocalState local;
    private final AntiEntropy antiEntropy;
    /** Sends this agent's network coordinate to the servers (started with the gossip pool). */
    private volatile io.roster.agent.coordinate.CoordinateSync coordinateSync;
    private final HttpServer http;
    /** This agent's LAN gossip member (every agent has one). */
    private final io.roster.agent.lan.LanPool pool;
    /** A server's WAN gossip member (servers of every datacenter); null on a client agent or with {@code serf_wan = -1}. */
    private final io.roster.agent.wan.WanPool wanPool;
    /** A server's forwarding to other datacenters over the WAN pool; null when {@link #wanPool} is. */
    private final io.roster.agent.wan.WanRouter wanRouter;
    /** Leader reconciliation of gossip members into the catalog; null on a client agent. */
    private final io.roster.agent.server.Reconciler reconciler;
    /** The servers a client agent forwards to; null on a server. */
    private final io.roster.agent.client.ServerList servers;
    /** A client agent's server RPC (forwarding, anti-entropy, DNS); null on a server. */
    private final io.roster.agent.rpc.RpcClient rpc;
    /** A server's side of the server RPC, served on the Raft port (dev: on its own); null on a client. */
    private final io.roster.agent.rpc.RpcService rpcService;
    /** A dev agent's own gRPC server for the server RPC (no Ratis to share); else null. */
    private final io.roster.agent.rpc.RpcServer devRpc;
    /** The server port's TLS material ({@code tls.internal_rpc}), or null when the server port is plaintext. */
    private final io.roster.agent.tls.TlsContext rpcTls;
    /** Null when DNS is off ({@code ports.dns = -1}); the first of {@link #dnsServers}. */
    private final io.roster.agent.dns.DnsServer dns;
    /** One DNS server per DNS address; the ones after the first are created once its port is known. */
    private final List<io.roster.agent.dns.DnsServer> dnsServers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Supplier<LoadedConfig> configSource;
    /** Services and node checks that came from configuration (reload may remove them; API ones stay). */
    private final Set<String> configServices = new LinkedHashSet<>();
    private final Set<String> configChecks = new LinkedHashSet<>();

    /** An agent with no configuration files (services and checks only through the API). */
    public Agent(AgentConfig config) {
        this(config, () -> new LoadedConfig(config, List.of(), List.of()));
    }

    /**
     * An agent whose services and checks come from {@code configSource}, read now and again on
     * reload (SIGHUP, {@code /v1/agent/reload}); the source throws when the files are broken.
     */
    public Agent(AgentConfig config, Supplier<LoadedConfig> configSource) {
        if (config.server() && !config.dev() && config.dataDir() == null) {
            throw new IllegalArgumentException("a server needs -data-dir for its Raft log and snapshots");
        }
        config.advertiseAddr(); // a wildcard bind finds its address now: none or several stops the agent (as Consul)
        this.rpcService = config.server() ? new io.roster.agent.rpc.RpcService() : null;
        io.roster.agent.rpc.RpcServer dev = null;
        if (config.dev()) {
            String wanted = hostPort(config.advertiseAddr(), config.serverPort());
            try {
                dev = io.roster.agent.rpc.RpcServer.start(wanted.substring(0, wanted.lastIndexOf(':')),
                        config.serverPort(), true, rpcService.definition());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot bind the server RPC port " + wanted + ": " + e.getMessage(), e);
            }
            if (dev.port() != config.serverPort()) {
                // Another process has the port (tests run several dev agents): the port actually bound is
                // the one the catalog's "consul" service, /v1/status/* and the gossip tags name.
                config = config.toBuilder().serverPort(dev.port()).build();
            }
        }
        this.devRpc = dev;
        this.config = config;
        store.kvHistoryVersions(config.kvHistoryVersions());
        this.configSource = configSource;
        this.nodeId = nodeId(config);
        // Read before anything starts: a certificate problem stops the agent with one line, nothing to undo.
        this.rpcTls = config.tls().rpcTls() && !config.dev()
                ? io.roster.agent.tls.TlsContext.load(config.tls().internalRpc(), serverName(config)) : null;
        this.scheduler = new ScheduledThreadPoolExecutor(2, named("roster-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        int cores = Runtime.getRuntime().availableProcessors();
        this.wake = Executors.newFixedThreadPool(Math.max(2, cores), named("roster-wake"));
        this.replicator = new io.roster.agent.metrics.MeteredReplicator(newReplicator(), metrics);
        this.server = new StateServer(replicator, config.sessionTtlMin(), scheduler, System::nanoTime);
        // A check result: runner -> metrics, then local state -> anti-entropy (listeners wired below,
        // before any check can start: checks start when services and checks are registered).
        this.runners = new CheckRunners(scheduler, new CheckRunners.Options(
                config.enableScriptChecks() || config.enableLocalScriptChecks(), config.checkOutputMaxSize(), this::aliasStatus));
        this.local = new LocalState(config.nodeName(), config.datacenter(), runners, store.watches(), System::nanoTime);
        runners.onResult((id, status, output) -> metrics.checkUpdate(status));
        runners.onResult(local::updateCheck);
        try {
            this.pool = new io.roster.agent.lan.LanPool(config, nodeId, scheduler, local::services,
                    () -> store.watches().topicChanged(io.roster.agent.lan.LanPool.EVENTS_TOPIC));
        } catch (java.io.IOException e) {
            if (devRpc != null) {
                devRpc.close();
            }
            replicator.close();
            scheduler.shutdownNow();
            wake.shutdownNow();
            throw new java.io.UncheckedIOException("cannot bind the LAN gossip port " + config.bindAddr() + ":"
                    + config.gossipPort() + ": " + e.getMessage(), e);
        }
        io.roster.agent.wan.WanPool wp = null;
        if (config.server() && config.serfWanPort() >= 0) {
            try {
                wp = new io.roster.agent.wan.WanPool(config, nodeId, scheduler);
            } catch (java.io.IOException e) {
                pool.close();
                if (devRpc != null) {
                    devRpc.close();
                }
                replicator.close();
                scheduler.shutdownNow();
                wake.shutdownNow();
                throw new java.io.UncheckedIOException("cannot bind the WAN gossip port " + config.bindAddr() + ":"
                        + config.serfWanPort() + ": " + e.getMessage(), e);
            }
        }
        this.wanPool = wp;
        this.wanRouter = wp == null ? null
                : new io.roster.agent.wan.WanRouter(wp, config.datacenter(), rpcTls, config.tls().internalRpc());
        if (config.server()) {
            this.servers = null;
            this.rpc = null;
            this.reconciler = new io.roster.agent.server.Reconciler(server, config.datacenter(), pool::members, scheduler);
            pool.addListener(reconciler);
            if (raft != null) {
                boolean alone = config.membership().bootstrap()
                        || config.bootstrapExpect() == 0 && config.retryJoin().isEmpty() && config.membership().startJoin().isEmpty();
                this.raftMembership = new io.roster.agent.server.RaftMembership(raft, pool::members, config.datacenter(), nodeId,
                        config.bootstrapExpect(), alone, scheduler);
                pool.addListener(raftMembership);
                io.roster.agent.metrics.LeaderContact.start(metrics.consul(), replicator, scheduler, java.time.Duration.ofMillis(500));
            } else {
                this.raftMembership = null;
            }
            this.antiEntropy = new AntiEntropy(selfNode(), local, server, scheduler, config.checkUpdateInterval(),
                    Set.of("consul"), Set.of(StateServer.SERF_HEALTH), System::nanoTime);
        } else {
            this.reconciler = null;
            this.raftMembership = null;
            this.servers = new io.roster.agent.client.ServerList(pool::members, config.datacenter());
            this.rpc = new io.roster.agent.rpc.RpcClient(servers, rpcTls, config.tls().internalRpc());
            this.antiEntropy = new AntiEntropy(selfNode(), local,
                    new io.roster.agent.client.RemoteCatalog(rpc, config.datacenter()).withToken(this::agentToken), scheduler,
                    config.checkUpdateInterval(), Set.of(), Set.of(StateServer.SERF_HEALTH), System::nanoTime);
            pool.addListener(new io.roster.gossip.Listener() {
                @Override
                public void onJoin(io.roster.gossip.Member m) {
                    if ("consul".equals(m.tags().get("role"))) {
                        antiEntropy.trigger(); // a server to sync with
                    }
                }
            });
        }
        local.onChange(antiEntropy::trigger);
        this.http = new HttpServer(config, nodeId, server, local, new HttpServer.Reloader() {
            @Override
            public String reload() {
                return Agent.this.reload();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> leave() {
                return Agent.this.leave();
            }
        }, metrics, scheduler, wake, pool, rpc, wanRouter);
        http.syncChangesWith(antiEntropy::syncNow);
        // A client agent's store is not the catalog: its DNS asks a server's resolver over the server RPC.
        this.dns = config.dnsPort() < 0 ? null : dnsServer(config.network().dnsAddrs().get(0), config.dnsPort());
        if (rpcService != null) {
            rpcService.bindAcl(http.aclResolver()::effective);
            rpcService.bind(http.local(), io.roster.agent.dns.DnsServer.resolver(config, store, remoteDns(),
                    http.aclResolver()));
        }
    }

    /** A server's DNS questions about other datacenters: asked of a server there over the WAN; null without WAN. */
    private io.roster.agent.dns.RemoteDns remoteDns() {
        if (wanRouter == null) {
            return null;
        }
        java.time.Duration timeout = io.roster.agent.dns.DnsConfig.parse(config.dnsConfig()).recursorTimeout();
        io.roster.agent.wan.WanFailover failover = new io.roster.agent.wan.WanFailover(wanRouter);
        return new io.roster.agent.dns.RemoteDns() {
            @Override
            public boolean knows(String dc) {
                return wanRouter.reachable(dc);
            }

            @Override
            public byte[] exchange(String dc, byte[] q, boolean tcp) {
                return wanRouter.dns(dc, q, tcp, timeout);
            }

            @Override
            public io.roster.agent.query.PreparedQueries.Failover failover() {
                return failover;
            }
        };
    }

    private io.roster.agent.dns.DnsServer dnsServer(String address, int port) {
        java.time.Duration timeout = io.roster.agent.dns.DnsConfig.parse(config.dnsConfig()).recursorTimeout();
        io.roster.agent.dns.DnsServer d = new io.roster.agent.dns.DnsServer(config, store, address, port,
                config.server() ? null : (q, tcp) -> rpc.dns(q, tcp, timeout, clientDefaultToken()), remoteDns());
        if (config.server() && config.acl().enabled()) {
            d.useAcl(http.aclResolver()); // the default token set at run time applies to DNS at once
        }
        dnsServers.add(d);
        return d;
    }

    /** The name a server's certificate carries, checked with {@code verify_server_hostname}: {@code server.<dc>.<domain>}. */
    private static String serverName(AgentConfig config) {
        String d = config.domain();
        return "server." + config.datacenter() + "." + (d.endsWith(".") ? d.substring(0, d.length() - 1) : d);
    }

    /** This server's Raft address as others reach it: the advertise address and the server port. */
    private String serverAddress() {
        return hostPort(config.advertiseAddr(), config.serverPort());
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * This node's ID: {@code node_id} when set; otherwise the one in {@code <data_dir>/node-id}, written
     * there (a random UUID) on first start, as Consul does; random per run without a data directory.
     */
    static String nodeId(AgentConfig config) {
        if (config.membership().nodeId() != null) {
            return config.membership().nodeId();
        }
        if (config.dev() || config.dataDir() == null) {
            return UUID.randomUUID().toString();
        }
        java.nio.file.Path file = config.dataDir().resolve("node-id");
        try {
            if (java.nio.file.Files.exists(file)) {
                String id = java.nio.file.Files.readString(file).trim().toLowerCase(java.util.Locale.ROOT);
                try {
                    UUID.fromString(id);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid node ID in " + file + ": '" + id + "' is not a UUID");
                }
                return id;
            }
            String id = UUID.randomUUID().toString();
            java.nio.file.Files.createDirectories(config.dataDir());
            java.nio.file.Path tmp = config.dataDir().resolve("node-id.tmp");
            java.nio.file.Files.writeString(tmp, id);
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot keep the node ID in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Dev mode: one in-memory server. Server mode: Apache Ratis, listening on the server port at
     * once, with the Raft group recovered from the data directory or, on a new server, created or
     * received later through {@link io.roster.agent.server.RaftMembership} (servers found by gossip).
     */
    private Replicator newReplicator() {
        if (config.dev() || !config.server()) {
            // A client agent's store only backs its local watches; it is never served as the catalog.
            return new LocalReplicator(store, serverAddress());
        }
        try {
            io.roster.server.RaftReplicator r = io.roster.server.RaftReplicator.discovering(store, nodeId, serverAddress(),
                    config.bindAddr(), config.dataDir(), config.raftSnapshotThreshold(), config.datacenter(),
                    rpcService == null ? List.of() : List.of(rpcService.definition()),
                    rpcTls == null ? null : new io.roster.server.RaftReplicator.Tls(rpcTls.keyManager(), rpcTls.trustManager(),
                            config.tls().internalRpc().verifyIncoming(),
                            List.of(io.roster.agent.tls.TlsSettings.protocolsFrom(config.tls().internalRpc().minVersion())),
                            config.tls().internalRpc().cipherSuites()));
            r.onLeaderChange(this::leaderChanged);
            raft = r;
            return r.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot start Raft in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** Leader duties move with the leader: session timers are re-armed (reset, as in Consul). */
    private void leaderChanged() {
        Replicator rep = replicator; // null while the constructor is still starting Raft
        if (rep != null && rep.isLeader()) {
            metrics.becameLeader();
            if (config.server() && !config.dev() && !registered.get()) {
                scheduler.execute(this::registerServerWhenPossible); // a new leader registers itself at once
            }
        }
        StateServer s = server;
        if (s != null) {
            scheduler.execute(s::armAllTimers);
        }
        io.roster.agent.server.Reconciler r = reconciler;
        if (r != null) {
            r.reconcileAll();
        }
    }

    /** The agent token a client agent's anti-entropy sends to servers ({@code acl.tokens.agent}). */
    /** A client agent's default ACL token as set now (its DNS questions are answered as it); "" for none. */
    private String clientDefaultToken() {
        HttpServer h = this.http;
        io.roster.agent.acl.AclSettings s = h == null ? config.acl() : h.aclResolver().settings();
        return s.enabled() ? s.defaultToken() : "";
    }

    /** The agent token of anti-entropy: the one set by {@code PUT /v1/agent/token/agent} as soon as it is set. */
    private String agentToken() {
        HttpServer h = this.http;
        return h == null ? config.acl().agentToken() : h.aclResolver().settings().agentToken();
    }

    private Node selfNode() {
        Map<String, String> tagged = new LinkedHashMap<>();
        String addr = config.advertiseAddr();
        String wan = config.advertiseAddrWan();
        // As Consul: lan and wan always, and the _ipv4 / _ipv6 form that matches each address.
        tagged.put("lan", addr);
        tagged.put(addr.contains(":") ? "lan_ipv6" : "lan_ipv4", addr);
        tagged.put("wan", wan);
        tagged.put(wan.contains(":") ? "wan_ipv6" : "wan_ipv4", wan);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("consul-network-segment", "");
        meta.putAll(config.nodeMeta());
        return new Node(nodeId, config.nodeName(), addr, config.datacenter(), tagged, meta, 0, 0);
    }

    /** Alias checks: the worst status of a service's checks (and its node's), locally or in the catalog. */
    private String aliasStatus(String node, String serviceId) {
        String n = node == null || node.isEmpty() ? config.nodeName() : node;
        List<HealthCheck> checks = store.nodeChecks(WatchSet.NONE, n).value();
        if (n.equals(config.nodeName())) {
            checks = new ArrayList<>(local.checks().values());
        }
        boolean found = serviceId == null || serviceId.isEmpty()
                ? store.node(WatchSet.NONE, n).value() != null
                : local.service(serviceId) != null || checks.stream().anyMatch(c -> c.serviceId().equals(serviceId));
        if (!found) {
            return null;
        }
        List<HealthCheck> relevant = new ArrayList<>();
        for (HealthCheck c : checks) {
            if (serviceId == null || serviceId.isEmpty() || c.serviceId().isEmpty() || c.serviceId().equals(serviceId)) {
                relevant.add(c);
            }
        }
        return HealthCheck.aggregate(relevant);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts serving; returns once HTTP is listening and this node is in the catalog. */
    public Agent start() throws Exception {
        applyDefinitions(configSource.get());
        if (!config.dev() && config.dataDir() != null) {
            // API registrations survive a restart (Consul's data_dir services/ and checks/).
            io.roster.agent.local.LocalPersistence kept = new io.roster.agent.local.LocalPersistence(config.dataDir());
            int n = local.restore(kept, LOG);
            local.persistTo(kept);
            if (n > 0) {
                LOG.info("restored {} services and checks registered through the API from {}", n, config.dataDir());
            }
        }
        // Consul's agent is in the catalog (node, serfHealth, consul service) before its catalog,
        // KV and session routes answer, so a session created right after start finds its node.
        // A dev agent registers before HTTP starts. A lone server cannot before its own election:
        // until it has registered, those routes answer Consul's "No cluster leader" (as a Consul
        // server does before it has established leadership), and clients retry.
        if (config.dev()) {
            server.registerServer(selfNode(), config.serverPort()).get(10, TimeUnit.SECONDS);
            registered.set(true);
            metrics.becameLeader(); // a dev agent is its own leader from the start
        } else if (config.server() && loneServer()) {
            http.gateUntil(registered::get);
        }
        http.start();
        if (dns != null) {
            dns.start();
            List<String> more = config.network().dnsAddrs();
            for (String a : more.subList(1, more.size())) {
                dnsServer(a, dns.port()).start();
            }
        }
        pool.start(http.port(), dns == null ? -1 : dns.port(), gossipJoinAddresses(), () -> {
            LOG.error("agent: max join retry exhausted (retry_max = {}), exiting", config.membership().retryMax());
            joinExhausted = true;
            leftListeners.forEach(Runnable::run);
        });
        if (wanPool != null) {
            wanPool.start();
        }
        coordinateSync = new io.roster.agent.coordinate.CoordinateSync(config.nodeName(), pool::coordinate,
                () -> pool.members().size(), this::sendCoordinate, scheduler,
                io.roster.agent.coordinate.CoordinateSync.INTERVAL_MIN).start();
        if (!config.membership().startJoin().isEmpty()) {
            // -join / start_join: once, now; no address answering stops the agent (as Consul's).
            try {
                int n = pool.join(config.membership().startJoin());
                LOG.info("gossip: joined {} of {} (start_join)", n, config.membership().startJoin());
            } catch (RuntimeException e) {
                throw new IllegalStateException("Error joining address(es) " + config.membership().startJoin() + ": " + e.getMessage(), e);
            }
        }
        if (config.dev()) {
            antiEntropy.start();
            antiEntropy.syncNow();
        } else if (config.server()) {
            // A server may start before a quorum exists: register (through the leader) when one does.
            registerServerWhenPossible();
            antiEntropy.start();
        } else {
            antiEntropy.start();
        }
        if (reconciler != null) {
            reconciler.reconcileAll();
        }
        LOG.info("Roster agent {} started: node={} datacenter={} mode={} http={} https={}", Version.ROSTER,
                config.nodeName(), config.datacenter(), config.dev() ? "dev (in-memory)" : config.server() ? "server" : "client",
                http.port() < 0 ? "off" : "http://" + config.clientAddr() + ":" + http.port(),
                http.httpsPort() < 0 ? "off" : "https://" + config.clientAddr() + ":" + http.httpsPort());
        return this;
    }

    /**
     * Where to join the LAN pool: {@code retry_join} entries are gossip addresses on every agent,
     * servers included (port 8301 when omitted, as Consul); this agent's own address is skipped.
     */
    private List<String> gossipJoinAddresses() {
        List<String> out = new ArrayList<>();
        if (config.dev()) {
            return out;
        }
        for (String j : config.retryJoin()) {
            String a = io.roster.agent.lan.LanPool.withPort(j, io.roster.agent.lan.LanPool.DEFAULT_PORT);
            if (!a.equals(pool.address()) && !out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** On a client agent, the servers it talks to (server RPC addresses, preferred first); null on a server. */
    public io.roster.agent.client.ServerList servers() {
        return servers;
    }

    private volatile boolean joinExhausted;

    /** Whether the agent stopped because {@code retry_join} failed {@code retry_max} times (the process exits with 1). */
    public boolean joinExhausted() {
        return joinExhausted;
    }

    /** A server's Raft bootstrap and autopilot; null in dev mode and on client agents. */
    public io.roster.agent.server.RaftMembership raftMembership() {
        return raftMembership;
    }

    /** This node's ID (gossip {@code id} tag, catalog {@code ID}, Raft peer ID). */
    public String nodeId() {
        return nodeId;
    }

    /** A server's WAN gossip member, or null (client agents, {@code serf_wan = -1}). */
    public io.roster.agent.wan.WanPool wan() {
        return wanPool;
    }

    /** This agent's LAN gossip member. */
    public io.roster.agent.lan.LanPool gossip() {
        return pool;
    }

    private final java.util.concurrent.atomic.AtomicBoolean registered = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether a server has registered its own node (a lone server's catalog, KV and session routes answer from then on). */
    public boolean registered() {
        return registered.get();
    }

    /** A server that forms its cluster alone ({@code -bootstrap}/{@code -bootstrap-expect=1}, nothing to join). */
    private boolean loneServer() {
        return config.bootstrapExpect() <= 1 && config.retryJoin().isEmpty();
    }

    private void registerServerWhenPossible() {
        if (registered.get()) {
            return;
        }
        registerServerWhenPossible(true);
    }

    private void registerServerWhenPossible(boolean first) {
        if (registered.get()) {
            return;
        }
        server.registerServer(selfNode(), config.serverPort()).whenComplete((r, e) -> {
            if (e == null) {
                registered.set(true);
                // The leader's reconciliation may have written this node from its gossip member (the
                // LAN address for every tagged address); a sync now puts this agent's own (wan) back.
                antiEntropy.trigger();
                return;
            }
            if (!scheduler.isShutdown()) {
                if (first) {
                    LOG.info("waiting for a cluster leader to register this server: {}", e.getMessage());
                } else {
                    LOG.debug("still waiting for a cluster leader to register this server: {}", e.getMessage());
                }
                // A lone server waits only for its own election: retry soon, so it is gated briefly.
                scheduler.schedule(() -> registerServerWhenPossible(false), loneServer() ? 100 : 1000, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Adds the configured services and checks, removing configured ones that are gone. */
    private synchronized void applyDefinitions(LoadedConfig loaded) {
        Set<String> services = new LinkedHashSet<>();
        for (ServiceDefinition d : loaded.services()) {
            local.addService(d, true);
            services.add(d.effectiveId());
        }
        Set<String> checks = new LinkedHashSet<>();
        for (CheckDefinition c : loaded.checks()) {
            local.addCheck(c);
            checks.add(c.id() == null || c.id().isEmpty() ? c.name() : c.id());
        }
        for (String id : configServices) {
            if (!services.contains(id)) {
                local.removeService(id);
            }
        }
        for (String id : configChecks) {
            if (!checks.contains(id)) {
                local.removeCheck(id);
            }
        }
        configServices.clear();
        configServices.addAll(services);
        configChecks.clear();
        configChecks.addAll(checks);
    }

    /**
     * Re-reads the configuration files and applies their services and checks. Returns null on
     * success, or a one-line error, in which case nothing changed.
     */
    public String reload() {
        LoadedConfig loaded;
        try {
            loaded = configSource.get();
        } catch (RuntimeException e) {
            LOG.warn("reload failed, keeping the current configuration: {}", e.getMessage());
            return "Failed reloading: " + e.getMessage();
        }
        try {
            reloadTls(loaded.agent().tls());
        } catch (IllegalArgumentException e) {
            LOG.warn("reload failed, keeping the current certificates: {}", e.getMessage());
            return "Failed reloading: " + e.getMessage();
        }
        try {
            applyDefinitions(loaded);
        } catch (IllegalArgumentException e) {
            LOG.warn("reload failed part-way: {}", e.getMessage());
            return "Failed reloading: " + e.getMessage();
        }
        LOG.info("configuration reloaded: {} services, {} checks from files", loaded.services().size(), loaded.checks().size());
        return null;
    }

    /**
     * Re-reads the certificate, key and CA files (reload): the HTTPS listener and the server port
     * hand the new certificate to new connections; nothing is restarted, so the cluster stays up.
     */
    private void reloadTls(io.roster.agent.tls.TlsSettings tls) {
        if (rpcTls != null) {
            rpcTls.reload(tls.internalRpc(), serverName(config)); // read first: a broken file changes nothing
            LOG.info("TLS: server port certificate files re-read");
        }
        http.reloadTls(tls.https());
        if (tls.https().hasCertificate() && http.httpsPort() >= 0) {
            LOG.info("TLS: HTTPS certificate files re-read");
        }
    }

    public int httpPort() {
        return http.port();
    }

    /** The HTTPS port bound, or -1 when HTTPS is off. */
    public int httpsPort() {
        return http.httpsPort();
    }

    /** {@code http://host:port} of the HTTP API ({@code https://} when only HTTPS is on). */
    public String httpAddress() {
        if (http.port() < 0 && http.httpsPort() >= 0) {
            return "https://" + config.clientAddr() + ":" + http.httpsPort();
        }
        return "http://" + config.clientAddr() + ":" + http.port();
    }

    public AgentConfig config() {
        return config;
    }

    public Store store() {
        return store;
    }

    public StateServer server() {
        return server;
    }

    public HttpServer http() {
        return http;
    }

    /** The DNS server, or null when DNS is off. */
    public io.roster.agent.dns.DnsServer dns() {
        return dns;
    }

    public LocalState local() {
        return local;
    }

    public AntiEntropy antiEntropy() {
        return antiEntropy;
    }

    private final List<Runnable> leftListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Runs {@code r} once a graceful leave is done: the process should then stop (close) the agent and exit. */
    public void onLeft(Runnable r) {
        leftListeners.add(r);
    }

    /**
     * A graceful leave, as {@code consul leave}: the gossip leave first (so the leader's autopilot,
     * which adds every alive server, no longer counts this one), then a server of a cluster removes
     * itself from the Raft configuration (so the others' quorum no longer counts it); then the
     * listeners of {@link #onLeft} are told, shortly after, so the HTTP answer still goes out.
     */
    public java.util.concurrent.CompletableFuture<Void> leave() {
        if (wanPool != null) {
            wanPool.leave();
        }
        pool.leave();
        java.util.concurrent.CompletableFuture<Void> raft = java.util.concurrent.CompletableFuture.completedFuture(null);
        List<String> peers = config.dev() ? List.of() : replicator.peers();
        if (peers.size() > 1 && peers.contains(serverAddress())) {
            raft = replicator.removePeer(serverAddress());
        }
        return raft.orTimeout(15, TimeUnit.SECONDS).handle((ok, err) -> {
            if (err != null) {
                LOG.warn("leave: could not leave the Raft configuration: {}", err.toString());
            }
            LOG.info("graceful leave done; stopping");
            scheduler.schedule(() -> leftListeners.forEach(Runnable::run), 200, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    /**
     * Delivers this agent's coordinate: a server or dev agent queues it itself, a client agent sends
     * {@code PUT /v1/coordinate/update} to a server over the server RPC. Null on success, else one line.
     */
    private String sendCoordinate(io.roster.api.Coordinate.Entry e) {
        if (http.coordinateUpdates() != null) {
            return http.coordinateUpdates().offer(e);
        }
        try {
            byte[] body = io.roster.api.Json.mapper().writeValueAsBytes(e);
            io.roster.agent.rpc.RpcProtocol.HttpResponse r = rpc.forward(new io.roster.agent.rpc.RpcProtocol.HttpRequest(
                    "PUT", "/v1/coordinate/update", List.of(), body), false).future().get(5, TimeUnit.SECONDS);
            return r.status() == 200 ? null
                    : r.status() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception ex) {
            return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        }
    }

    /** Sends this agent's coordinate now (tests; it is otherwise sent every 15 s or more). */
    public String syncCoordinate() {
        io.roster.agent.coordinate.CoordinateSync s = coordinateSync;
        return s == null ? "not started" : s.syncNow();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Each part is stopped even when an earlier one fails, so that a failed stop never leaves a
        // port bound (a restarted agent in the same process binds the same ports again).
        stopQuietly("HTTP", http::close);
        dnsServers.forEach(d -> stopQuietly("DNS", d::close));
        if (coordinateSync != null) {
            stopQuietly("coordinate sync", coordinateSync::close);
        }
        stopQuietly("anti-entropy", antiEntropy::close);
        if (rpc != null) {
            stopQuietly("server RPC", rpc::close);
        }
        if (devRpc != null) {
            stopQuietly("dev RPC", devRpc::close);
        }
        if (reconciler != null) {
            stopQuietly("reconciler", reconciler::close);
        }
        if (raftMembership != null) {
            stopQuietly("Raft membership", raftMembership::close);
        }
        if (wanRouter != null) {
            stopQuietly("WAN forwarding", wanRouter::close);
        }
        if (wanPool != null) {
            stopQuietly("WAN gossip", wanPool::close);
        }
        stopQuietly("gossip", pool::close);
        stopQuietly("check runners", runners::close);
        stopQuietly("state server", server::close);
        stopQuietly("replicator", replicator::close);
        scheduler.shutdownNow();
        wake.shutdownNow();
        try {
            wake.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Roster agent stopped");
    }

    private interface Stop {
        void run() throws Exception;
    }

    private static void stopQuietly(String what, Stop stop) {
        try {
            stop.run();
        } catch (Exception e) {
            LOG.warn("{} stop: {}", what, e.toString());
        }
    }
}
