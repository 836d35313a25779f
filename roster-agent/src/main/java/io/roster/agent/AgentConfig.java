package io.roster.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The agent's configuration, after flags and files are merged ({@code io.roster.agent.config.ConfigLoader}
 * does the merging). Immutable; {@link Builder} gives Consul's defaults.
 *
 * @param nodeName        this agent's node name ({@code -node}; default: the host name)
 * @param datacenter      {@code -datacenter} (default {@code dc1})
 * @param dev             {@code -dev}: server + client in one process, state in memory
 * @param server          whether this agent is a server
 * @param clientAddr      {@code -client}/{@code client_addr}: the first address HTTP and DNS bind to (all of them:
 *                        {@link #network()})
 * @param httpPort        {@code -http-port} (default 8500; 0 picks a free port)
 * @param serverPort      the server RPC/Raft port advertised in {@code /v1/status} (default 8300)
 * @param logLevel        {@code -log-level}: trace, debug, info, warn, error
 * @param dataDir         {@code -data-dir}: where a server keeps Raft data (unused in dev mode)
 * @param sessionTtlMin   {@code session_ttl_min}: the smallest session TTL accepted (default 10s)
 * @param txnMaxOps       {@code txn_max_req_len}-style limit: operations per transaction (default 128)
 * @param kvMaxValueSize  {@code kv_max_value_size}: largest KV value in bytes (default 512 KiB)
 * @param bindAddr        {@code -bind}/{@code bind_addr}: the address for cluster traffic (gossip, RPC), resolved
 *                        (templates evaluated); default {@code 0.0.0.0}, or {@code 127.0.0.1} in dev mode
 * @param dnsPort         {@code -dns-port}/{@code ports.dns} (default 8600; -1 turns DNS off, 0 picks a free port)
 * @param ui              {@code -ui}/{@code ui_config.enabled}: serve the web UI (default: on in dev mode only)
 * @param enableScriptChecks      {@code enable_script_checks}: script checks from files and the API
 * @param enableLocalScriptChecks {@code enable_local_script_checks}: script checks from config files only
 * @param nodeMeta        {@code -node-meta}/{@code node_meta}: this node's metadata, keys kept verbatim
 * @param checkUpdateInterval {@code check_update_interval}: how long a check's changed output (same status)
 *                        may wait before it is synced to the catalog (default 5m; 0 syncs every change)
 * @param bootstrapExpect {@code -bootstrap-expect}: servers to wait for before electing a leader (0: none)
 * @param retryJoin       {@code -retry-join}/{@code retry_join}: agents to join, retried until one answers
 * @param domain          {@code -domain}/{@code domain}: the DNS domain answered (default {@code consul.})
 * @param altDomain       {@code -alt-domain}/{@code alt_domain}: a second DNS domain, or null
 * @param recursors       {@code -recursor}/{@code recursors}: upstream DNS servers for other names
 * @param dnsConfig       {@code dns_config}, as read from the files (snake_case keys, duration strings)
 * @param encrypt         {@code -encrypt}/{@code encrypt}: the gossip key (base64), or null; never logged
 * @param checkOutputMaxSize {@code check_output_max_size}: bytes of check output kept (default 4096)
 * @param raftSnapshotThreshold {@code raft_snapshot_threshold}: Raft log entries between automatic snapshots
 *                        (default 16384, as Consul)
 * @param serfLanPort     {@code -serf-lan-port}/{@code ports.serf_lan}: the LAN gossip port, UDP and TCP; -1 when not
 *                        set, see {@link #gossipPort()}
 * @param configFiles     the {@code -config-file} and {@code -config-dir} paths as given, in command-line
 *                        order: a reload reads them again
 * @param network         every address setting, resolved as Consul does ({@code bind_addr}, {@code advertise_addr},
 *                        {@code advertise_addr_wan}, {@code client_addr}, {@code addresses.*})
 * @param serfWanPort     {@code -serf-wan-port}/{@code ports.serf_wan}: the WAN gossip port (default 8302; -1 off);
 *                        a server's WAN pool binds it (a dev agent: a free port unless set)
 * @param process         {@code -pid-file}, {@code -log-file} and its rotation settings
 * @param membership      how this agent joins the pool and the Raft cluster, and how it leaves ({@link Membership})
 * @param httpsPort       {@code ports.https}: the HTTPS API port (default -1: off; Consul's usual one is 8501)
 * @param tls             the {@code tls} stanza and the older top-level TLS keys, resolved
 *                        ({@link io.roster.agent.tls.TlsSettings}); {@code NONE} when none is set
 * @param uiDir           {@code ui_config.dir}/{@code ui_dir}/{@code -ui-dir}: a directory served at {@code /ui/} instead of
 *                        the built-in UI; null: the built-in one
 * @param kvHistoryVersions {@code kv_history_versions}: versions kept per KV key (default 10, 0: no history); the same on
 *                        every server
 * @param acl             the {@code acl} stanza ({@link io.roster.agent.acl.AclSettings}); {@code DISABLED} when none
 */
public record AgentConfig(String nodeName, String datacenter, boolean dev, boolean server, String clientAddr,
                          int httpPort, int serverPort, String logLevel, Path dataDir, Duration sessionTtlMin,
                          int txnMaxOps, long kvMaxValueSize, String bindAddr, int dnsPort, boolean ui,
                          boolean enableScriptChecks, boolean enableLocalScriptChecks, Map<String, String> nodeMeta,
                          Duration checkUpdateInterval, int bootstrapExpect, List<String> retryJoin, String domain,
                          String altDomain, List<String> recursors, Map<String, Object> dnsConfig, String encrypt,
                          int checkOutputMaxSize, long raftSnapshotThreshold, int serfLanPort, List<Path> configFiles,
                          io.roster.agent.net.Network network, int serfWanPort, Process process,
                          Membership membership, int httpsPort, io.roster.agent.tls.TlsSettings tls,
                          Path uiDir, int kvHistoryVersions,
                          io.roster.agent.acl.AclSettings acl) {

    /**
     * Joining and leaving, as Consul's keys of the same names.
     *
     * @param nodeId        {@code -node-id}/{@code node_id}: this node's ID (a UUID), or null: the one kept in
     *                      {@code <data_dir>/node-id}, generated on first start
     * @param startJoin     {@code -join}/{@code start_join}: gossip addresses joined once at start; the agent
     *                      stops when none answers
     * @param retryInterval {@code retry_interval}: the wait between {@code retry_join} attempts (default 30s)
     * @param retryMax      {@code retry_max}: attempts before the agent gives up and stops (0: retry forever)
     * @param bootstrap     {@code -bootstrap}/{@code bootstrap}: this server elects itself alone
     * @param leaveOnTerminate     {@code leave_on_terminate}: SIGTERM leaves the cluster gracefully first
     *                      (default: false on servers, true on client agents)
     * @param skipLeaveOnInterrupt {@code skip_leave_on_interrupt}: SIGINT (Ctrl-C) stops without leaving
     *                      (default: true on servers, false on client agents)
     * @param wan           how a server joins the WAN pool of servers of every datacenter ({@link Wan})
     */
    public record Membership(String nodeId, List<String> startJoin, Duration retryInterval, int retryMax, boolean bootstrap,
                             boolean leaveOnTerminate, boolean skipLeaveOnInterrupt, Wan wan) {
    }

    /**
     * The WAN pool (servers of every datacenter), as Consul's keys of the same names.
     *
     * @param startJoin         {@code -join-wan}/{@code start_join_wan}: WAN addresses joined once at start
     *                          (port 8302 when omitted); the agent stops when none answers
     * @param retryJoin         {@code -retry-join-wan}/{@code retry_join_wan}: WAN addresses joined until one answers
     * @param retryInterval     {@code retry_interval_wan} (default 30s)
     * @param translateWanAddrs {@code translate_wan_addrs}: DNS and HTTP answers about other datacenters
     *                          give the nodes' {@code wan} tagged addresses
     * @param primaryDatacenter {@code primary_datacenter}: the datacenter whose servers own the global
     *                          ACL policies, roles and tokens ("": this one)
     */
    public record Wan(List<String> startJoin, List<String> retryJoin, Duration retryInterval, boolean translateWanAddrs,
                      String primaryDatacenter) {
        public static final Wan NONE = new Wan(List.of(), List.of(), Duration.ofSeconds(30), false, "");

        public Wan {
            primaryDatacenter = primaryDatacenter == null ? "" : primaryDatacenter;
        }
    }

    /** The largest session TTL Consul accepts. */
    public static final Duration SESSION_TTL_MAX = Duration.ofHours(24);

    /** Consul's limits on node and service metadata. */
    public static final int META_MAX_PAIRS = 64;
    public static final int META_KEY_MAX_LENGTH = 128;
    public static final int META_VALUE_MAX_LENGTH = 512;
    private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?\\.)+");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * The LAN gossip port to bind: {@code serf_lan} when set; otherwise any free port in dev mode (so
     * many dev agents share a machine), the server port + 1 on a server (8301 beside the default
     * 8300, Consul's layout, and the port other servers derive from a {@code -retry-join} Raft
     * address), and 8301 on a client agent.
     */
    public int gossipPort() {
        if (serfLanPort >= 0) {
            return serfLanPort;
        }
        if (dev) {
            return 0;
        }
        return server ? Math.min(65535, serverPort + 1) : 8301;
    }

    /**
     * The process settings a config file or flag may give.
     *
     * @param pidFile           {@code -pid-file}/{@code pid_file}: where the agent writes its process ID, or null
     * @param logFile           {@code -log-file}/{@code log_file}: a file (or a directory, when it ends in
     *                          {@code /}) to log to besides stderr, or null
     * @param logRotateBytes    {@code -log-rotate-bytes}/{@code log_rotate_bytes}: rotate at this size (0: no size limit)
     * @param logRotateDuration {@code -log-rotate-duration}/{@code log_rotate_duration}: rotate this often (default 24h)
     * @param logRotateMaxFiles {@code -log-rotate-max-files}/{@code log_rotate_max_files}: rotated files kept
     *                          (default 0: all; -1: none)
     */
    public record Process(Path pidFile, String logFile, long logRotateBytes, Duration logRotateDuration, int logRotateMaxFiles) {
    }

    /** {@code advertise_addr}, resolved: the address other agents reach this one at (never a wildcard). */
    public String advertiseAddr() {
        return network.advertiseAddr();
    }

    /** {@code advertise_addr_wan}, resolved (default: the advertise address). */
    public String advertiseAddrWan() {
        return network.advertiseAddrWan();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A dev agent on a free HTTP port, for tests. */
    public static AgentConfig devOnFreePort() {
        return builder().dev(true).httpPort(0).dnsPort(-1).build();
    }

    /**
     * Why {@code meta} breaks Consul's metadata rules (at most 64 pairs; keys of letters, digits,
     * {@code _} and {@code -}, up to 128 characters, not starting with the reserved {@code consul-};
     * values up to 512 characters), or null when it is fine.
     */
    public static String metaProblem(Map<String, String> meta) {
        if (meta.size() > META_MAX_PAIRS) {
            return "metadata cannot contain more than " + META_MAX_PAIRS + " key/value pairs";
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty()) {
                return "metadata key cannot be blank";
            }
            if (k.length() > META_KEY_MAX_LENGTH) {
                return "metadata key '" + k + "' is longer than " + META_KEY_MAX_LENGTH + " characters";
            }
            if (!META_KEY.matcher(k).matches()) {
                return "metadata key '" + k + "' may only contain letters, digits, '_' and '-'";
            }
            if (k.startsWith("consul-")) {
                return "metadata key '" + k + "' uses the reserved prefix 'consul-'";
            }
            if (e.getValue() == null) {
                return "metadata value of '" + k + "' cannot be null";
            }
            if (e.getValue().length() > META_VALUE_MAX_LENGTH) {
                return "metadata value of '" + k + "' is longer than " + META_VALUE_MAX_LENGTH + " characters";
            }
        }
        return null;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodeName = nodeName;
        b.datacenter = datacenter;
        b.dev = dev;
        b.server = server;
        b.clientAddr = clientAddr;
        b.httpPort = httpPort;
        b.serverPort = serverPort;
        b.logLevel = logLevel;
        b.dataDir = dataDir;
        b.sessionTtlMin = sessionTtlMin;
        b.txnMaxOps = txnMaxOps;
        b.kvMaxValueSize = kvMaxValueSize;
        b.bindAddr = bindAddr;
        b.dnsPort = dnsPort;
        b.ui = ui;
        b.enableScriptChecks = enableScriptChecks;
        b.enableLocalScriptChecks = enableLocalScriptChecks;
        b.nodeMeta = new LinkedHashMap<>(nodeMeta);
        b.checkUpdateInterval = checkUpdateInterval;
        b.bootstrapExpect = bootstrapExpect;
        b.retryJoin = new ArrayList<>(retryJoin);
        b.domain = domain;
        b.altDomain = altDomain;
        b.recursors = new ArrayList<>(recursors);
        b.dnsConfig = new LinkedHashMap<>(dnsConfig);
        b.encrypt = encrypt;
        b.checkOutputMaxSize = checkOutputMaxSize;
        b.raftSnapshotThreshold = raftSnapshotThreshold;
        b.serfLanPort = serfLanPort;
        b.configFiles = new ArrayList<>(configFiles);
        // Addresses go back as written, so that a template is evaluated again.
        b.bindAddr = network.given().bindAddr();
        b.clientAddr = network.given().clientAddr();
        b.advertiseAddr = network.given().advertiseAddr();
        b.advertiseAddrWan = network.given().advertiseAddrWan();
        b.httpAddr = network.given().httpAddr();
        b.httpsAddr = network.given().httpsAddr();
        b.dnsAddr = network.given().dnsAddr();
        b.serfWanPort = serfWanPort;
        b.pidFile = process.pidFile();
        b.logFile = process.logFile();
        b.logRotateBytes = process.logRotateBytes();
        b.logRotateDuration = process.logRotateDuration();
        b.logRotateMaxFiles = process.logRotateMaxFiles();
        b.nodeId = membership.nodeId();
        b.startJoin = new ArrayList<>(membership.startJoin());
        b.retryInterval = membership.retryInterval();
        b.retryMax = membership.retryMax();
        b.bootstrap = membership.bootstrap();
        b.leaveOnTerminate = membership.leaveOnTerminate();
        b.skipLeaveOnInterrupt = membership.skipLeaveOnInterrupt();
        b.startJoinWan = new ArrayList<>(membership.wan().startJoin());
        b.retryJoinWan = new ArrayList<>(membership.wan().retryJoin());
        b.retryIntervalWan = membership.wan().retryInterval();
        b.translateWanAddrs = membership.wan().translateWanAddrs();
        b.primaryDatacenter = membership.wan().primaryDatacenter();
        b.httpsPort = httpsPort;
        b.tls = tls;
        b.uiDir = uiDir;
        b.kvHistoryVersions = kvHistoryVersions;
        b.acl = acl;
        return b;
    }

    /** Like the record's, but the gossip key is never printed (it is a secret). */
    @Override
    public String toString() {
        return "AgentConfig[nodeName=" + nodeName + ", datacenter=" + datacenter + ", dev=" + dev + ", server=" + server
                + ", clientAddr=" + clientAddr + ", httpPort=" + httpPort + ", serverPort=" + serverPort
                + ", logLevel=" + logLevel + ", dataDir=" + dataDir + ", sessionTtlMin=" + sessionTtlMin
                + ", txnMaxOps=" + txnMaxOps + ", kvMaxValueSize=" + kvMaxValueSize + ", bindAddr=" + bindAddr
                + ", dnsPort=" + dnsPort + ", ui=" + ui + ", enableScriptChecks=" + enableScriptChecks
                + ", enableLocalScriptChecks=" + enableLocalScriptChecks + ", nodeMeta=" + nodeMeta
                + ", checkUpdateInterval=" + checkUpdateInterval + ", bootstrapExpect=" + bootstrapExpect
                + ", retryJoin=" + retryJoin + ", domain=" + domain + ", altDomain=" + altDomain
                + ", recursors=" + recursors + ", dnsConfig=" + dnsConfig + ", encrypt=" + (encrypt == null ? null : "<hidden>")
                + ", checkOutputMaxSize=" + checkOutputMaxSize + ", raftSnapshotThreshold=" + raftSnapshotThreshold
                + ", serfLanPort=" + serfLanPort + ", configFiles=" + configFiles
                + ", network=" + network + ", serfWanPort=" + serfWanPort + ", process=" + process
                + ", membership=" + membership + ", httpsPort=" + httpsPort + ", tls=" + tls
                + ", uiDir=" + uiDir + ", kvHistoryVersions=" + kvHistoryVersions + "]";
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private String nodeName = HostName.DEFAULT;
        private String datacenter = "dc1";
        private boolean dev;
        private boolean server;
        private String clientAddr; // null: 127.0.0.1
        private int httpPort = 8500;
        private int serverPort = 8300;
        private String logLevel = "info";
        private Path dataDir;
        private Duration sessionTtlMin = Duration.ofSeconds(10);
        private int txnMaxOps = 128;
        private long kvMaxValueSize = 512 * 1024;
        private String bindAddr; // null: 0.0.0.0, or 127.0.0.1 in dev mode
        private int dnsPort = 8600;
        private Boolean ui; // null: on in dev mode only
        private boolean enableScriptChecks;
        private boolean enableLocalScriptChecks;
        private Map<String, String> nodeMeta = new LinkedHashMap<>();
        private Duration checkUpdateInterval = Duration.ofMinutes(5);
        private int bootstrapExpect;
        private List<String> retryJoin = new ArrayList<>();
        private String domain = "consul.";
        private String altDomain;
        private List<String> recursors = new ArrayList<>();
        private Map<String, Object> dnsConfig = new LinkedHashMap<>();
        private String encrypt;
        private int checkOutputMaxSize = 4096;
        private long raftSnapshotThreshold = 16_384;
        private int serfLanPort = -1; // -1: 8301 (server: server port + 1), any free port in dev mode
        private List<Path> configFiles = new ArrayList<>();
        // Addresses (issue 14): as written; build() resolves them.
        private String advertiseAddr;
        private String advertiseAddrWan;
        private String httpAddr;
        private String httpsAddr;
        private String dnsAddr;
        private java.util.function.Supplier<List<io.roster.agent.net.IfAddr>> interfaces = io.roster.agent.net.Interfaces::system;
        private Integer serfWanPort; // null: 8302, a free port in dev mode
        private Path pidFile;
        private String logFile;
        private long logRotateBytes;
        private Duration logRotateDuration = Duration.ofHours(24);
        private int logRotateMaxFiles;
        // Membership (joining, bootstrapping, leaving)
        private String nodeId;
        private List<String> startJoin = new ArrayList<>();
        private Duration retryInterval = Duration.ofSeconds(30);
        private int retryMax;
        private boolean bootstrap;
        private Boolean leaveOnTerminate; // null: false on servers, true on client agents
        private Boolean skipLeaveOnInterrupt; // null: true on servers, false on client agents
        // WAN pool (issue 22)
        private List<String> startJoinWan = new ArrayList<>();
        private List<String> retryJoinWan = new ArrayList<>();
        private Duration retryIntervalWan = Duration.ofSeconds(30);
        private boolean translateWanAddrs;
        private String primaryDatacenter = "";
        // TLS (issue 19)
        private int httpsPort = -1;
        private io.roster.agent.tls.TlsSettings tls = io.roster.agent.tls.TlsSettings.NONE;
        private Path uiDir;
        private int kvHistoryVersions = 10;
        // ACLs (issue 18)
        private io.roster.agent.acl.AclSettings acl = io.roster.agent.acl.AclSettings.DISABLED;

        public Builder nodeName(String v) { nodeName = v; return this; }
        public Builder datacenter(String v) { datacenter = v; return this; }
        public Builder dev(boolean v) { dev = v; return this; }
        public Builder server(boolean v) { server = v; return this; }
        public Builder clientAddr(String v) { clientAddr = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder serverPort(int v) { serverPort = v; return this; }
        public Builder logLevel(String v) { logLevel = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder sessionTtlMin(Duration v) { sessionTtlMin = v; return this; }
        public Builder txnMaxOps(int v) { txnMaxOps = v; return this; }
        public Builder kvMaxValueSize(long v) { kvMaxValueSize = v; return this; }
        public Builder bindAddr(String v) { bindAddr = v; return this; }
        public Builder dnsPort(int v) { dnsPort = v; return this; }
        public Builder ui(boolean v) { ui = v; return this; }
        public Builder enableScriptChecks(boolean v) { enableScriptChecks = v; return this; }
        public Builder enableLocalScriptChecks(boolean v) { enableLocalScriptChecks = v; return this; }
        /** Replaces the node metadata. */
        public Builder nodeMeta(Map<String, String> v) { nodeMeta = new LinkedHashMap<>(v); return this; }
        /** Adds (or replaces) one node metadata pair, as {@code -node-meta key:value} does. */
        public Builder putNodeMeta(String key, String value) { nodeMeta.put(key, value); return this; }
        public Builder checkUpdateInterval(Duration v) { checkUpdateInterval = v; return this; }
        public Builder bootstrapExpect(int v) { bootstrapExpect = v; return this; }
        /** Replaces the join addresses. */
        public Builder retryJoin(List<String> v) { retryJoin = new ArrayList<>(v); return this; }
        /** Appends join addresses, as each {@code -retry-join} flag does. */
        public Builder addRetryJoin(Collection<String> v) { retryJoin.addAll(v); return this; }
        public Builder domain(String v) { domain = v; return this; }
        public Builder altDomain(String v) { altDomain = v; return this; }
        /** Replaces the DNS recursors. */
        public Builder recursors(List<String> v) { recursors = new ArrayList<>(v); return this; }
        /** Appends DNS recursors, as each {@code -recursor} flag does. */
        public Builder addRecursors(Collection<String> v) { recursors.addAll(v); return this; }
        public Builder dnsConfig(Map<String, Object> v) { dnsConfig = new LinkedHashMap<>(v); return this; }
        public Builder encrypt(String v) { encrypt = v; return this; }
        public Builder checkOutputMaxSize(int v) { checkOutputMaxSize = v; return this; }
        public Builder raftSnapshotThreshold(long v) { raftSnapshotThreshold = v; return this; }
        public Builder serfLanPort(int v) { serfLanPort = v; return this; }
        public Builder configFiles(List<Path> v) { configFiles = new ArrayList<>(v); return this; }
        // Addresses and process settings (issue 14).
        public Builder advertiseAddr(String v) { advertiseAddr = v; return this; }
        public Builder advertiseAddrWan(String v) { advertiseAddrWan = v; return this; }
        /** {@code addresses.http}: overrides {@code client_addr} for HTTP (space-separated, templates allowed). */
        public Builder httpAddr(String v) { httpAddr = v; return this; }
        public Builder httpsAddr(String v) { httpsAddr = v; return this; }
        public Builder dnsAddr(String v) { dnsAddr = v; return this; }
        public Builder serfWanPort(int v) { serfWanPort = v; return this; }
        public Builder startJoinWan(List<String> v) { startJoinWan = new ArrayList<>(v); return this; }
        public Builder addStartJoinWan(Collection<String> v) { startJoinWan.addAll(v); return this; }
        public Builder retryJoinWan(List<String> v) { retryJoinWan = new ArrayList<>(v); return this; }
        public Builder addRetryJoinWan(Collection<String> v) { retryJoinWan.addAll(v); return this; }
        public Builder retryIntervalWan(Duration v) { retryIntervalWan = v; return this; }
        public Builder translateWanAddrs(boolean v) { translateWanAddrs = v; return this; }
        public Builder primaryDatacenter(String v) { primaryDatacenter = v; return this; }
        public Builder pidFile(Path v) { pidFile = v; return this; }
        public Builder logFile(String v) { logFile = v; return this; }
        public Builder logRotateBytes(long v) { logRotateBytes = v; return this; }
        public Builder logRotateDuration(Duration v) { logRotateDuration = v; return this; }
        public Builder logRotateMaxFiles(int v) { logRotateMaxFiles = v; return this; }
        /** The interface addresses templates and detection read (the host's by default; tests give their own). */
        public Builder interfaces(java.util.function.Supplier<List<io.roster.agent.net.IfAddr>> v) { interfaces = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        /** Replaces the start-join addresses. */
        public Builder startJoin(List<String> v) { startJoin = new ArrayList<>(v); return this; }
        /** Appends start-join addresses, as each {@code -join} flag does. */
        public Builder addStartJoin(Collection<String> v) { startJoin.addAll(v); return this; }
        public Builder retryInterval(Duration v) { retryInterval = v; return this; }
        public Builder retryMax(int v) { retryMax = v; return this; }
        public Builder bootstrap(boolean v) { bootstrap = v; return this; }
        public Builder leaveOnTerminate(boolean v) { leaveOnTerminate = v; return this; }
        public Builder skipLeaveOnInterrupt(boolean v) { skipLeaveOnInterrupt = v; return this; }
        /** {@code ports.https}: -1 off, 0 any free port. */
        public Builder httpsPort(int v) { httpsPort = v; return this; }
        public Builder tls(io.roster.agent.tls.TlsSettings v) { tls = v; return this; }
        public Builder uiDir(Path v) { uiDir = v; return this; }
        public Builder kvHistoryVersions(int v) { kvHistoryVersions = v; return this; }
        public Builder acl(io.roster.agent.acl.AclSettings v) { acl = v; return this; }

        /** Validates and builds; {@link IllegalArgumentException} with a one-line reason when invalid. */
        public AgentConfig build() {
            if (nodeName == null || !NODE_NAME.matcher(nodeName).matches()) {
                throw new IllegalArgumentException("invalid node name '" + nodeName
                        + "': use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
            }
            if (datacenter == null || !datacenter.matches("[a-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("invalid datacenter '" + datacenter
                        + "': use lowercase letters, digits, '-' or '_'");
            }
            if (httpPort < -1 || httpPort > 65535) {
                throw new IllegalArgumentException("invalid HTTP port " + httpPort + ": use -1 (off), 0 (any free port) or 1-65535");
            }
            if (httpsPort < -1 || httpsPort > 65535) {
                throw new IllegalArgumentException("invalid HTTPS port " + httpsPort + ": use -1 (off), 0 (any free port) or 1-65535");
            }
            if (logLevel == null || !logLevel.matches("(?i)trace|debug|info|warn|err|error")) {
                throw new IllegalArgumentException("invalid log level '" + logLevel + "': use trace, debug, info, warn or error");
            }
            if (sessionTtlMin == null || sessionTtlMin.isNegative() || sessionTtlMin.isZero()) {
                throw new IllegalArgumentException("session_ttl_min must be positive");
            }
            if (txnMaxOps < 1) {
                throw new IllegalArgumentException("txn_max_ops must be at least 1");
            }
            if (kvMaxValueSize < 1) {
                throw new IllegalArgumentException("kv_max_value_size must be at least 1");
            }
            io.roster.agent.net.Network network = io.roster.agent.net.Addresses.resolve(new io.roster.agent.net.Network.Settings(
                    bindAddr, advertiseAddr, advertiseAddrWan, clientAddr, httpAddr, httpsAddr, dnsAddr),
                    dev ? "127.0.0.1" : "0.0.0.0", interfaces);
            String bind = network.bindAddr();
            int wanPort = serfWanPort != null ? serfWanPort : dev ? 0 : 8302;
            if (wanPort < -1 || wanPort > 65535) {
                throw new IllegalArgumentException("invalid serf_wan port " + wanPort + ": use -1 (off), 0 (any free port) or 1-65535");
            }
            checkAddresses("retry_join_wan", retryJoinWan);
            checkAddresses("start_join_wan", startJoinWan);
            if (logRotateBytes < 0) {
                throw new IllegalArgumentException("log_rotate_bytes must not be negative");
            }
            if (logRotateDuration == null || logRotateDuration.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("log_rotate_duration must be at least 1m");
            }
            if (logRotateMaxFiles < -1) {
                throw new IllegalArgumentException("log_rotate_max_files must be -1 (keep none), 0 (keep all) or more");
            }
            if (dnsPort < -1 || dnsPort > 65535) {
                throw new IllegalArgumentException("invalid DNS port " + dnsPort + ": use -1 (off), 0 (any free port) or 1-65535");
            }
            if (serverPort < 1 || serverPort > 65535) {
                throw new IllegalArgumentException("invalid server port " + serverPort);
            }
            String metaProblem = nodeMeta == null ? "node_meta cannot be null" : metaProblem(nodeMeta);
            if (metaProblem != null) {
                throw new IllegalArgumentException("invalid node_meta: " + metaProblem);
            }
            if (checkUpdateInterval == null || checkUpdateInterval.isNegative()) {
                throw new IllegalArgumentException("check_update_interval must not be negative");
            }
            if (bootstrapExpect < 0) {
                throw new IllegalArgumentException("bootstrap_expect must not be negative");
            }
            if (bootstrapExpect > 0 && dev) {
                throw new IllegalArgumentException("bootstrap_expect > 0 is not allowed in dev mode");
            }
            if (bootstrapExpect > 0 && !server) {
                throw new IllegalArgumentException("bootstrap_expect > 0 requires server mode (-server)");
            }
            checkAddresses("retry_join", retryJoin);
            checkAddresses("start_join", startJoin);
            if (bootstrap && bootstrapExpect > 0) {
                throw new IllegalArgumentException("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
            }
            if (bootstrap && !server && !dev) {
                throw new IllegalArgumentException("'bootstrap = true' requires server mode (-server)");
            }
            if (retryInterval == null || retryInterval.isNegative() || retryInterval.isZero()) {
                throw new IllegalArgumentException("retry_interval must be positive");
            }
            if (retryMax < 0) {
                throw new IllegalArgumentException("retry_max must not be negative");
            }
            String id = nodeId == null || nodeId.isEmpty() ? null : nodeId.toLowerCase(Locale.ROOT);
            if (id != null && !UUID.matcher(id).matches()) {
                throw new IllegalArgumentException("invalid node_id '" + nodeId + "': must be a UUID (8-4-4-4-12 hex digits)");
            }
            boolean isServer = server || dev;
            checkAddresses("recursors", recursors);
            String dom = fqdn("domain", domain);
            String alt = altDomain == null || altDomain.isEmpty() ? null : fqdn("alt_domain", altDomain);
            if (alt != null && alt.equalsIgnoreCase(dom)) {
                throw new IllegalArgumentException("alt_domain cannot be the same as domain ('" + dom + "')");
            }
            if (encrypt != null && !encrypt.isEmpty()) {
                checkGossipKey(encrypt);
            }
            if (raftSnapshotThreshold < 1) {
                throw new IllegalArgumentException("raft_snapshot_threshold must be at least 1");
            }
            if (serfLanPort < -1 || serfLanPort > 65535) {
                throw new IllegalArgumentException("invalid serf_lan port " + serfLanPort + ": use 0 (any free port) or 1-65535");
            }
            if (kvHistoryVersions < 0) {
                throw new IllegalArgumentException("kv_history_versions must be 0 or more");
            }
            if (uiDir != null && !java.nio.file.Files.isDirectory(uiDir)) {
                throw new IllegalArgumentException("ui_config.dir " + uiDir + " is not a directory");
            }
            if (checkOutputMaxSize < 1) {
                throw new IllegalArgumentException("check_output_max_size must be at least 1");
            }
            String client = network.clientAddrs().isEmpty() ? "127.0.0.1" : network.clientAddrs().get(0);
            return new AgentConfig(nodeName, datacenter, dev, server || dev, client, httpPort, serverPort,
                    logLevel.toLowerCase(Locale.ROOT), dataDir, sessionTtlMin, txnMaxOps, kvMaxValueSize,
                    bind, dnsPort, ui != null ? ui : dev, enableScriptChecks, enableLocalScriptChecks,
                    Collections.unmodifiableMap(new LinkedHashMap<>(nodeMeta)), checkUpdateInterval, bootstrapExpect,
                    List.copyOf(retryJoin), dom, alt, List.copyOf(recursors), frozen(dnsConfig),
                    encrypt == null || encrypt.isEmpty() ? null : encrypt, checkOutputMaxSize, raftSnapshotThreshold, serfLanPort,
                    List.copyOf(configFiles), network, wanPort,
                    new Process(pidFile, logFile, logRotateBytes, logRotateDuration, logRotateMaxFiles),
                    new Membership(id, List.copyOf(startJoin), retryInterval, retryMax, bootstrap,
                    leaveOnTerminate != null ? leaveOnTerminate : !isServer,
                    skipLeaveOnInterrupt != null ? skipLeaveOnInterrupt : isServer,
                    new Wan(List.copyOf(startJoinWan), List.copyOf(retryJoinWan), retryIntervalWan, translateWanAddrs, primaryDatacenter)),
                    httpsPort, tls == null ? io.roster.agent.tls.TlsSettings.NONE : tls, uiDir, kvHistoryVersions, acl);
        }

        private static void checkAddresses(String key, List<String> values) {
            for (String v : values) {
                if (v == null || v.isBlank()) {
                    throw new IllegalArgumentException(key + " cannot contain an empty address");
                }
            }
        }

        /** Consul answers for {@code consul.} whether {@code consul} or {@code consul.} was configured. */
        private static String fqdn(String key, String d) {
            String f = d == null ? "" : d.endsWith(".") ? d : d + ".";
            if (!DOMAIN.matcher(f).matches()) {
                throw new IllegalArgumentException("invalid " + key + " '" + d + "': use DNS labels such as 'consul.'");
            }
            return f;
        }

        // Gossip encryption uses AES-128/192/256 keys, given base64-encoded (as `consul keygen` prints them).
        private static void checkGossipKey(String key) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid encrypt key: not base64");
            }
            if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
                throw new IllegalArgumentException("invalid encrypt key: must be 16, 24 or 32 bytes, base64-encoded (got "
                        + raw.length + ")");
            }
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> frozen(Map<String, Object> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(k, frozenValue(v)));
            return Collections.unmodifiableMap(copy);
        }

        @SuppressWarnings("unchecked")
        private static Object frozenValue(Object v) {
            if (v instanceof Map<?, ?> m) {
                return frozen((Map<String, Object>) m);
            }
            if (v instanceof List<?> l) {
                List<Object> copy = new ArrayList<>();
                l.forEach(x -> copy.add(frozenValue(x)));
                return Collections.unmodifiableList(copy);
            }
            return v;
        }
    }

    /** The host name is looked up once: builders are cheap, and config loading makes several. */
    private static final class HostName {
        static final String DEFAULT = compute();

        private static String compute() {
            try {
                String h = java.net.InetAddress.getLocalHost().getHostName();
                int dot = h.indexOf('.');
                String n = dot > 0 ? h.substring(0, dot) : h;
                return NODE_NAME.matcher(n).matches() ? n : "roster";
            } catch (java.io.IOException e) {
                return "roster";
            }
        }
    }
}
