package io.roster.agent.http;

import io.roster.agent.AgentConfig;
import io.roster.agent.Version;
import io.roster.api.Durations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/agent/self}: who this agent is. */
final class AgentEndpoint {
    private final AgentConfig config;
    private final String nodeId;
    private final java.util.function.Supplier<String> leader;

    private io.roster.agent.lan.LanPool lan;

    /** The gossip member {@code Member} of {@code /v1/agent/self} is read from. */
    AgentEndpoint withGossip(io.roster.agent.lan.LanPool pool) {
        this.lan = pool;
        return this;
    }

    private io.roster.agent.local.LocalState local;
    private io.roster.state.Replicator replicator;

    /** Where {@code Stats.agent} counts and {@code Stats.consul}/{@code Stats.raft} come from. */
    AgentEndpoint withState(io.roster.agent.local.LocalState l, io.roster.state.Replicator r) {
        this.local = l;
        this.replicator = r;
        return this;
    }

    AgentEndpoint(AgentConfig config, String nodeId, java.util.function.Supplier<String> leader) {
        this.config = config;
        this.nodeId = nodeId;
        this.leader = leader;
    }

    void self(Call call) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("Datacenter", config.datacenter());
        cfg.put("PrimaryDatacenter", config.datacenter());
        cfg.put("NodeName", config.nodeName());
        cfg.put("NodeID", nodeId);
        cfg.put("Revision", Version.REVISION);
        cfg.put("Server", config.server());
        cfg.put("Version", Version.CONSUL_API);
        cfg.put("BuildDate", Version.BUILD_DATE);
        cfg.put("SessionTTLMin", config.sessionTtlMin().toNanos());
        cfg.put("RosterVersion", Version.ROSTER);

        Map<String, Object> debug = new LinkedHashMap<>();
        debug.put("Datacenter", config.datacenter());
        debug.put("NodeName", config.nodeName());
        debug.put("NodeID", nodeId);
        debug.put("DevMode", config.dev());
        debug.put("ServerMode", config.server());
        io.roster.agent.net.Network net = config.network();
        debug.put("BindAddr", net.bindAddr());
        debug.put("AdvertiseAddrLAN", net.advertiseAddr());
        debug.put("AdvertiseAddrWAN", net.advertiseAddrWan());
        debug.put("ClientAddrs", net.clientAddrs());
        debug.put("HTTPAddrs", config.httpPort() < 0 ? List.of()
                : net.httpAddrs().stream().map(a -> "tcp://" + hostPort(a, config.httpPort())).toList());
        debug.put("HTTPSAddrs", config.httpsPort() < 0 ? List.of()
                : net.httpsAddrs().stream().map(a -> "tcp://" + hostPort(a, config.httpsPort())).toList());
        debug.put("DNSAddrs", config.dnsPort() < 0 ? List.of() : net.dnsAddrs().stream()
                .flatMap(a -> java.util.stream.Stream.of("tcp://" + hostPort(a, config.dnsPort()), "udp://" + hostPort(a, config.dnsPort())))
                .toList());
        debug.put("RPCAdvertiseAddr", "tcp://" + hostPort(net.advertiseAddr(), config.serverPort()));
        debug.put("RPCBindAddr", "tcp://" + hostPort(net.bindAddr(), config.serverPort()));
        debug.put("SerfPortWAN", config.serfWanPort());
        Map<String, String> tagged = new LinkedHashMap<>();
        tagged.put("lan", net.advertiseAddr());
        tagged.put(net.advertiseAddr().contains(":") ? "lan_ipv6" : "lan_ipv4", net.advertiseAddr());
        tagged.put("wan", net.advertiseAddrWan());
        tagged.put(net.advertiseAddrWan().contains(":") ? "wan_ipv6" : "wan_ipv4", net.advertiseAddrWan());
        debug.put("TaggedAddresses", tagged);
        debug.put("HTTPPort", config.httpPort());
        debug.put("HTTPSPort", config.httpsPort());
        debug.put("TLS", tlsDebug());
        debug.put("ServerPort", config.serverPort());
        debug.put("DataDir", config.dataDir() == null ? "" : config.dataDir().toString());
        debug.put("LogLevel", config.logLevel().toUpperCase(java.util.Locale.ROOT));
        debug.put("SessionTTLMin", Durations.format(config.sessionTtlMin()));
        debug.put("KVMaxValueSize", config.kvMaxValueSize());
        debug.put("TxnMaxOps", config.txnMaxOps());

        Map<String, Object> member = member();

        Runtime rt = Runtime.getRuntime();
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("arch", System.getProperty("os.arch"));
        runtime.put("os", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT));
        runtime.put("cpu_count", Integer.toString(rt.availableProcessors()));
        runtime.put("threads", Integer.toString(Thread.activeCount()));
        runtime.put("heap_used_bytes", Long.toString(rt.totalMemory() - rt.freeMemory()));
        runtime.put("version", "java " + Runtime.version());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("agent", agentStats());
        stats.put("runtime", runtime);
        stats.put("build", Map.of("prerelease", "", "revision", Version.REVISION, "version", Version.CONSUL_API));
        stats.putAll(serverStats());

        Map<String, Object> self = new LinkedHashMap<>();
        self.put("Config", cfg);
        self.put("DebugConfig", debug);
        io.roster.api.Coordinate coord = lan == null ? null : lan.coordinate();
        self.put("Coord", coord != null ? coord
                : Map.of("Vec", List.of(0, 0, 0, 0, 0, 0, 0, 0), "Error", 1.5, "Adjustment", 0, "Height", 1e-5));
        self.put("Member", member);
        self.put("Stats", stats);
        self.put("Meta", Map.of());
        // No "xDS": Consul omits it when the agent runs no xDS server, and Roster has none (no Connect).
        call.json(self);
    }

    /**
     * {@code Stats.agent}: this agent's real counts, as Consul's {@code Agent.Stats} (all values
     * strings): script checks ({@code check_monitors}), TTL checks, all checks, services.
     */
    Map<String, Object> agentStats() {
        int monitors = 0;
        int ttls = 0;
        int checks = 0;
        int services = 0;
        if (local != null) {
            Map<String, io.roster.api.HealthCheck> all = local.checks();
            checks = all.size();
            for (io.roster.api.HealthCheck c : all.values()) {
                if ("script".equals(c.type())) {
                    monitors++;
                } else if ("ttl".equals(c.type())) {
                    ttls++;
                }
            }
            services = local.services().size();
        }
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("check_monitors", Integer.toString(monitors));
        agent.put("check_ttls", Integer.toString(ttls));
        agent.put("checks", Integer.toString(checks));
        agent.put("services", Integer.toString(services));
        return agent;
    }

    /**
     * {@code Stats.consul} (and {@code Stats.raft} on a server), with Consul's keys: a server
     * reports {@code server}, {@code leader}, {@code leader_addr}, {@code bootstrap},
     * {@code known_datacenters}; a client reports {@code server} and {@code known_servers}.
     */
    Map<String, Object> serverStats() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> consul = new LinkedHashMap<>();
        if (config.server() || config.dev()) {
            io.roster.state.Replicator r = replicator;
            consul.put("bootstrap", Boolean.toString(config.dev() || config.bootstrapExpect() == 1));
            consul.put("known_datacenters", "1");
            consul.put("leader", Boolean.toString(r != null && r.isLeader()));
            consul.put("leader_addr", leader.get());
            consul.put("server", "true");
            out.put("consul", consul);
            if (r != null) {
                Map<String, Object> raft = new LinkedHashMap<>();
                List<String> peers = r.peers();
                long applied = r.store().lastIndex();
                raft.put("applied_index", Long.toString(applied));
                raft.put("commit_index", Long.toString(applied));
                raft.put("last_log_index", Long.toString(applied));
                raft.put("latest_configuration_index", Long.toString(r.configurationIndex()));
                raft.put("num_peers", Integer.toString(Math.max(0, peers.size() - 1)));
                raft.put("protocol_version", "3");
                raft.put("state", r.isLeader() ? "Leader" : r.leaderAddress().isEmpty() ? "Candidate" : "Follower");
                raft.put("term", Long.toString(r.term()));
                out.put("raft", raft);
            }
        } else {
            int servers = 0;
            if (lan != null) {
                for (io.roster.gossip.Member m : lan.members()) {
                    if ("consul".equals(m.tags().get("role")) && m.status() == 1) {
                        servers++;
                    }
                }
            }
            consul.put("known_servers", Integer.toString(servers));
            consul.put("server", "false");
            out.put("consul", consul);
        }
        return out;
    }

    /** This agent as its gossip member shows it (a static stand-in before the member starts). */
    Map<String, Object> member() {
        if (lan != null) {
            for (io.roster.gossip.Member m : lan.members()) {
                if (m.name().equals(config.nodeName())) {
                    return MembersEndpoint.render(m);
                }
            }
        }
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("role", config.server() ? "consul" : "node");
        tags.put("dc", config.datacenter());
        tags.put("port", Integer.toString(config.serverPort()));
        tags.put("id", nodeId);
        tags.put("build", Version.CONSUL_API + ":roster-" + Version.ROSTER);
        tags.put("vsn", "2");
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("Name", config.nodeName());
        member.put("Addr", config.advertiseAddr());
        member.put("Port", 8301);
        member.put("Tags", tags);
        member.put("Status", 1);
        member.put("ProtocolMin", 1);
        member.put("ProtocolMax", 5);
        member.put("ProtocolCur", 2);
        member.put("DelegateMin", 2);
        member.put("DelegateMax", 5);
        member.put("DelegateCur", 4);

        return member;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * {@code DebugConfig.TLS} as Consul's sanitized runtime configuration shows it (its
     * {@code tlsutil.Config}): one block per interface, keys sorted as Go writes a map, the key file
     * always {@code "hidden"}, the minimum version in Consul's spelling ({@code TLSv1_2}).
     */
    private Map<String, Object> tlsDebug() {
        io.roster.agent.tls.TlsSettings tls = config.tls();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("AutoTLS", false);
        t.put("Domain", config.domain());
        t.put("EnableAgentTLSForChecks", false);
        t.put("GRPC", tlsSide(tls.grpc()));
        t.put("HTTPS", tlsSide(tls.https()));
        t.put("InternalRPC", tlsSide(tls.internalRpc()));
        t.put("NodeName", config.nodeName());
        t.put("ServerMode", config.server());
        t.put("ServerName", "");
        return t;
    }

    private static Map<String, Object> tlsSide(io.roster.agent.tls.TlsSettings.Side side) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CAFile", side.caFile() == null ? "" : side.caFile());
        m.put("CAPath", side.caPath() == null ? "" : side.caPath());
        m.put("CertFile", side.certFile() == null ? "" : side.certFile());
        m.put("CipherSuites", side.cipherSuites());
        m.put("KeyFile", "hidden");
        m.put("TLSMinVersion", switch (side.minVersion()) {
            case "TLSv1" -> "TLSv1_0";
            case "TLSv1.1" -> "TLSv1_1";
            case "TLSv1.3" -> "TLSv1_3";
            default -> "TLSv1_2";
        });
        m.put("UseAutoCert", false);
        m.put("VerifyIncoming", side.verifyIncoming());
        m.put("VerifyOutgoing", side.verifyOutgoing());
        m.put("VerifyServerHostname", side.verifyServerHostname());
        return m;
    }
}
