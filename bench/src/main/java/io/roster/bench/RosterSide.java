package io.roster.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Roster as 3 {@code roster agent -server} processes (Raft through Ratis, log fsync'd, data dirs in
 * the run's work directory), driven over its Consul-compatible HTTP API with the JDK HttpClient:
 * KV PUT, GET {@code ?consistent}, GET {@code ?stale}, and blocking queries for the watchers.
 */
final class RosterSide extends SideSystem {
    private static final String HEAP = "1g";
    /** Parked queries per HTTP/2 connection, as the foundation benchmark does. */
    private static final int STREAMS_PER_CONNECTION = 1000;
    private static final ExecutorService H2_POOL = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "roster-h2");
        t.setDaemon(true);
        return t;
    });

    private final List<AgentProcess> agents;
    private final List<String> bases;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RosterSide(List<AgentProcess> agents) {
        this.agents = agents;
        this.bases = agents.stream().map(AgentProcess::base).toList();
    }

    /** Starts 3 servers that find each other through gossip ({@code -retry-join} gossip ports) and waits until all know the leader. */
    static RosterSide cluster(Env env) throws Exception {
        List<Integer> raft = new ArrayList<>();
        List<Integer> httpPorts = new ArrayList<>();
        List<Integer> serf = new ArrayList<>(); // LAN gossip ports: what servers name in -retry-join
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            raft.add(Procs.freePort());
            serf.add(Procs.freePort());
            httpPorts.add(Procs.freePort());
            dirs.add(env.dir("roster-" + i));
        }
        List<AgentProcess> started = new ArrayList<>();
        List<Process> raw = new ArrayList<>();
        try {
            // Launched together (each start waits for its own HTTP answer, but not for the others).
            List<CompletableFuture<AgentProcess>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>(List.of("-server", "-node=side-" + i, "-data-dir=" + dirs.get(i).resolve("data"),
                        "-http-port=" + httpPorts.get(i), "-server-port=" + raft.get(i),
                        "-serf-lan-port=" + serf.get(i), "-bootstrap-expect=3", "-bind=127.0.0.1"));
                serf.forEach(p -> args.add("-retry-join=127.0.0.1:" + p));
                int port = httpPorts.get(i);
                Path log = dirs.get(i).resolve("agent.log");
                fs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return AgentProcess.start(env.home(), HEAP, port, args, p -> {
                            Procs.track(p);
                            synchronized (raw) {
                                raw.add(p);
                            }
                        }, log);
                    } catch (Exception e) {
                        throw new IllegalStateException("roster server on port " + port + ": " + e.getMessage(), e);
                    }
                }));
            }
            for (CompletableFuture<AgentProcess> f : fs) {
                started.add(f.get(60, TimeUnit.SECONDS));
            }
            RosterSide r = new RosterSide(started);
            r.awaitLeader(Duration.ofSeconds(60));
            return r;
        } catch (Exception e) {
            synchronized (raw) {
                raw.forEach(Procs::stop);
            }
            throw e;
        }
    }

    private void awaitLeader(Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        for (String base : bases) {
            while (true) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status/leader"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().length() > 2) {
                        break;
                    }
                } catch (IOException e) {
                    // retry
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("roster: no leader known at " + base + " after " + max.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        }
        // The first write also waits for the leader's first log entry of its term to commit.
        put(bases.get(0), "bench/ready", "x".getBytes());
    }

    @Override
    String label() {
        return "Roster";
    }

    @Override
    List<Process> servers() {
        return agents.stream().map(a -> a.process).toList();
    }

    private void put(String base, String key, byte[] value) throws Exception {
        put(base, key, value, Duration.ofSeconds(10));
    }

    private void put(String base, String key, byte[] value, Duration timeout) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
                .timeout(timeout).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT " + key + " -> " + r.statusCode());
        }
    }

    @Override
    void prepare(int clients) throws Exception {
        LoadGen.prepare(label(), clients, (c, k) -> put(bases.get(c % 3), key(c, k), value(c, k)));
    }

    @Override
    Op write() {
        return (c, seq) -> put(bases.get(c % 3), key(c, seq), value(c, seq));
    }

    @Override
    Op read(boolean linearizable) {
        String q = linearizable ? "?consistent" : "?stale";
        return (c, seq) -> {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(bases.get(c % 3) + "/v1/kv/" + key(c, seq) + q))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + key(c, seq) + q + " -> " + r.statusCode());
            }
        };
    }

    /** This server's X-Consul-Index for {@code key} once it has the key (a follower may not yet). */
    private long staleIndex(String base, String key, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key + "?stale")).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
                return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException(base + " does not have " + key);
            }
            Thread.sleep(20);
        }
    }

    private long gauge(String base, String name) throws Exception {
        return (long) Main.gauge(Main.metrics(http, base), name);
    }

    private long sumGauge(String name) throws Exception {
        long sum = 0;
        for (String base : bases) {
            sum += gauge(base, name);
        }
        return sum;
    }

    private long heapAfterGc() throws Exception {
        for (AgentProcess a : agents) {
            Procs.gc(a.process.pid());
        }
        return sumGauge("roster.runtime.heap_used_bytes");
    }

    /**
     * Blocking queries ({@code GET /v1/kv/<key>?stale&index=N&wait=5m}), each server getting a third,
     * over cleartext HTTP/2 with {@value #STREAMS_PER_CONNECTION} streams per connection. {@code ?stale}
     * parks the query on the server it reached, as etcd and ZooKeeper watches are served by the member
     * the client talks to (without it a follower first takes a read barrier through the leader).
     */
    @Override
    Watch watch(int n, Duration limit) throws Exception {
        String key = "watch/w4";
        // (60 s: right after W1's load a server's write queue may still be draining on a slow machine.)
        put(bases.get(0), key, "v0".getBytes(), Duration.ofSeconds(60));
        long[] idx = new long[3];
        for (int s = 0; s < 3; s++) {
            idx[s] = staleIndex(bases.get(s), key, Duration.ofSeconds(30));
        }
        long heapBefore = heapAfterGc();
        // The baseline is taken before the watchers' connections exist: they are part of what watching costs.
        long rssBefore = Procs.settledRss(servers());
        int connections = Math.max(3, (n + STREAMS_PER_CONNECTION - 1) / STREAMS_PER_CONNECTION);
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).executor(H2_POOL)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            // The first request upgrades to h2c; later ones share its connection.
            c.send(HttpRequest.newBuilder(URI.create(bases.get(i % 3) + "/v1/status/leader")).build(), HttpResponse.BodyHandlers.discarding());
            clients.add(c);
        }
        AtomicLongArray answered = new AtomicLongArray(n);
        AtomicLong failed = new AtomicLong();
        List<CompletableFuture<Void>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int conn = i % connections;
            int server = conn % 3;
            int slot = i;
            HttpRequest r = HttpRequest.newBuilder(URI.create(bases.get(server) + "/v1/kv/" + key + "?stale&index=" + idx[server] + "&wait=5m"))
                    .timeout(Duration.ofMinutes(6)).build();
            fs.add(clients.get(conn).sendAsync(r, HttpResponse.BodyHandlers.discarding()).handle((resp, err) -> {
                if (err != null || resp.statusCode() != 200) {
                    failed.incrementAndGet();
                } else {
                    answered.set(slot, System.nanoTime());
                }
                return null;
            }));
        }
        long end = System.nanoTime() + limit.toNanos();
        long parked = 0;
        while (System.nanoTime() < end) {
            parked = sumGauge("consul.rpc.queries_blocking");
            if (parked >= n) {
                break;
            }
            Thread.sleep(100);
        }
        String note = parked < n ? "only " + parked + " of " + n + " parked within " + limit.toSeconds() + " s" : "";
        long rssAfter = Procs.settledRss(servers());
        long heapAfter = heapAfterGc();
        long t0 = System.nanoTime();
        put(bases.get(0), key, "v1".getBytes(), Duration.ofSeconds(60));
        long writeNanos = System.nanoTime() - t0;
        try {
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(limit.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            note = (note.isEmpty() ? "" : note + "; ") + "not all notified within " + limit.toSeconds() + " s";
        }
        Stats lat = new Stats();
        long notified = 0;
        for (int i = 0; i < n; i++) {
            long t = answered.get(i);
            if (t != 0) {
                lat.add(Math.max(0, t - t0));
                notified++;
            }
        }
        fs.forEach(f -> f.cancel(true));
        clients.forEach(HttpClient::shutdownNow);
        return new Watch(n, parked, parked, rssBefore, rssAfter, heapBefore, heapAfter, lat, notified, failed.get(), writeNanos,
                note.isEmpty() ? connections + " HTTP/2 connections" : note);
    }

    /** W8: {@code roster agent -dev} (one process, server and client, state in memory) until its first KV PUT answers 200. */
    static Start single(Env env) throws Exception {
        int port = Procs.freePort();
        List<String> cmd = AgentProcess.command(env.home(), HEAP, List.of("-dev", "-http-port=" + port));
        Path log = env.dir("roster-dev").resolve("agent.log");
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/bench/first"))
                .timeout(Duration.ofSeconds(2)).PUT(HttpRequest.BodyPublishers.ofString("x")).build();
        return Procs.firstAnswer("roster dev agent", cmd, log, "dev agent, state in memory",
                () -> c.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @Override
    public void close() {
        for (AgentProcess a : agents) {
            Procs.stop(a.process);
        }
        http.shutdownNow();
    }
}
