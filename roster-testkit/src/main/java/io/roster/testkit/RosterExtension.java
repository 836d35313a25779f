package io.roster.testkit;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.CatalogDeregistration;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.SessionEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Roster in this JVM for a test: one dev agent (in memory, no Raft; the default) or a
 * cluster of Raft servers on loopback with their data in a temporary directory, every port
 * (HTTP, DNS, server RPC/Raft, gossip) taken from {@link Ports} (20000-32767).
 *
 * <p>As a static field, one Roster serves the whole class (started before the first test,
 * stopped after the last); as an instance field, each test gets a fresh one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RosterExtension ROSTER = RosterExtension.dev();         // or .cluster(3)
 *
 * @Test
 * void putsAKey() {
 *     ROSTER.client().kv().put("app/flag", "on".getBytes());
 * }
 * }</pre>
 *
 * <p>{@link #resetAfterEach()} (or {@link #reset()} called by the test) empties the agent between
 * tests instead of starting a new one. {@link RosterTest} registers this extension from an
 * annotation. Outside JUnit, {@link #start()} and {@link #close()} do the same as the callbacks
 * (as Curator's {@code TestingServer}).
 *
 * <p>Test methods, lifecycle methods and constructors may declare a {@link RosterClient}, an
 * {@link Agent} (the first one), a {@link URI} ({@code http://127.0.0.1:port}), a
 * {@link RosterAddress @RosterAddress} {@code String} ({@code 127.0.0.1:port}) or this extension as
 * parameters.
 *
 * <p>Defaults that differ from a production agent, for tests: node name {@value #DEFAULT_NODE},
 * everything bound to 127.0.0.1, {@code session_ttl_min = 1s} (Consul: 10s) so that session
 * expiry can be seen quickly.
 */
public final class RosterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver, AutoCloseable {
    /** The default node name of a dev agent (cluster servers add {@code -0}, {@code -1}, ...). */
    public static final String DEFAULT_NODE = "roster-test";

    private static final Logger LOG = LoggerFactory.getLogger(RosterExtension.class);
    private static final String LOOPBACK = "127.0.0.1";
    /** Ports are checked free but another process may bind one first: start again on new ports this many times. */
    private static final int START_ATTEMPTS = 5;
    private static final Duration CLUSTER_READY = Duration.ofSeconds(60);
    private static final Duration RESET_SETTLED = Duration.ofSeconds(10);

    /** Whether the settings come from a {@link RosterTest} annotation (the extension was created by JUnit). */
    private final boolean fromAnnotation;
    private int servers;
    private boolean dns = true;
    private boolean resetAfterEach;
    private String nodeName = DEFAULT_NODE;
    private UnaryOperator<AgentConfig.Builder> customize = UnaryOperator.identity();

    private final List<Agent> agents = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();
    /** Indexes into {@link #agents} of cluster servers a test has stopped with {@link #stop(int)}. */
    private final Set<Integer> stopped = new HashSet<>();
    private RosterClient client;
    private Duration startTime;
    /** The unique ID of the JUnit node whose end stops the agents; null when started outside JUnit. */
    private String owner;

    /**
     * The extension as {@link RosterTest} (or {@code @ExtendWith(RosterExtension.class)}) creates it:
     * settings from the test class's {@link RosterTest} annotation, if any, else one dev agent.
     */
    public RosterExtension() {
        this(0, true);
    }

    private RosterExtension(int servers, boolean fromAnnotation) {
        this.servers = servers;
        this.fromAnnotation = fromAnnotation;
    }

    /** One dev agent: in memory, its own leader from the start (the fast choice). */
    public static RosterExtension dev() {
        return new RosterExtension(0, false);
    }

    /**
     * A cluster of {@code servers} real Raft servers (Apache Ratis over gRPC on 127.0.0.1), data in
     * a temporary directory deleted on close; started once a leader is elected and every server is
     * in the catalog. {@link #client()} talks to the first server.
     */
    public static RosterExtension cluster(int servers) {
        if (servers < 1) {
            throw new IllegalArgumentException("a cluster needs at least one server, not " + servers);
        }
        return new RosterExtension(servers, false);
    }

    /** Further agent settings, applied to each agent's builder after the testkit's own (ports, node name). */
    public RosterExtension configure(UnaryOperator<AgentConfig.Builder> customize) {
        UnaryOperator<AgentConfig.Builder> before = this.customize;
        this.customize = b -> customize.apply(before.apply(b));
        return this;
    }

    /** The dev agent's node name; cluster servers are named {@code <name>-0}, {@code <name>-1}, ... */
    public RosterExtension nodeName(String name) {
        this.nodeName = name;
        return this;
    }

    /** No DNS server (an HTTP-only test saves two ports and a thread). */
    public RosterExtension withoutDns() {
        this.dns = false;
        return this;
    }

    /** After each test, {@link #reset()} the agents instead of keeping what the test wrote. */
    public RosterExtension resetAfterEach() {
        this.resetAfterEach = true;
        return this;
    }

    // ------------------------------------------------------------------ JUnit callbacks

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(owner)) {
            close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        startFor(context); // an instance field: no beforeAll, a fresh Roster per test
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getUniqueId().equals(owner)) {
            close();
        } else if (resetAfterEach && !agents.isEmpty()) {
            reset();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> t = p.getParameter().getType();
        return t == RosterClient.class || t == Agent.class || t == URI.class || t == RosterExtension.class
                || t == String.class && p.isAnnotated(RosterAddress.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        if (agents.isEmpty()) {
            // A constructor of a per-class test instance runs before beforeAll: start for the class.
            ExtensionContext c = context;
            while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
                c = c.getParent().get();
            }
            try {
                startFor(c);
            } catch (Exception e) {
                throw new IllegalStateException("roster-testkit: cannot start Roster: " + e.getMessage(), e);
            }
        }
        Class<?> t = p.getParameter().getType();
        if (t == RosterClient.class) {
            return client;
        }
        if (t == Agent.class) {
            return agent();
        }
        if (t == URI.class) {
            return httpUri();
        }
        if (t == String.class) {
            return httpAddress();
        }
        return this;
    }

    private void startFor(ExtensionContext context) throws Exception {
        if (agents.isEmpty()) {
            if (fromAnnotation && context.getTestClass().isPresent()) {
                findAnnotation(context.getTestClass().get()).ifPresent(this::apply);
            }
            start();
            owner = context.getUniqueId();
        }
    }

    private void apply(RosterTest a) {
        servers = a.servers();
        dns = a.dns();
        resetAfterEach = a.resetAfterEach();
        nodeName = a.nodeName();
    }

    /** The {@link RosterTest} on the class, a superclass (inherited) or, for a nested class, an enclosing class. */
    private static Optional<RosterTest> findAnnotation(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            RosterTest a = k.getAnnotation(RosterTest.class);
            if (a != null) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ lifecycle outside JUnit

    /** Starts the agents (a no-op when running); returns once they answer HTTP and are in the catalog. */
    public synchronized RosterExtension start() throws Exception {
        if (!agents.isEmpty()) {
            return this;
        }
        long t0 = System.nanoTime();
        if (servers == 0) {
            agents.add(startDev());
        } else {
            startCluster();
        }
        client = RosterClient.create(agent().httpAddress());
        startTime = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("roster-testkit: {} started in {} ms, HTTP at {}",
                servers == 0 ? "dev agent" : servers + "-server cluster", startTime.toMillis(), agent().httpAddress());
        return this;
    }

    /** Stops every agent and deletes the cluster's data directories; the extension may be started again. */
    @Override
    public synchronized void close() {
        for (int i = agents.size() - 1; i >= 0; i--) {
            try {
                agents.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("roster-testkit: stopping {}: {}", agents.get(i).config().nodeName(), e.toString());
            }
        }
        agents.clear();
        stopped.clear();
        deleteDataDirs();
        client = null;
        owner = null;
    }

    private Agent startDev() throws Exception {
        for (int attempt = 1; ; attempt++) {
            AgentConfig.Builder b = base(nodeName).dev(true).serverPort(Ports.free()).serfLanPort(Ports.free());
            Agent a = null;
            try {
                a = new Agent(customize.apply(b).build());
                return a.start();
            } catch (Exception | Error e) {
                closeQuietly(a);
                if (attempt == START_ATTEMPTS || !bindFailure(e)) {
                    throw e;
                }
                LOG.warn("roster-testkit: a port was taken before the agent bound it ({}); starting again on new ports", e.getMessage());
            }
        }
    }

    private void startCluster() throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                startClusterOnce();
                return;
            } catch (Exception | Error e) {
                close();
                if (attempt == START_ATTEMPTS || !bindFailure(e)) {
                    throw e;
                }
                LOG.warn("roster-testkit: a port was taken before a server bound it ({}); starting again on new ports", e.getMessage());
            }
        }
    }

    private void startClusterOnce() throws Exception {
        List<Integer> serverPorts = new ArrayList<>();
        List<String> gossip = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            int p = Ports.freePair(); // the gossip port sits next to the Raft port, as Consul's 8300/8301
            serverPorts.add(p);
            gossip.add(LOOPBACK + ":" + (p + 1));
        }
        for (int i = 0; i < servers; i++) {
            Path dir = Files.createTempDirectory("roster-testkit-" + i + "-");
            dataDirs.add(dir);
            AgentConfig.Builder b = base(nodeName + "-" + i).server(true).dataDir(dir)
                    .serverPort(serverPorts.get(i)).serfLanPort(serverPorts.get(i) + 1).bootstrapExpect(servers);
            if (servers > 1) {
                b.retryJoin(gossip);
            }
            Agent a = new Agent(customize.apply(b).build());
            agents.add(a); // before start: a failed start is closed with the others
            a.start();
        }
        long deadline = System.nanoTime() + CLUSTER_READY.toNanos();
        awaitUntil(deadline, () -> agents.stream().anyMatch(a -> a.server().replicator().isLeader())
                && agents.stream().allMatch(Agent::registered),
                "a " + servers + "-server cluster did not elect a leader and register every server in " + CLUSTER_READY.toSeconds() + " s");
    }

    private AgentConfig.Builder base(String node) throws IOException {
        return AgentConfig.builder().nodeName(node).bindAddr(LOOPBACK).clientAddr(LOOPBACK)
                .httpPort(Ports.free()).dnsPort(dns ? Ports.free() : -1).sessionTtlMin(Duration.ofSeconds(1));
    }

    private static boolean bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof BindException || m.contains("Address already in use") || m.contains("cannot bind")) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(Agent a) {
        if (a != null) {
            try {
                a.close();
            } catch (RuntimeException e) {
                LOG.debug("roster-testkit: closing a failed agent", e);
            }
        }
    }

    private void deleteDataDirs() {
        for (Path dir : dataDirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("roster-testkit: cannot delete {}: {}", dir, e.toString());
            }
        }
        dataDirs.clear();
    }

    // ------------------------------------------------------------------ what tests use

    /** The first agent (the dev agent, or the first server of a cluster). */
    public Agent agent() {
        return running().get(0);
    }

    /** Every agent, in start order (one for a dev agent); a server stopped with {@link #stop(int)} keeps its place. */
    public List<Agent> agents() {
        return Collections.unmodifiableList(running());
    }

    /**
     * Stops server {@code i} of a cluster as a crash would (no leave; its data directory stays), so
     * that a test can watch the others carry on. {@link #leader()} and {@link #reset()} skip it until
     * {@link #restart(int)}; {@link #client()} keeps talking to server 0, so after {@code stop(0)} use
     * {@link #client(Agent)} with another server.
     */
    public synchronized void stop(int i) {
        Agent a = running().get(i);
        if (servers == 0) {
            throw new IllegalStateException("roster-testkit: stop(i) is for cluster servers; close() stops a dev agent");
        }
        stopped.add(i);
        a.close();
    }

    /** Starts stopped server {@code i} again from its data directory, on the same ports, and returns it. */
    public synchronized Agent restart(int i) throws Exception {
        if (!stopped.contains(i)) {
            throw new IllegalStateException("roster-testkit: server " + i + " is not stopped");
        }
        Agent a = new Agent(agents.get(i).config());
        agents.set(i, a);
        try {
            a.start();
        } catch (Exception | Error e) {
            a.close();
            throw e;
        }
        stopped.remove(i);
        return a;
    }

    /** The agents not stopped with {@link #stop(int)}. */
    private List<Agent> live() {
        List<Agent> out = new ArrayList<>();
        List<Agent> all = running();
        for (int i = 0; i < all.size(); i++) {
            if (!stopped.contains(i)) {
                out.add(all.get(i));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("roster-testkit: every server is stopped");
        }
        return out;
    }

    /** The cluster's current Raft leader (the dev agent in dev mode); waits up to 60 s for an election. */
    public Agent leader() {
        List<Agent> all = live();
        if (servers == 0) {
            return all.get(0);
        }
        long deadline = System.nanoTime() + CLUSTER_READY.toNanos();
        awaitUntil(deadline, () -> all.stream().anyMatch(a -> a.server().replicator().isLeader()),
                "no Raft leader in " + CLUSTER_READY.toSeconds() + " s");
        return all.stream().filter(a -> a.server().replicator().isLeader()).findFirst().orElseThrow();
    }

    /** The public client, talking to {@link #agent()}. */
    public RosterClient client() {
        running();
        return client;
    }

    /** A client for another agent of the cluster. */
    public RosterClient client(Agent agent) {
        return RosterClient.create(agent.httpAddress());
    }

    /** {@code http://127.0.0.1:port} of {@link #agent()}. */
    public URI httpUri() {
        return URI.create(agent().httpAddress());
    }

    /** {@code 127.0.0.1:port} of {@link #agent()}: the form of {@code CONSUL_HTTP_ADDR}. */
    public String httpAddress() {
        return LOOPBACK + ":" + httpPort();
    }

    /** The HTTP port of {@link #agent()}. */
    public int httpPort() {
        return agent().httpPort();
    }

    /** The DNS port (UDP and TCP on 127.0.0.1) of {@link #agent()}; -1 without DNS. */
    public int dnsPort() {
        return agent().dns() == null ? -1 : agent().dns().port();
    }

    /**
     * How many blocking queries ({@code ?index=}) are parked in the agents right now: shows that a
     * client under test really long-polls rather than polling in a loop.
     */
    public long blockingQueries() {
        return running().stream().mapToLong(a -> a.http().blocking().parked()).sum();
    }

    /** How long the last {@link #start()} took, until every agent answered; null before a start. */
    public Duration startTime() {
        return startTime;
    }

    /**
     * Empties the Roster for the next test without restarting it: deletes every KV entry and
     * session, deregisters every service and check registered with an agent (the agents' own
     * {@code consul} service and {@code serfHealth} stay), and deregisters every catalog node that
     * is not one of the agents. Returns once the catalog lists only {@code consul} (at most 10 s).
     * Prepared queries, events and ACL state are not touched. Stopped servers are skipped.
     */
    public synchronized void reset() {
        List<Agent> all = live();
        RosterClient client = client(all.get(0));
        client.kv().deleteTree("");
        for (SessionEntry s : client.session().list(QueryOptions.DEFAULT).value()) {
            client.session().destroy(s.id());
        }
        Set<String> ours = new HashSet<>();
        running().forEach(a -> ours.add(a.config().nodeName()));
        for (Agent a : all) {
            RosterClient c = client(a);
            for (String id : c.agent().services().keySet()) {
                if (!id.equals("consul")) {
                    c.agent().serviceDeregister(id);
                }
            }
            for (HealthCheck check : c.agent().checks().values()) {
                if (!check.checkId().equals("serfHealth") && (check.serviceId() == null || check.serviceId().isEmpty())) {
                    deregisterCheck(a, check.checkId());
                }
            }
        }
        for (Node n : client.catalog().nodes(Map.of(), QueryOptions.DEFAULT).value()) {
            if (!ours.contains(n.node())) {
                client.catalog().deregister(new CatalogDeregistration(n.node(), null, null, null));
            }
        }
        awaitUntil(System.nanoTime() + RESET_SETTLED.toNanos(),
                () -> client.catalog().services(Map.of(), QueryOptions.DEFAULT.withConsistent()).value().keySet().equals(Set.of("consul")),
                "the catalog still lists services other than consul " + RESET_SETTLED.toSeconds() + " s after reset()");
    }

    private static void deregisterCheck(Agent a, String checkId) {
        URI uri = URI.create(a.httpAddress() + "/v1/agent/check/deregister/" + URLEncoder.encode(checkId, StandardCharsets.UTF_8));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("deregister check " + checkId + ": " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private List<Agent> running() {
        if (agents.isEmpty()) {
            throw new IllegalStateException("roster-testkit: Roster is not running (register the extension, or call start())");
        }
        return agents;
    }

    /** Polls {@code done} every 50 ms until it holds or {@code deadline} (System.nanoTime) passes. */
    private static void awaitUntil(long deadline, BooleanSupplier done, String failure) {
        while (true) {
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not ready yet (no leader, HTTP not answering): try again until the deadline
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("roster-testkit: " + failure + ": " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("roster-testkit: " + failure);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("roster-testkit: interrupted while waiting: " + failure, e);
            }
        }
    }
}
