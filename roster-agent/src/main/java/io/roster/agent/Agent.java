package io.roster.agent;

import io.roster.agent.http.HttpServer;
import io.roster.agent.server.Server;
import io.roster.state.LocalReplicator;
import io.roster.state.Replicator;
import io.roster.state.Store;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Roster agent process: the store, the replicator (in-memory in dev mode), the server duties
 * and the HTTP API. Start with {@link #start()}, stop with {@link #close()}.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final String nodeId = UUID.randomUUID().toString();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService wake;
    private final Store store = new Store();
    private final Replicator replicator;
    private final Server server;
    private final HttpServer http;

    public Agent(AgentConfig config) {
        if (!config.dev()) {
            throw new IllegalArgumentException("only -dev mode exists so far: server mode with -data-dir comes with Raft");
        }
        this.config = config;
        this.scheduler = new ScheduledThreadPoolExecutor(1, named("roster-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        int cores = Runtime.getRuntime().availableProcessors();
        this.wake = Executors.newFixedThreadPool(Math.max(2, cores), named("roster-wake"));
        this.replicator = new LocalReplicator(store, config.clientAddr() + ":" + config.serverPort());
        this.server = new Server(replicator, config.sessionTtlMin(), scheduler, System::nanoTime);
        this.http = new HttpServer(config, nodeId, server, scheduler, wake);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts serving; returns once HTTP is listening. */
    public Agent start() throws Exception {
        http.start();
        LOG.info("Roster agent {} started: node={} datacenter={} mode={} http=http://{}:{}", Version.ROSTER,
                config.nodeName(), config.datacenter(), config.dev() ? "dev (in-memory)" : "server",
                config.clientAddr(), http.port());
        return this;
    }

    public int httpPort() {
        return http.port();
    }

    /** {@code http://host:port} of the HTTP API. */
    public String httpAddress() {
        return "http://" + config.clientAddr() + ":" + http.port();
    }

    public AgentConfig config() {
        return config;
    }

    public Store store() {
        return store;
    }

    public Server server() {
        return server;
    }

    public HttpServer http() {
        return http;
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (Exception e) {
            LOG.warn("HTTP stop: {}", e.toString());
        }
        server.close();
        scheduler.shutdownNow();
        wake.shutdownNow();
        try {
            wake.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Roster agent stopped");
    }
}
