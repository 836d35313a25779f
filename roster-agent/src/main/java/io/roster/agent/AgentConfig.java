package io.roster.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's configuration, after flags and files are merged. Immutable; {@link Builder} gives
 * Consul's defaults.
 *
 * @param nodeName        this agent's node name ({@code -node}; default: the host name)
 * @param datacenter      {@code -datacenter} (default {@code dc1})
 * @param dev             {@code -dev}: server + client in one process, state in memory
 * @param server          whether this agent is a server
 * @param clientAddr      {@code -client}: the address HTTP (and later DNS) bind to
 * @param httpPort        {@code -http-port} (default 8500; 0 picks a free port)
 * @param serverPort      the server RPC/Raft port advertised in {@code /v1/status} (default 8300)
 * @param logLevel        {@code -log-level}: trace, debug, info, warn, error
 * @param dataDir         {@code -data-dir}: where a server keeps Raft data (unused in dev mode)
 * @param sessionTtlMin   {@code session_ttl_min}: the smallest session TTL accepted (default 10s)
 * @param txnMaxOps       {@code txn_max_req_len}-style limit: operations per transaction (default 128)
 * @param kvMaxValueSize  {@code kv_max_value_size}: largest KV value in bytes (default 512 KiB)
 */
public record AgentConfig(String nodeName, String datacenter, boolean dev, boolean server, String clientAddr,
                          int httpPort, int serverPort, String logLevel, Path dataDir, Duration sessionTtlMin,
                          int txnMaxOps, long kvMaxValueSize) {

    /** The largest session TTL Consul accepts. */
    public static final Duration SESSION_TTL_MAX = Duration.ofHours(24);

    public static Builder builder() {
        return new Builder();
    }

    /** A dev agent on a free HTTP port, for tests. */
    public static AgentConfig devOnFreePort() {
        return builder().dev(true).httpPort(0).build();
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
        return b;
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private String nodeName = defaultNodeName();
        private String datacenter = "dc1";
        private boolean dev;
        private boolean server;
        private String clientAddr = "127.0.0.1";
        private int httpPort = 8500;
        private int serverPort = 8300;
        private String logLevel = "info";
        private Path dataDir;
        private Duration sessionTtlMin = Duration.ofSeconds(10);
        private int txnMaxOps = 128;
        private long kvMaxValueSize = 512 * 1024;

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

        /** Validates and builds; {@link IllegalArgumentException} with a one-line reason when invalid. */
        public AgentConfig build() {
            if (nodeName == null || !nodeName.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new IllegalArgumentException("invalid node name '" + nodeName
                        + "': use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
            }
            if (datacenter == null || !datacenter.matches("[a-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("invalid datacenter '" + datacenter
                        + "': use lowercase letters, digits, '-' or '_'");
            }
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("invalid HTTP port " + httpPort);
            }
            if (!logLevel.matches("(?i)trace|debug|info|warn|err|error")) {
                throw new IllegalArgumentException("invalid log level '" + logLevel + "': use trace, debug, info, warn or error");
            }
            if (sessionTtlMin.isNegative() || sessionTtlMin.isZero()) {
                throw new IllegalArgumentException("session_ttl_min must be positive");
            }
            if (txnMaxOps < 1) {
                throw new IllegalArgumentException("txn_max_ops must be at least 1");
            }
            if (kvMaxValueSize < 1) {
                throw new IllegalArgumentException("kv_max_value_size must be at least 1");
            }
            return new AgentConfig(nodeName, datacenter, dev, server || dev, clientAddr, httpPort, serverPort,
                    logLevel.toLowerCase(java.util.Locale.ROOT), dataDir, sessionTtlMin, txnMaxOps, kvMaxValueSize);
        }

        private static String defaultNodeName() {
            try {
                String h = java.net.InetAddress.getLocalHost().getHostName();
                int dot = h.indexOf('.');
                String n = dot > 0 ? h.substring(0, dot) : h;
                return n.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}") ? n : "roster";
            } catch (java.io.IOException e) {
                return "roster";
            }
        }
    }
}
