package io.roster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The foundation benchmarks against a dev agent started as its own process:
 * startup to first answer, KV PUT/GET throughput with 64 clients, and parked blocking queries
 * (heap per watcher, time from one write until every watcher has its answer, and that a write to
 * an unwatched key wakes nobody). Every loop is bounded in count and time. Prints figures; asserts nothing.
 *
 * <pre>bench/run            full run (100k watchers over HTTP/2, 8k over HTTP/1.1, 10 s load phases)
 * bench/run --smoke    a few seconds per part, for CI</pre>
 */
public final class Main {
    private static final byte[] VALUE_256 = new byte[256];
    private static final int KEYS_PER_CLIENT = 32;

    private final boolean smoke;
    private final int clients = 64;
    private final Duration phase;
    private final int h2Watchers;
    private final int h1Watchers;

    private Main(boolean smoke, int h2Watchers, int h1Watchers) {
        this.smoke = smoke;
        this.phase = smoke ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
        this.h2Watchers = h2Watchers;
        this.h1Watchers = h1Watchers;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        boolean cluster = false;
        int h2 = 100_000;
        int h1 = 8_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--cluster" -> cluster = true;
                case "--watchers" -> h2 = Integer.parseInt(args[++i]);
                case "--h1-watchers" -> h1 = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("bench: unknown argument " + args[i] + " (use --smoke, --watchers N, --h1-watchers N)");
                    System.exit(2);
                }
            }
        }
        if (smoke) {
            h2 = Math.min(h2, 2_000);
            h1 = Math.min(h1, 500);
        }
        java.util.Arrays.fill(VALUE_256, (byte) 'v');
        Main m = new Main(smoke, h2, h1);
        Path home = Path.of(System.getProperty("roster.home", ".")).toAbsolutePath();
        if (cluster) {
            m.cluster(home);
        } else {
            m.run(home);
        }
        // The HTTP clients' threads are not daemons; the figures are printed, so leave now.
        System.exit(0);
    }

    private void run(Path home) throws Exception {
        System.out.printf(Locale.ROOT, "# Roster foundation benchmark (%s) on %d cores, %s%n", smoke ? "smoke" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
        try (AgentProcess agent = AgentProcess.start(home, "3g")) {
            System.out.printf(Locale.ROOT, "startup: first HTTP answer after %.0f ms (process launch to /v1/status/leader 200)%n",
                    agent.startupNanos / 1e6);
            kvLoad(agent);
            watchers(agent, HttpClient.Version.HTTP_2, h2Watchers, "one key");
            watchersDistinct(agent, HttpClient.Version.HTTP_2, h2Watchers);
            watchers(agent, HttpClient.Version.HTTP_1_1, h1Watchers, "one key");
        }
    }

    // ------------------------------------------------------------------ 3-server cluster

    /** 3 servers (Raft, fsync'd log) on loopback as processes; clients spread over them. */
    private void cluster(Path home) throws Exception {
        System.out.printf(Locale.ROOT, "# Roster 3-server cluster benchmark (%s) on %d cores, %s%n", smoke ? "smoke" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
        List<Integer> raft = new ArrayList<>();
        List<Integer> httpPorts = new ArrayList<>();
        List<Integer> serf = new ArrayList<>(); // LAN gossip ports: what servers name in -retry-join
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            raft.add(AgentProcess.freePort());
            serf.add(AgentProcess.freePort());
            httpPorts.add(AgentProcess.freePort());
            dirs.add(java.nio.file.Files.createTempDirectory("roster-bench-raft-" + i));
        }
        List<AgentProcess> servers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>(List.of("-server", "-node=bench-" + i, "-data-dir=" + dirs.get(i),
                        "-http-port=" + httpPorts.get(i), "-server-port=" + raft.get(i),
                        "-serf-lan-port=" + serf.get(i), "-bootstrap-expect=3", "-bind=127.0.0.1"));
                serf.forEach(p -> args.add("-retry-join=127.0.0.1:" + p));
                servers.add(AgentProcess.start(home, "1g", httpPorts.get(i), args));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> bases = servers.stream().map(AgentProcess::base).toList();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String leader = http.send(HttpRequest.newBuilder(URI.create(bases.get(0) + "/v1/status/leader")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (leader.length() > 2) {
                    break;
                }
                Thread.sleep(100);
            }
            for (int c = 0; c < clients; c++) {
                for (int k = 0; k < KEYS_PER_CLIENT; k++) {
                    http.send(HttpRequest.newBuilder(URI.create(bases.get(c % 3) + "/v1/kv/bench/kv/" + c + "/" + k))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(VALUE_256)).build(), HttpResponse.BodyHandlers.discarding());
                }
            }
            runLoad(http, bases, true, "", Duration.ofMillis(smoke ? 500 : 2000), new Stats());
            String[][] phases = {{"PUT", ""}, {"GET ?consistent", "?consistent"}, {"GET ?stale", "?stale"}, {"GET default", ""}};
            for (String[] ph : phases) {
                Stats st = new Stats();
                long n = runLoad(http, bases, ph[0].equals("PUT"), ph[1], phase, st);
                double secs = phase.toNanos() / 1e9;
                System.out.printf(Locale.ROOT, "cluster kv %s: 3 servers, %d clients spread over them, 256 B values, %.0f req/s, "
                                + "p50 %.2f ms, p99 %.2f ms (%d requests in %.0f s)%n",
                        ph[0], clients, n / secs, st.percentileMs(50), st.percentileMs(99), n, secs);
            }
        } finally {
            for (AgentProcess a : servers) {
                a.close();
            }
        }
    }

    // ------------------------------------------------------------------ KV throughput

    private void kvLoad(AgentProcess agent) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = agent.base();
        // Warm-up, excluded: every key the GET phase reads is written first, then a short burst of both kinds.
        for (int c = 0; c < clients; c++) {
            for (int k = 0; k < KEYS_PER_CLIENT; k++) {
                http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/bench/kv/" + c + "/" + k))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(VALUE_256)).build(), HttpResponse.BodyHandlers.discarding());
            }
        }
        runLoad(http, base, true, Duration.ofMillis(smoke ? 500 : 2000));
        runLoad(http, base, false, Duration.ofMillis(smoke ? 500 : 2000));
        for (boolean put : new boolean[] {true, false}) {
            Stats s = new Stats();
            long n = runLoad(http, base, put, phase, s);
            double secs = phase.toNanos() / 1e9;
            System.out.printf(Locale.ROOT, "kv %s: %d clients, 256 B values, %.0f req/s, p50 %.2f ms, p99 %.2f ms (%d requests in %.0f s)%n",
                    put ? "PUT" : "GET", clients, n / secs, s.percentileMs(50), s.percentileMs(99), n, secs);
        }
    }

    /** A distinct 256-byte value per request: identical writes are no-ops (as in Consul) and would flatter PUT. */
    private static byte[] value(int i) {
        byte[] v = VALUE_256.clone();
        byte[] n = Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, v, 0, n.length);
        return v;
    }

    private long runLoad(HttpClient http, String base, boolean put, Duration d) throws Exception {
        return runLoad(http, List.of(base), put, "", d, new Stats());
    }

    private long runLoad(HttpClient http, String base, boolean put, Duration d, Stats total) throws Exception {
        return runLoad(http, List.of(base), put, "", d, total);
    }

    /** {@code clients} loops, client c talking to {@code bases[c % n]}; GETs carry {@code query} (e.g. {@code ?stale}). */
    private long runLoad(HttpClient http, List<String> bases, boolean put, String query, Duration d, Stats total) throws Exception {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + d.toNanos();
        CountDownLatch done = new CountDownLatch(clients);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                ex.execute(() -> {
                    Stats mine = new Stats();
                    int i = 0;
                    try {
                        while (System.nanoTime() < end) {
                            String key = "bench/kv/" + client + "/" + (i++ % KEYS_PER_CLIENT);
                            String base = bases.get(client % bases.size());
                            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key + (put ? "" : query)))
                                    .timeout(Duration.ofSeconds(10));
                            HttpRequest r = put ? b.PUT(HttpRequest.BodyPublishers.ofByteArray(value(i))).build() : b.GET().build();
                            long t0 = System.nanoTime();
                            HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
                            long t1 = System.nanoTime();
                            if (resp.statusCode() != 200) {
                                throw new IllegalStateException("status " + resp.statusCode() + " for " + key);
                            }
                            mine.add(t1 - t0);
                            count.incrementAndGet();
                        }
                    } catch (Exception e) {
                        System.err.println("load client " + client + " failed: " + e);
                    } finally {
                        total.addAll(mine);
                        done.countDown();
                    }
                });
            }
            done.await(d.toSeconds() + 60, TimeUnit.SECONDS);
        }
        return count.get();
    }

    // ------------------------------------------------------------------ parked watchers

    /** Parked queries per HTTP/2 connection: Jetty's HTTP/2 flusher slows down past a few thousand streams per connection. */
    private static final int STREAMS_PER_CONNECTION = 1000;
    private static final ExecutorService CLIENT_POOL = Executors.newFixedThreadPool(2);

    /**
     * Clients for {@code n} parked requests. HTTP/1.1: one client, which opens a connection per request.
     * HTTP/2: one client (hence one connection) per {@link #STREAMS_PER_CONNECTION} requests, each
     * upgraded to h2c first so later requests share its connection.
     */
    private static List<HttpClient> watcherClients(HttpClient.Version v, int n, String base) throws Exception {
        int count = v == HttpClient.Version.HTTP_2 ? Math.max(1, (n + STREAMS_PER_CONNECTION - 1) / STREAMS_PER_CONNECTION) : 1;
        List<HttpClient> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            HttpClient c = HttpClient.newBuilder().version(v).connectTimeout(Duration.ofSeconds(10)).executor(CLIENT_POOL).build();
            if (v == HttpClient.Version.HTTP_2) {
                c.send(HttpRequest.newBuilder(URI.create(base + "/v1/status/leader")).build(), HttpResponse.BodyHandlers.discarding());
            }
            clients.add(c);
        }
        return clients;
    }

    private static long put(HttpClient http, String base, String key, String value) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT " + key + " -> " + r.statusCode());
        }
        return index(http, base, key);
    }

    private static long index(HttpClient http, String base, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    static JsonNode metrics(HttpClient http, String base) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/agent/metrics")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return Json.mapper().readTree(r.body());
    }

    static double gauge(JsonNode m, String name) {
        for (JsonNode g : m.get("Gauges")) {
            if (g.get("Name").asText().equals(name)) {
                return g.get("Value").asDouble();
            }
        }
        throw new IllegalStateException("no gauge " + name);
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static long heapAfterGc(AgentProcess agent, HttpClient http) throws Exception {
        agent.gc();
        return (long) gauge(metrics(http, agent.base()), "roster.runtime.heap_used_bytes");
    }

    /** Waits (bounded) until the agent reports {@code n} parked queries; returns how many it saw. */
    private static long awaitParked(HttpClient http, String base, long n, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        long seen = 0;
        while (System.nanoTime() < end) {
            seen = (long) gauge(metrics(http, base), "consul.rpc.queries_blocking");
            if (seen >= n) {
                return seen;
            }
            Thread.sleep(100);
        }
        return seen;
    }

    /** Parks {@code n} requests; each records the nanoTime its answer arrived in {@code answered}. */
    private static List<CompletableFuture<Void>> park(List<HttpClient> clients, List<String> uris, AtomicLongArray answered,
                                                      AtomicLong failures, boolean missingIsOk) {
        List<CompletableFuture<Void>> fs = new ArrayList<>(uris.size());
        for (int i = 0; i < uris.size(); i++) {
            int slot = i;
            HttpRequest r = HttpRequest.newBuilder(URI.create(uris.get(i))).timeout(Duration.ofMinutes(6)).build();
            HttpClient client = clients.get(i % clients.size());
            fs.add(client.sendAsync(r, HttpResponse.BodyHandlers.discarding()).handle((resp, err) -> {
                if (err != null || !(resp.statusCode() == 200 || missingIsOk && resp.statusCode() == 404)) {
                    failures.incrementAndGet();
                }
                answered.set(slot, System.nanoTime());
                return null;
            }));
        }
        return fs;
    }

    private void watchers(AgentProcess agent, HttpClient.Version v, int n, String what) throws Exception {
        String proto = v == HttpClient.Version.HTTP_2 ? "HTTP/2 (h2c)" : "HTTP/1.1";
        HttpClient ctl = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = agent.base();
        String key = "watch/one-" + v.name();
        long idx = put(ctl, base, key, "v0");
        long before = heapAfterGc(agent, ctl);
        List<HttpClient> client = watcherClients(v, n, base);
        List<String> uris = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uris.add(base + "/v1/kv/" + key + "?index=" + idx + "&wait=5m");
        }
        AtomicLongArray answered = new AtomicLongArray(n);
        AtomicLong failures = new AtomicLong();
        long tPark = System.nanoTime();
        List<CompletableFuture<Void>> fs = park(client, uris, answered, failures, false);
        long parked = awaitParked(ctl, base, n, Duration.ofSeconds(smoke ? 60 : 240));
        double parkSecs = (System.nanoTime() - tPark) / 1e9;
        long after = heapAfterGc(agent, ctl);
        put(ctl, base, "watch/unrelated", "x");
        Thread.sleep(1000);
        int early = 0;
        for (int i = 0; i < n; i++) {
            if (answered.get(i) != 0) {
                early++;
            }
        }
        long t0 = System.nanoTime();
        long t0Micros = epochMicros();
        put(ctl, base, key, "v1");
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double serverMs = (gauge(metrics(ctl, base), "roster.blocking.last_answered_epoch_us") - t0Micros) / 1000.0;
        Stats wake = new Stats();
        for (int i = 0; i < n; i++) {
            wake.add(Math.max(0, answered.get(i) - t0));
        }
        System.out.printf(Locale.ROOT, "watchers %s, %s: %d parked over %d connections (agent saw %d) in %.1f s; heap %.2f KB per parked watcher "
                        + "(%d MB live with them, %d MB before); a write to an unwatched key woke %d; one write: the agent answered all "
                        + "in %.0f ms, the clients had all answers in %.0f ms (p50 %.0f ms); %d failed%n",
                proto, what, n, v == HttpClient.Version.HTTP_2 ? client.size() : n, parked, parkSecs, (after - before) / 1024.0 / Math.max(1, parked), after >> 20, before >> 20,
                early, serverMs, wake.maxMs(), wake.percentileMs(50), failures.get());
    }

    private void watchersDistinct(AgentProcess agent, HttpClient.Version v, int n) throws Exception {
        HttpClient ctl = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = agent.base();
        // Every watched key exists (created 64 per transaction): a missing key reports the KV table's
        // index, which any KV write moves (as in Consul), so only existing keys show per-key wake-ups.
        for (int from = 0; from < n; from += 64) {
            StringBuilder txn = new StringBuilder("[");
            for (int i = from; i < Math.min(n, from + 64); i++) {
                txn.append(i == from ? "" : ",").append("{\"KV\":{\"Verb\":\"set\",\"Key\":\"distinct/k").append(i)
                        .append("\",\"Value\":\"eA==\"}}");
            }
            HttpResponse<String> r = ctl.send(HttpRequest.newBuilder(URI.create(base + "/v1/txn"))
                    .PUT(HttpRequest.BodyPublishers.ofString(txn.append(']').toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("txn creating distinct keys -> " + r.statusCode() + " " + r.body());
            }
        }
        List<HttpClient> client = watcherClients(v, n, base);
        List<String> uris = new ArrayList<>(n);
        long keyIndex = 0;
        for (int i = 0; i < n; i++) {
            if (i % 64 == 0) {
                keyIndex = index(ctl, base, "distinct/k" + i); // one transaction wrote these 64 at one index
            }
            uris.add(base + "/v1/kv/distinct/k" + i + "?index=" + keyIndex + "&wait=5m");
        }
        AtomicLongArray answered = new AtomicLongArray(n);
        AtomicLong failures = new AtomicLong();
        // The index must not move before every request is parked, or late ones return at once.
        // After the delete-tree every key is missing again: 404 is their correct answer.
        List<CompletableFuture<Void>> fs = park(client, uris, answered, failures, true);
        long parked = awaitParked(ctl, base, n, Duration.ofSeconds(smoke ? 60 : 240));
        put(ctl, base, "elsewhere/x", "x");
        long t0 = System.nanoTime();
        put(ctl, base, "distinct/k0", "x");
        Thread.sleep(1000);
        int woken = 0;
        for (int i = 0; i < n; i++) {
            if (answered.get(i) != 0) {
                woken++;
            }
        }
        long t1 = System.nanoTime();
        HttpResponse<String> del = ctl.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/distinct/?recurse")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = Math.max(last, answered.get(i));
        }
        System.out.printf(Locale.ROOT, "watchers HTTP/2, distinct keys: %d parked over %d connections (agent saw %d); a write to 1 watched key woke %d "
                        + "(%.0f ms to answer it); delete-tree of all (%s) answered all in %.0f ms; %d failed%n",
                n, client.size(), parked, woken, answered.get(0) == 0 ? Double.NaN : (answered.get(0) - t0) / 1e6, del.body().strip(),
                (last - t1) / 1e6, failures.get());
    }
}
