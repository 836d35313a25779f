package io.roster.cli;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster agent}: runs an agent in the foreground until Ctrl-C or SIGTERM.
 * Flags follow Consul's spelling ({@code -dev}, {@code -node=x}); {@code --flag} works too.
 */
@Command(name = "agent", sortOptions = false,
        description = "Run a Roster agent in the foreground (Ctrl-C or SIGTERM stops it).",
        footer = {"", "Examples:", "  roster agent -dev", "  roster agent -dev -http-port=18500 -node=laptop"})
final class AgentCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-dev", "--dev"}, description = "Development mode: one in-memory server bound to 127.0.0.1.")
    boolean dev;
    @Option(names = {"-server", "--server"}, description = "Run as a server (needs Raft; not available yet).")
    boolean server;
    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "Node name (default: the host name).")
    String node;
    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "Datacenter (default: dc1).")
    String datacenter;
    @Option(names = {"-client", "--client"}, paramLabel = "ADDR", description = "Address HTTP binds to (default: 127.0.0.1).")
    String client;
    @Option(names = {"-http-port", "--http-port"}, paramLabel = "PORT", description = "HTTP API port (default: 8500).")
    Integer httpPort;
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "trace, debug, info, warn, error (default: info).")
    String logLevel;
    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR", description = "Directory for server state (Raft log, snapshots).")
    Path dataDir;
    @Option(names = {"-session-ttl-min", "--session-ttl-min"}, paramLabel = "DURATION", description = "Smallest session TTL accepted (default: 10s).")
    String sessionTtlMin;

    static boolean running() {
        return running;
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig.Builder b = AgentConfig.builder().dev(dev).server(server);
        if (node != null) {
            b.nodeName(node);
        }
        if (datacenter != null) {
            b.datacenter(datacenter);
        }
        if (client != null) {
            b.clientAddr(client);
        }
        if (httpPort != null) {
            b.httpPort(httpPort);
        }
        if (logLevel != null) {
            b.logLevel(logLevel);
        }
        if (dataDir != null) {
            b.dataDir(dataDir);
        }
        if (sessionTtlMin != null) {
            b.sessionTtlMin(parseDuration("-session-ttl-min", sessionTtlMin));
        }
        AgentConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            System.err.println("roster agent: " + e.getMessage());
            return 2;
        }
        if (!config.dev()) {
            System.err.println("roster agent: only -dev mode is available in this version (server mode with -data-dir comes with Raft)");
            return 1;
        }
        String level = config.logLevel().equals("err") ? "error" : config.logLevel();
        System.setProperty("roster.log.level", level.toUpperCase(java.util.Locale.ROOT));
        Agent agent = new Agent(config);
        try {
            agent.start();
        } catch (java.io.IOException e) {
            System.err.println("roster agent: cannot listen on " + config.clientAddr() + ":" + config.httpPort() + ": " + e.getMessage());
            agent.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        running = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "roster-shutdown"));
        stopped.await();
        return 0;
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
