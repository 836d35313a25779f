package io.roster.agent.checks;

import io.roster.api.Durations;

import io.roster.api.CheckDefinition;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent's health checks: one runner per check ID, reporting results to a {@link CheckSink}.
 *
 * <p><b>Status.</b> A check is registered critical, or with its definition's {@code Status}; setting
 * that initial status is the caller's job. Runners report only the results of runs (and TTL updates
 * and expiries), and only when status or output changed since their last report; the first result
 * after {@link #start} is always reported.
 *
 * <p><b>Timing.</b> Interval checks (HTTP, TCP, UDP, script, gRPC) first run after a random stagger
 * within one interval, then one interval after each run ends; intervals below 1s are raised to 1s
 * (Consul's {@code MinInterval}). Alias checks poll their {@link AliasResolver} at once and then
 * every second. TTL checks expire {@code TTL} after start or after their last update.
 *
 * <p><b>Threads.</b> The given scheduler only times runs; each run is a virtual thread and every
 * probe bounds its own I/O by the check's timeout, so thousands of checks need no more platform
 * threads than a handful (see {@link #platformThreadsUsed}).
 */
public final class CheckRunners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckRunners.class);
    /** Consul's {@code checks.MinInterval}. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /** Consul's {@code checks.DefaultBufSize}. */
    public static final int DEFAULT_OUTPUT_MAX_SIZE = 4 * 1024;

    /**
     * @param enableScriptChecks allow {@code Args} checks ({@code enable_script_checks} or, for checks
     *                           from local config files, {@code enable_local_script_checks})
     * @param outputMaxSize      bytes of output kept per result ({@code check_output_max_size}); values
     *                           below 1 mean the default, 4096
     * @param aliasResolver      what alias checks mirror; alias checks are refused without one
     */
    public record Options(boolean enableScriptChecks, int outputMaxSize, AliasResolver aliasResolver) {
        public Options {
            if (outputMaxSize < 1) {
                outputMaxSize = DEFAULT_OUTPUT_MAX_SIZE;
            }
        }

        /** Script checks off, 4 KB of output, no alias resolver. */
        public static Options defaults() {
            return new Options(false, DEFAULT_OUTPUT_MAX_SIZE, null);
        }
    }

    private final ScheduledExecutorService scheduler;
    private final CheckSink sink;
    private final Options options;
    private final ConcurrentHashMap<String, Runner> runners = new ConcurrentHashMap<>();
    private final RunStats stats = new RunStats();
    private final AtomicInteger platformThreads = new AtomicInteger();
    private volatile boolean closed;
    private volatile Duration minInterval = MIN_INTERVAL;
    private volatile Duration aliasPollInterval = Duration.ofSeconds(1);
    private ExecutorService httpExecutor;
    private HttpClient httpClient;
    private HttpClient insecureHttpClient;
    private HTTP2Client http2Client;
    /** Verifying clients that check the certificate against a {@code TLSServerName}, by that name. */
    private final Map<String, HttpClient> namedHttpClients = new java.util.HashMap<>();
    private SSLContext insecureTls;

    public CheckRunners(ScheduledExecutorService scheduler, CheckSink sink, Options options) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.options = options == null ? Options.defaults() : options;
    }

    /**
     * Runners whose results go to the listeners added with {@link #onResult}, in the order they
     * were added (the agent adds its metrics, then its local state, before any check starts).
     */
    public CheckRunners(ScheduledExecutorService scheduler, Options options) {
        this(scheduler, new Listeners(), options);
    }

    /** Adds a listener of check results; only for runners made without a sink. */
    public void onResult(CheckSink listener) {
        if (!(sink instanceof Listeners l)) {
            throw new IllegalStateException("these runners report to the sink they were made with");
        }
        l.all.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Hands each result to every listener in turn. */
    private static final class Listeners implements CheckSink {
        private final java.util.List<CheckSink> all = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void update(String checkId, String status, String output) {
            for (CheckSink s : all) {
                s.update(checkId, status, output);
            }
        }
    }

    /**
     * Validates a definition without starting anything, so a registration can be refused before
     * any part of it is applied.
     *
     * @throws IllegalArgumentException as {@link #start} does for an invalid definition
     */
    public void validate(String checkId, CheckDefinition def) {
        CheckSpec.of(checkId, def, options.enableScriptChecks());
    }

    /**
     * Validates and starts (or replaces) the runner for {@code checkId}.
     *
     * @throws IllegalArgumentException with a one-line, Consul-like message when the definition is
     *                                  invalid: no kind or two kinds, a missing interval, a bad duration (named), FailuresBeforeWarning
     *                                  above FailuresBeforeCritical, or a script check while scripts are disabled
     * @throws IllegalStateException    for an alias check without an {@link AliasResolver}, or after {@link #close}
     */
    public void start(String checkId, CheckDefinition def) {
        CheckSpec spec = CheckSpec.of(checkId, def, options.enableScriptChecks());
        if (spec.kind() == CheckSpec.Kind.ALIAS && options.aliasResolver() == null) {
            throw new IllegalStateException("alias checks need an AliasResolver in CheckRunners.Options");
        }
        if (closed) {
            throw new IllegalStateException("check runners are closed");
        }
        Runner runner = spec.kind() == CheckSpec.Kind.TTL
                ? new TtlRunner(checkId, sink, scheduler, spec.ttl().toNanos(), options.outputMaxSize())
                : intervalRunner(spec);
        Runner old = runners.put(checkId, runner);
        if (old != null) {
            old.stop();
        }
        if (runner instanceof TtlRunner ttl) {
            ttl.start();
        } else {
            IntervalRunner ir = (IntervalRunner) runner;
            if (spec.kind() == CheckSpec.Kind.ALIAS) {
                ir.start(0);
            } else {
                ir.start(ThreadLocalRandom.current().nextLong(interval(spec).toNanos()));
            }
        }
        if (closed) {
            stop(checkId); // lost a race with close()
        }
    }

    private IntervalRunner intervalRunner(CheckSpec spec) {
        CheckDefinition d = spec.def();
        int max = options.outputMaxSize();
        Probe probe = switch (spec.kind()) {
            case HTTP -> new HttpProbe(http(Boolean.TRUE.equals(d.tlsSkipVerify()), d.tlsServerName()), d.http(), d.method(), d.header(),
                    d.body(), spec.timeoutOr(HttpProbe.DEFAULT_TIMEOUT), max);
            case TCP -> new TcpProbe(d.tcp(), spec.timeoutOr(TcpProbe.DEFAULT_TIMEOUT));
            case UDP -> new UdpProbe(d.udp(), spec.timeoutOr(UdpProbe.DEFAULT_TIMEOUT));
            case SCRIPT -> new ScriptProbe(d.args(), spec.timeoutOr(ScriptProbe.DEFAULT_TIMEOUT), max);
            case GRPC -> grpc(spec);
            case ALIAS -> new AliasProbe(options.aliasResolver(), d.aliasNode(), d.aliasService());
            case TTL -> throw new AssertionError("TTL checks have no probe");
        };
        if (spec.kind() == CheckSpec.Kind.ALIAS) {
            return new IntervalRunner(spec.id(), sink, scheduler, probe, aliasPollInterval.toNanos(), null, stats);
        }
        return new IntervalRunner(spec.id(), sink, scheduler, probe, interval(spec).toNanos(), spec.thresholds(), stats);
    }

    private Duration interval(CheckSpec spec) {
        Duration min = minInterval;
        if (spec.interval().compareTo(min) < 0) {
            LOG.warn("check {} has interval below minimum of {}", spec.id(), Durations.format(min));
            return min;
        }
        return spec.interval();
    }

    private GrpcProbe grpc(CheckSpec spec) {
        CheckDefinition d = spec.def();
        Duration timeout = spec.timeoutOr(GrpcProbe.DEFAULT_TIMEOUT);
        if (!Boolean.TRUE.equals(d.grpcUseTls())) {
            return new GrpcProbe(d.grpc(), timeout, this::http2, null, false, null);
        }
        boolean skip = Boolean.TRUE.equals(d.tlsSkipVerify());
        return new GrpcProbe(d.grpc(), timeout, this::http2, skip ? insecureTls() : Tls.verifying(), !skip,
                d.tlsServerName());
    }

    /**
     * Stops the runner of {@code checkId}, if any: its timer is cancelled, a run in flight is
     * interrupted (its socket closed, its HTTP exchange cancelled, its script killed) and its result
     * dropped, and no run starts after this returns. This does not wait for the sink: an update that
     * was already being handed to the sink when stop() was called may still arrive, but no other
     * (waiting would let a sink that takes the caller's locks deadlock against this caller).
     */
    public void stop(String checkId) {
        Runner r = runners.remove(checkId);
        if (r != null) {
            r.stop();
        }
    }

    /**
     * Sets a TTL check's status ({@code /v1/agent/check/pass|warn|fail|update}) and renews its TTL. The
     * output is cut to {@code outputMaxSize} bytes with Consul's {@code " ... (captured N of M bytes)"}.
     * The sink sees the update before this returns, unless another thread is delivering one of this
     * check's updates at that moment (then that thread delivers it, right after its own).
     *
     * @return false when {@code checkId} is not a running TTL check
     * @throws IllegalArgumentException when {@code status} is not passing, warning or critical
     */
    public boolean ttlUpdate(String checkId, String status, String output) {
        if (!CheckStatus.isValid(status)) {
            throw new IllegalArgumentException("Invalid check status: '" + status + "'");
        }
        return runners.get(checkId) instanceof TtlRunner ttl && ttl.update(status, output);
    }

    /** The IDs of the checks being run. */
    public Set<String> running() {
        return Set.copyOf(runners.keySet());
    }

    /**
     * Platform threads created for the runners: one selector thread per JDK HTTP client in use
     * (verifying, {@code TLSSkipVerify}, and one per distinct {@code TLSServerName}), none per check. Not counted, because the JDK
     * owns them: the virtual-thread carriers (shared, at most one per core) and a "process reaper"
     * thread per script running at that moment.
     */
    public int platformThreadsUsed() {
        return platformThreads.get();
    }

    /** Runs completed since construction, over all checks (a metric; also what the bench reports). */
    public long runsCompleted() {
        return stats.runs();
    }

    /** Total time spent in runs, in nanoseconds (with {@link #runsCompleted}, the mean run time). */
    public long runNanos() {
        return stats.nanos();
    }

    /** Stops every runner and the HTTP clients. The scheduler is the caller's and stays up. */
    @Override
    public void close() {
        closed = true;
        for (String id : runners.keySet()) {
            stop(id);
        }
        synchronized (this) {
            if (httpClient != null) {
                httpClient.shutdownNow();
            }
            if (insecureHttpClient != null) {
                insecureHttpClient.shutdownNow();
            }
            namedHttpClients.values().forEach(HttpClient::shutdownNow);
            if (http2Client != null) {
                try {
                    http2Client.stop();
                } catch (Exception e) {
                    LOG.warn("gRPC checks' HTTP/2 client did not stop: {}", e.toString());
                }
            }
            if (httpExecutor != null) {
                httpExecutor.shutdownNow();
            }
        }
    }

    /** For tests: accept intervals below Consul's 1s minimum. */
    void minInterval(Duration min) {
        this.minInterval = min;
    }

    /** For tests: poll alias resolvers faster than once a second. */
    void aliasPollInterval(Duration every) {
        this.aliasPollInterval = every;
    }

    /**
     * The shared JDK HTTP clients, made on first use. Their work runs on virtual threads; each client
     * adds one platform selector thread. HTTP/1.1, as Consul's checks speak it.
     */
    private synchronized HttpClient http(boolean insecure, String serverName) {
        if (closed) {
            throw new IllegalStateException("check runners are closed");
        }
        if (httpExecutor == null) {
            httpExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("check-http-", 0).factory());
        }
        if (insecure) {
            if (insecureHttpClient == null) {
                insecureHttpClient = newClient(insecureTls());
            }
            return insecureHttpClient;
        }
        if (serverName != null && !serverName.isEmpty()) {
            return namedHttpClients.computeIfAbsent(serverName.toLowerCase(java.util.Locale.ROOT),
                    n -> newClient(Tls.withServerName(Tls.verifying(), n)));
        }
        if (httpClient == null) {
            httpClient = newClient(null);
        }
        return httpClient;
    }

    /**
     * The HTTP/2 client of gRPC checks (Jetty's), made on first use: its I/O runs on virtual threads;
     * it adds one platform thread, its scheduler. Connects are bounded by each check's own timeout,
     * so the client's connect timeout is only a backstop.
     */
    private synchronized HTTP2Client http2() {
        if (closed) {
            throw new IllegalStateException("check runners are closed");
        }
        if (http2Client == null) {
            ClientConnector connector = new ClientConnector();
            VirtualThreadPool executor = new VirtualThreadPool();
            executor.setName("check-grpc");
            connector.setExecutor(executor);
            connector.setScheduler(new ScheduledExecutorScheduler("check-grpc-scheduler", true));
            HTTP2Client c = new HTTP2Client(connector);
            c.setConnectTimeout(Duration.ofMinutes(5).toMillis());
            c.setUseALPN(false); // GrpcProbe offers h2 itself and speaks it whatever the server selects
            c.setIdleTimeout(0); // each run closes its own connection
            try {
                c.start();
            } catch (Exception e) {
                throw new IllegalStateException("the gRPC checks' HTTP/2 client did not start", e);
            }
            platformThreads.incrementAndGet(); // its scheduler
            http2Client = c;
        }
        return http2Client;
    }

    private HttpClient newClient(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(httpExecutor);
        if (tls != null) {
            b.sslContext(tls);
        }
        platformThreads.incrementAndGet(); // its SelectorManager thread
        return b.build();
    }

    private synchronized SSLContext insecureTls() {
        if (insecureTls == null) {
            insecureTls = Tls.insecure();
        }
        return insecureTls;
    }
}
