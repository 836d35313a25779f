package io.roster.cli;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.config.ConfigException;
import io.roster.agent.config.ConfigLoader;
import io.roster.agent.config.LoadedConfig;
import io.roster.agent.config.Logging;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster agent}: runs an agent in the foreground until Ctrl-C or SIGTERM.
 * Flags follow Consul's spelling ({@code -dev}, {@code -node=x}); {@code --flag} works too.
 * Settings come from the config files ({@code -config-file}, {@code -config-dir}) with the flags
 * over them, as in Consul; a broken file stops the agent with one line naming the file.
 */
@Command(name = "agent", sortOptions = false,
        description = "Run a Roster agent in the foreground (Ctrl-C or SIGTERM stops it).",
        footer = {"", "Examples:", "  roster agent -dev", "  roster agent -dev -http-port=18500 -node=laptop",
                "  roster agent -dev -config-dir=/etc/consul.d -node-meta=rack:r1"})
final class AgentCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-dev", "--dev"}, description = "Development mode: one in-memory server bound to 127.0.0.1.")
    boolean dev;
    @Option(names = {"-server", "--server"}, description = "Run as a server: hold the replicated state (Raft) on the server port; needs -data-dir.")
    boolean server;
    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "Node name (default: the host name).")
    String node;
    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "Datacenter (default: dc1).")
    String datacenter;
    @Option(names = {"-client", "--client"}, paramLabel = "ADDRS",
            description = "Address(es) HTTP and DNS bind to: space-separated, or a go-sockaddr template (default: 127.0.0.1).")
    String client;
    @Option(names = {"-http-port", "--http-port"}, paramLabel = "PORT", description = "HTTP API port (default: 8500).")
    Integer httpPort;
    @Option(names = {"-https-port", "--https-port"}, paramLabel = "PORT",
            description = "HTTPS API port (default: -1, off; needs tls certificate settings).")
    Integer httpsPort;
    @Option(names = {"-server-port", "--server-port"}, paramLabel = "PORT", description = "Server RPC / Raft port (default: 8300).")
    Integer serverPort;
    @Option(names = {"-serf-lan-port", "--serf-lan-port"}, paramLabel = "PORT",
            description = "LAN gossip port, UDP and TCP (default: 8301; server: server port + 1; -dev: any free port).")
    Integer serfLanPort;
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "trace, debug, info, warn, error (default: info).")
    String logLevel;
    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR", description = "Directory for server state (Raft log, snapshots).")
    Path dataDir;
    @Option(names = {"-session-ttl-min", "--session-ttl-min"}, paramLabel = "DURATION", description = "Smallest session TTL accepted (default: 10s).")
    String sessionTtlMin;
    @Option(names = {"-bind", "--bind"}, paramLabel = "ADDR",
            description = "Address for cluster traffic, or a go-sockaddr template (default: 0.0.0.0, advertising the host's private IPv4; 127.0.0.1 with -dev).")
    String bind;
    @Option(names = {"-dns-port", "--dns-port"}, paramLabel = "PORT", description = "DNS port (default: 8600; -1 turns DNS off).")
    Integer dnsPort;
    @Option(names = {"-ui", "--ui"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Serve the web UI at /ui/ (ui_config.enabled; on with -dev).")
    Boolean ui;
    @Option(names = {"-ui-dir", "--ui-dir"}, paramLabel = "DIR", description = "Serve this directory at /ui/ instead of the built-in UI (ui_config.dir).")
    String uiDir;
    @Option(names = {"-enable-script-checks", "--enable-script-checks"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Allow script checks from config files and the HTTP API.")
    Boolean enableScriptChecks;
    @Option(names = {"-enable-local-script-checks", "--enable-local-script-checks"}, arity = "0..1", fallbackValue = "true",
            paramLabel = "BOOL", description = "Allow script checks from config files only.")
    Boolean enableLocalScriptChecks;
    @Option(names = {"-node-meta", "--node-meta"}, paramLabel = "KEY:VALUE", description = "Node metadata pair (repeatable).")
    List<String> nodeMeta = new ArrayList<>();
    @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}, paramLabel = "N", description = "Servers to wait for before electing a leader (server mode).")
    Integer bootstrapExpect;
    @Option(names = {"-retry-join", "--retry-join"}, paramLabel = "ADDR",
            description = "Gossip address (host[:port], port 8301) of an agent to join, retried until one answers (repeatable).")
    List<String> retryJoin = new ArrayList<>();
    // membership: joining, bootstrapping, leaving
    @Option(names = {"-join", "--join"}, paramLabel = "ADDR",
            description = "Gossip address (host[:port], port 8301) of an agent to join at start; the agent stops if none answers (repeatable).")
    List<String> startJoin = new ArrayList<>();
    @Option(names = {"-join-wan", "--join-wan"}, paramLabel = "ADDR",
            description = "WAN gossip address (host[:port], port 8302) of a server to join at start (servers; repeatable).")
    List<String> startJoinWan = new ArrayList<>();
    @Option(names = {"-retry-join-wan", "--retry-join-wan"}, paramLabel = "ADDR",
            description = "WAN gossip address of a server to join, retried until one answers (servers; repeatable).")
    List<String> retryJoinWan = new ArrayList<>();
    @Option(names = {"-retry-interval", "--retry-interval"}, paramLabel = "DURATION", description = "Time between -retry-join attempts (default: 30s).")
    String retryInterval;
    @Option(names = {"-retry-interval-wan", "--retry-interval-wan"}, paramLabel = "DURATION",
            description = "Time between -retry-join-wan attempts (default: 30s).")
    String retryIntervalWan;
    @Option(names = {"-retry-max", "--retry-max"}, paramLabel = "N", description = "-retry-join attempts before giving up (default: 0, forever).")
    Integer retryMax;
    @Option(names = {"-bootstrap", "--bootstrap"}, description = "Server mode: elect this server alone (a one-server cluster).")
    boolean bootstrap;
    @Option(names = {"-node-id", "--node-id"}, paramLabel = "UUID",
            description = "This node's ID (default: generated once and kept in <data-dir>/node-id).")
    String nodeId;
    @Option(names = {"-encrypt", "--encrypt"}, paramLabel = "KEY", description = "Gossip encryption key, base64 (16, 24 or 32 bytes).")
    String encrypt;
    @Option(names = {"-recursor", "--recursor"}, paramLabel = "ADDR", description = "Upstream DNS server for names outside the domain (repeatable).")
    List<String> recursors = new ArrayList<>();
    @Option(names = {"-domain", "--domain"}, paramLabel = "DOMAIN", description = "DNS domain to answer (default: consul.).")
    String domain;
    @Option(names = {"-alt-domain", "--alt-domain"}, paramLabel = "DOMAIN", description = "A second DNS domain to answer.")
    String altDomain;

    // Addresses, process and log files (issue 14).
    @Option(names = {"-advertise", "--advertise"}, paramLabel = "ADDR",
            description = "Address other agents reach this one at, or a go-sockaddr template (default: the bind address).")
    String advertise;
    @Option(names = {"-advertise-wan", "--advertise-wan"}, paramLabel = "ADDR",
            description = "WAN address for other datacenters' servers (default: the advertise address).")
    String advertiseWan;
    @Option(names = {"-serf-wan-port", "--serf-wan-port"}, paramLabel = "PORT", description = "WAN gossip port of a server (default: 8302; -1: no WAN pool).")
    Integer serfWanPort;
    @Option(names = {"-pid-file", "--pid-file"}, paramLabel = "FILE", description = "Write the agent's process ID to this file.")
    Path pidFile;
    @Option(names = {"-log-file", "--log-file"}, paramLabel = "PATH",
            description = "Also log to this file (a directory when it ends in '/': consul.log in it).")
    String logFile;
    @Option(names = {"-log-rotate-bytes", "--log-rotate-bytes"}, paramLabel = "N", description = "Rotate the log file at this size (default: no limit).")
    Long logRotateBytes;
    @Option(names = {"-log-rotate-duration", "--log-rotate-duration"}, paramLabel = "DURATION", description = "Rotate the log file this often (default: 24h).")
    String logRotateDuration;
    @Option(names = {"-log-rotate-max-files", "--log-rotate-max-files"}, paramLabel = "N",
            description = "Rotated log files to keep (default: 0, all; -1: none).")
    Integer logRotateMaxFiles;
    @Option(names = {"-config-format", "--config-format"}, paramLabel = "FORMAT",
            description = "Read every config file as 'json' or 'hcl', whatever its extension.")
    String configFormat;

    /** -config-file and -config-dir values, in command-line order: a later path wins, whichever flag named it (as in Consul). */
    private final List<Path> configPaths = new ArrayList<>();
    private int configFilesSeen;
    private int configDirsSeen;

    @Option(names = {"-config-file", "--config-file"}, paramLabel = "FILE",
            description = "A JSON (.json) or HCL (.hcl) config file (repeatable; later files win).")
    void configFile(List<Path> values) {
        configFilesSeen = addNew(values, configFilesSeen);
    }

    @Option(names = {"-config-dir", "--config-dir"}, paramLabel = "DIR",
            description = "A directory whose *.json and *.hcl files are read in lexical order (repeatable).")
    void configDir(List<Path> values) {
        configDirsSeen = addNew(values, configDirsSeen);
    }

    // picocli calls a list option's setter after each occurrence with all of its values so far, so the
    // new ones are at the end; taking them as they come keeps the two flags interleaved as typed.
    private int addNew(List<Path> values, int seen) {
        for (int i = seen; i < values.size(); i++) {
            configPaths.add(values.get(i));
        }
        return Math.max(seen, values.size());
    }

    static boolean running() {
        return running;
    }

    @Override
    public Integer call() throws Exception {
        UnaryOperator<AgentConfig.Builder> flags = flags();
        // Reading the files logs: start at the flag's level; a level from a file is applied below.
        Logging.setLevel(logLevel != null && logLevel.matches("(?i)trace|debug|info|warn|err|error") ? logLevel : "info");
        List<Path> paths = List.copyOf(configPaths);
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(paths, configFormat, flags);
        } catch (ConfigException e) {
            System.err.println("roster agent: " + e.getMessage());
            // With no files, only a flag can be at fault: a usage error.
            return e.file() == null && paths.isEmpty() ? 2 : 1;
        }
        AgentConfig config = loaded.agent();
        if (!config.dev() && config.dataDir() == null) {
            // As Consul, every agent but a dev one needs a data directory (a client keeps nothing there yet).
            System.err.println(config.server() ? "roster agent: a server needs -data-dir for its Raft log and snapshots"
                    : "roster agent: Must specify data directory using -data-dir");
            return 1;
        }
        try {
            config.advertiseAddr(); // as Consul: bound to 0.0.0.0, the host must have exactly one private IPv4 address
        } catch (IllegalArgumentException e) {
            System.err.println("roster agent: " + Main.oneLine(e.getMessage()));
            return 1;
        }
        Logging.setLevel(config.logLevel());
        if (config.process().logFile() != null) {
            try {
                Logging.toFile(config.process());
            } catch (RuntimeException e) {
                System.err.println("roster agent: cannot log to " + config.process().logFile() + ": " + Main.oneLine(e.getMessage()));
                return 1;
            }
        }
        if (config.process().pidFile() != null && !writePid(config.process().pidFile())) {
            return 1;
        }
        // The first read is used as is; a reload (/v1/agent/reload) reads the same paths again.
        AtomicReference<LoadedConfig> first = new AtomicReference<>(loaded);
        Agent agent = new Agent(config, () -> {
            LoadedConfig f = first.getAndSet(null);
            return f != null ? f : ConfigLoader.load(paths, configFormat, flags);
        });
        try {
            agent.start();
        } catch (java.io.IOException e) {
            System.err.println("roster agent: cannot listen on " + config.clientAddr() + ":"
                    + (config.httpPort() >= 0 ? config.httpPort() : config.httpsPort()) + ": " + e.getMessage());
            agent.close();
            deletePid(config);
            return 1;
        } catch (IllegalStateException e) {
            System.err.println("roster agent: " + e.getMessage()); // -join / start_join: no address answered
            agent.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        running = true;
        // SIGHUP re-reads the configuration files, like Consul; a broken file keeps the old configuration.
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                String err = agent.reload();
                if (err != null) {
                    System.err.println("roster agent: " + err);
                }
            });
        } catch (IllegalArgumentException unsupported) {
            // No SIGHUP on this platform: /v1/agent/reload still works.
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            deletePid(config);
            stopped.countDown();
        }, "roster-shutdown"));
        // As Consul: SIGINT leaves gracefully unless skip_leave_on_interrupt (servers' default), SIGTERM only
        // with leave_on_terminate (client agents' default); otherwise the agent just stops (others see it fail).
        handleStop("INT", !config.membership().skipLeaveOnInterrupt(), agent, stopped);
        handleStop("TERM", config.membership().leaveOnTerminate(), agent, stopped);
        // After a graceful leave (roster leave, /v1/agent/leave) the process stops with status 0.
        agent.onLeft(() -> {
            agent.close();
            stopped.countDown();
        });
        stopped.await();
        return agent.joinExhausted() ? 1 : 0;
    }

    /** On {@code signal}: a graceful leave first when {@code leave} (bounded by the leave's own timeouts), then stop. */
    private static void handleStop(String signal, boolean leave, Agent agent, CountDownLatch stopped) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), sig -> Thread.ofPlatform().name("roster-sig" + signal.toLowerCase()).start(() -> {
                if (leave) {
                    System.err.println("roster agent: caught SIG" + signal + ", leaving the cluster gracefully");
                    try {
                        agent.leave().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.err.println("roster agent: graceful leave did not finish: " + e.getMessage());
                    }
                } else {
                    System.err.println("roster agent: caught SIG" + signal + ", stopping without leaving");
                }
                agent.close();
                stopped.countDown();
            }));
        } catch (IllegalArgumentException unsupported) {
            // This platform does not let us handle it: the shutdown hook still stops the agent.
        }
    }

    /** The configuration these flags and files give, without starting anything (used by tests too). */
    LoadedConfig loadConfig() {
        return ConfigLoader.load(List.copyOf(configPaths), configFormat, flags());
    }

    /** As Consul: the PID and no newline, written before the agent serves; removed when it stops. */
    private static boolean writePid(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            java.nio.file.Files.writeString(file, Long.toString(ProcessHandle.current().pid()));
            return true;
        } catch (java.io.IOException e) {
            System.err.println("roster agent: cannot write the PID file " + file + ": " + Main.oneLine(String.valueOf(e.getMessage())));
            return false;
        }
    }

    private static void deletePid(AgentConfig config) {
        Path f = config.process().pidFile();
        if (f == null) {
            return;
        }
        try {
            java.nio.file.Files.deleteIfExists(f);
        } catch (java.io.IOException ignored) {
            // The next start overwrites it.
        }
    }

    /** Sets on a builder (already holding the files' settings) only the flags that were given. */
    private UnaryOperator<AgentConfig.Builder> flags() {
        Duration ttlMin = sessionTtlMin == null ? null : parseDuration("-session-ttl-min", sessionTtlMin);
        Duration rotateEvery = logRotateDuration == null ? null : parseDuration("-log-rotate-duration", logRotateDuration);
        Duration retryIntervalValue = retryInterval == null ? null : parseDuration("-retry-interval", retryInterval);
        Duration retryIntervalWanValue = retryIntervalWan == null ? null : parseDuration("-retry-interval-wan", retryIntervalWan);
        return b -> {
            if (dev) {
                b.dev(true);
            }
            if (server) {
                b.server(true);
            }
            if (node != null) {
                b.nodeName(node);
            }
            if (datacenter != null) {
                b.datacenter(datacenter);
            }
            if (client != null) {
                b.clientAddr(client);
            }
            if (serverPort != null) {
                b.serverPort(serverPort);
            }
            if (httpsPort != null) {
                b.httpsPort(httpsPort);
            }
            if (httpPort != null) {
                b.httpPort(httpPort);
            }
            if (serfLanPort != null) {
                b.serfLanPort(serfLanPort);
            }
            if (logLevel != null) {
                b.logLevel(logLevel);
            }
            if (dataDir != null) {
                b.dataDir(dataDir);
            }
            if (ttlMin != null) {
                b.sessionTtlMin(ttlMin);
            }
            if (bind != null) {
                b.bindAddr(bind);
            }
            if (dnsPort != null) {
                b.dnsPort(dnsPort);
            }
            if (uiDir != null) {
                b.uiDir(java.nio.file.Path.of(uiDir));
            }
            if (ui != null) {
                b.ui(ui);
            }
            if (enableScriptChecks != null) {
                b.enableScriptChecks(enableScriptChecks);
            }
            if (enableLocalScriptChecks != null) {
                b.enableLocalScriptChecks(enableLocalScriptChecks);
            }
            for (String pair : nodeMeta) {
                int colon = pair.indexOf(':'); // as Consul: "key" alone means an empty value
                b.putNodeMeta(colon < 0 ? pair : pair.substring(0, colon), colon < 0 ? "" : pair.substring(colon + 1));
            }
            if (bootstrapExpect != null) {
                b.bootstrapExpect(bootstrapExpect);
            }
            b.addRetryJoin(retryJoin);
            b.addStartJoin(startJoin);
            b.addStartJoinWan(startJoinWan);
            b.addRetryJoinWan(retryJoinWan);
            if (retryIntervalWanValue != null) {
                b.retryIntervalWan(retryIntervalWanValue);
            }
            if (retryIntervalValue != null) {
                b.retryInterval(retryIntervalValue);
            }
            if (retryMax != null) {
                b.retryMax(retryMax);
            }
            if (bootstrap) {
                b.bootstrap(true);
            }
            if (nodeId != null) {
                b.nodeId(nodeId);
            }
            b.addRecursors(recursors);
            if (encrypt != null) {
                b.encrypt(encrypt);
            }
            if (domain != null) {
                b.domain(domain);
            }
            if (altDomain != null) {
                b.altDomain(altDomain);
            }
            // Addresses, process and log files (issue 14).
            if (advertise != null) {
                b.advertiseAddr(advertise);
            }
            if (advertiseWan != null) {
                b.advertiseAddrWan(advertiseWan);
            }
            if (serfWanPort != null) {
                b.serfWanPort(serfWanPort);
            }
            if (pidFile != null) {
                b.pidFile(pidFile);
            }
            if (logFile != null) {
                b.logFile(logFile);
            }
            if (logRotateBytes != null) {
                b.logRotateBytes(logRotateBytes);
            }
            if (rotateEvery != null) {
                b.logRotateDuration(rotateEvery);
            }
            if (logRotateMaxFiles != null) {
                b.logRotateMaxFiles(logRotateMaxFiles);
            }
            return b;
        };
    }

    private static Duration parseDuration(String flag, String v) {
        try {
            return io.roster.api.Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new AgentCommand()),
                    "invalid value for " + flag + ": " + e.getMessage());
        }
    }
}
