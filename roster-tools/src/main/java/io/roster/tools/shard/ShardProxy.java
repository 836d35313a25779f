package io.roster.tools.shard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.roster.api.Json;
import io.roster.api.NodeService;
import io.roster.api.RosterClient;
import io.roster.api.ServiceDefinition;
import io.roster.tools.ctmpl.CtFuncs;
import io.roster.tools.ctmpl.Dependency;
import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.Struct;
import io.roster.tools.ctmpl.View;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code roster shard-proxy}: the dynamic-sharding proxy in front of Pushgateways. On start it
 * registers every configured Pushgateway with the agent as service {@code pushgateway} (ID
 * {@code host_port}) with an HTTP check on {@code /-/healthy} and DeregisterCriticalServiceAfter,
 * and re-registers any that the agent has reaped. It watches the service's passing instances with
 * a blocking query and keeps a {@link HashRing} of them; every {@code POST|PUT|DELETE
 * /metrics/job/...} is forwarded to the instance that owns the request path, so a job's pushes and
 * deletes always land on one Pushgateway while it is passing, and move (only they) when it fails.
 * It keeps no state of its own: several proxies run side by side and route alike.
 *
 * <p>{@code GET /metrics/job/...} answers where that path goes ({@code nextUrl:http://...}, as
 * dynamic-sharding); {@code /-/healthy} answers 200; {@code /metrics} is the proxy's own metrics.
 */
public final class ShardProxy implements AutoCloseable {
    /** The proxy's settings; {@link ShardConfig} reads them from YAML. */
    public record Options(String consulAddress, String token, String serviceName, String listen, List<String> servers,
                          Duration checkInterval, Duration checkTimeout, Duration deregisterAfter, Log log) { }

    private final Options options;
    private final RosterClient client;
    private final CtFuncs.Brain brain = new CtFuncs.Brain();
    private final Dependency.HealthService passing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, AtomicLong> forwarded = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> responses = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong noBackend = new AtomicLong();
    private final AtomicLong rebuilds = new AtomicLong();
    private final AtomicLong nanosTotal = new AtomicLong();
    private volatile HashRing ring = new HashRing(List.of());
    private HttpServer server;
    private View view;
    private ScheduledExecutorService keeper;

    public ShardProxy(Options options) {
        this.options = options;
        this.client = RosterClient.create(options.consulAddress(), options.token());
        this.passing = new Dependency.HealthService(options.serviceName(), null, null, List.of("passing"));
    }

    /** Registers the instances, starts the watch and the HTTP listener; returns this. */
    public ShardProxy start() throws IOException {
        registerMissing();
        view = new View(passing, client, brain, d -> rebuild(), msg -> options.log().error("(watch) " + msg),
                new View.Retry(0, Duration.ofMillis(250), Duration.ofSeconds(30)), false, options.log());
        view.start();
        keeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("shard-proxy-keeper").unstarted(r));
        keeper.scheduleWithFixedDelay(() -> {
            try {
                registerMissing();
            } catch (RuntimeException e) {
                options.log().warnLimited("register", "(register) " + View.oneLine(e));
            }
        }, 30, 30, TimeUnit.SECONDS);
        server = HttpServer.create(parseListen(options.listen()), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        options.log().info("(shard-proxy) listening on " + server.getAddress() + ", routing to service \"" + options.serviceName() + "\"");
        return this;
    }

    /** The port the proxy listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The passing instances the ring holds now ({@code host:port}, sorted). */
    public List<String> members() {
        return ring.members();
    }

    /** Where {@code path} goes now, or null when no instance is passing. */
    public String route(String path) {
        return ring.get(path);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (view != null) {
            view.stop();
        }
        if (keeper != null) {
            keeper.shutdownNow();
        }
    }

    /** Registers every configured instance the local agent does not have (a first start, or one reaped after being critical). */
    void registerMissing() {
        Map<String, NodeService> have = client.agent().services();
        for (String s : options.servers()) {
            HostPort hp = HostPort.parse(s, 9091);
            String id = hp.host() + "_" + hp.port();
            if (have.containsKey(id)) {
                continue;
            }
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("HTTP", "http://" + hp.host() + ":" + hp.port() + "/-/healthy");
            check.put("Interval", goDuration(options.checkInterval()));
            check.put("Timeout", goDuration(options.checkTimeout()));
            check.put("DeregisterCriticalServiceAfter", goDuration(options.deregisterAfter()));
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("ID", id);
            svc.put("Name", options.serviceName());
            svc.put("Address", hp.host());
            svc.put("Port", hp.port());
            svc.put("Check", check);
            client.agent().serviceRegister(Json.mapper().convertValue(svc, ServiceDefinition.class));
            options.log().info("(register) " + options.serviceName() + " " + id);
        }
    }

    @SuppressWarnings("unchecked")
    private void rebuild() {
        List<String> members = new ArrayList<>();
        Object v = brain.recall(passing);
        for (Struct s : v == null ? List.<Struct>of() : (List<Struct>) v) {
            members.add(s.get("Address") + ":" + s.get("Port"));
        }
        HashRing next = new HashRing(members);
        if (!next.members().equals(ring.members())) {
            options.log().info("(ring) passing instances: " + (members.isEmpty() ? "none" : String.join(" ", next.members())));
            rebuilds.incrementAndGet();
        }
        ring = next;
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if (path.equals("/-/healthy") || path.equals("/-/ready")) {
                reply(ex, 200, "OK\n", "text/plain");
            } else if (path.equals("/metrics") && method.equals("GET")) {
                reply(ex, 200, metrics(), "text/plain; version=0.0.4");
            } else if (path.startsWith("/metrics/job/")) {
                route(ex, method, path);
            } else {
                reply(ex, 404, "404 page not found\n", "text/plain");
            }
        } finally {
            nanosTotal.addAndGet(System.nanoTime() - start);
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        String target = ring.get(path);
        if (target == null) {
            noBackend.incrementAndGet();
            count(responses, "503");
            reply(ex, 503, "no passing " + options.serviceName() + " instance\n", "text/plain");
            return;
        }
        String url = "http://" + target + path + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        if (method.equals("GET")) {
            reply(ex, 200, "nextUrl:" + url, "text/plain");
            return;
        }
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("DELETE")) {
            count(responses, "405");
            reply(ex, 405, "method not allowed\n", "text/plain");
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(64 << 20);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ct != null) {
            b.header("Content-Type", ct);
        }
        String ce = ex.getRequestHeaders().getFirst("Content-Encoding");
        if (ce != null) {
            b.header("Content-Encoding", ce);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            count(forwarded, target);
            count(responses, Integer.toString(r.statusCode()));
            String rct = r.headers().firstValue("Content-Type").orElse("text/plain");
            reply(ex, r.statusCode(), r.body(), rct);
        } catch (IOException e) {
            failures.incrementAndGet();
            count(responses, "502");
            options.log().warnLimited("forward:" + target, "(forward) " + target + ": " + View.oneLine(e));
            reply(ex, 502, "forwarding to " + target + " failed\n", "text/plain");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(ex, 503, "shutting down\n", "text/plain");
        }
    }

    /** The proxy's own metrics, in Prometheus' text format. */
    String metrics() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP roster_shard_proxy_ring_members Passing instances the hash ring routes to.\n");
        sb.append("# TYPE roster_shard_proxy_ring_members gauge\n");
        sb.append("roster_shard_proxy_ring_members ").append(ring.members().size()).append('\n');
        sb.append("# HELP roster_shard_proxy_ring_changes_total Times the set of passing instances changed.\n");
        sb.append("# TYPE roster_shard_proxy_ring_changes_total counter\n");
        sb.append("roster_shard_proxy_ring_changes_total ").append(rebuilds.get()).append('\n');
        sb.append("# HELP roster_shard_proxy_forwarded_total Requests forwarded, by instance.\n");
        sb.append("# TYPE roster_shard_proxy_forwarded_total counter\n");
        new java.util.TreeMap<>(forwarded).forEach((k, v) ->
                sb.append("roster_shard_proxy_forwarded_total{instance=\"").append(k).append("\"} ").append(v.get()).append('\n'));
        sb.append("# HELP roster_shard_proxy_responses_total Answers to push requests, by status code.\n");
        sb.append("# TYPE roster_shard_proxy_responses_total counter\n");
        new java.util.TreeMap<>(responses).forEach((k, v) ->
                sb.append("roster_shard_proxy_responses_total{code=\"").append(k).append("\"} ").append(v.get()).append('\n'));
        sb.append("# HELP roster_shard_proxy_forward_errors_total Requests that could not be forwarded (connection failed).\n");
        sb.append("# TYPE roster_shard_proxy_forward_errors_total counter\n");
        sb.append("roster_shard_proxy_forward_errors_total ").append(failures.get()).append('\n');
        sb.append("# HELP roster_shard_proxy_no_instance_total Requests answered 503 because no instance was passing.\n");
        sb.append("# TYPE roster_shard_proxy_no_instance_total counter\n");
        sb.append("roster_shard_proxy_no_instance_total ").append(noBackend.get()).append('\n');
        sb.append("# HELP roster_shard_proxy_request_seconds_total Time spent answering requests.\n");
        sb.append("# TYPE roster_shard_proxy_request_seconds_total counter\n");
        sb.append("roster_shard_proxy_request_seconds_total ").append(nanosTotal.get() / 1e9).append('\n');
        return sb.toString();
    }

    private static void count(Map<String, AtomicLong> m, String k) {
        m.computeIfAbsent(k, x -> new AtomicLong()).incrementAndGet();
    }

    private static void reply(HttpExchange ex, int code, String body, String type) throws IOException {
        reply(ex, code, body.getBytes(StandardCharsets.UTF_8), type);
    }

    private static void reply(HttpExchange ex, int code, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static InetSocketAddress parseListen(String listen) {
        HostPort hp = HostPort.parse(listen.startsWith(":") ? "0.0.0.0" + listen : listen, 9292);
        return new InetSocketAddress(hp.host(), hp.port());
    }

    private static String goDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** {@code host[:port]}. */
    record HostPort(String host, int port) {
        static HostPort parse(String s, int defaultPort) {
            String t = s.strip();
            int c = t.lastIndexOf(':');
            if (c > 0 && t.indexOf(':') == c) {
                return new HostPort(t.substring(0, c), Integer.parseInt(t.substring(c + 1)));
            }
            return new HostPort(t, defaultPort);
        }
    }
}
