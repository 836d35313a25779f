package io.roster.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.options.GetOption;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd (the Debian {@code etcd-server} binary) as 3 members on loopback, each with its data dir in
 * the run's work directory (etcd fsyncs its WAL by default), driven with jetcd: put, default
 * (linearizable) range, serializable range. Watches go over etcd's gRPC Watch service directly
 * (jetcd's generated stub), many watches per bidirectional stream as etcd's own Go client
 * multiplexes them; jetcd's {@code Watch} client would open one stream per watcher.
 */
final class EtcdSide extends SideSystem {
    /** Watches per gRPC stream in W4, as Roster gets 1,000 parked queries per HTTP/2 connection. */
    private static final int WATCHES_PER_STREAM = 1000;
    private static final Pattern WATCHERS = Pattern.compile("(?m)^etcd_debugging_mvcc_watcher_total ([0-9.e+]+)$");

    private final List<Process> members;
    private final List<Integer> clientPorts;
    private final List<Client> clients = new ArrayList<>();
    private final List<KV> kvs = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private EtcdSide(List<Process> members, List<Integer> clientPorts) {
        this.members = members;
        this.clientPorts = clientPorts;
    }

    /** The etcd binary, or a clear failure: the benchmark needs it (CI installs Debian's etcd-server). */
    static Path binary() {
        Path etcd = Procs.which("etcd");
        if (etcd == null) {
            throw new IllegalStateException("etcd is not installed: the side-by-side benchmark needs it "
                    + "(apt-get install etcd-server zookeeper)");
        }
        return etcd;
    }

    static String version() {
        try {
            Process p = new ProcessBuilder(binary().toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("etcd Version: (\\S+)").matcher(out);
            return m.find() ? m.group(1) : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static List<String> command(String name, Path dataDir, int clientPort, int peerPort, String initialCluster, String token) {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        return List.of(binary().toString(), "--name", name, "--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                "--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn");
    }

    static EtcdSide cluster(Env env) throws Exception {
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> peerPorts = new ArrayList<>();
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clientPorts.add(Procs.freePort());
            peerPorts.add(Procs.freePort());
            initial.add("m" + i + "=http://127.0.0.1:" + peerPorts.get(i));
        }
        String token = "side-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        List<Process> ps = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Path dir = env.dir("etcd-" + i);
                Path log = dir.resolve("etcd.log");
                logs.add(log);
                ps.add(Procs.start(command("m" + i, dir.resolve("data"), clientPorts.get(i), peerPorts.get(i),
                        String.join(",", initial), token), log));
            }
            EtcdSide e = new EtcdSide(ps, clientPorts);
            e.awaitHealthy(Duration.ofSeconds(60), logs);
            for (int port : clientPorts) {
                Client c = Client.builder().endpoints("http://127.0.0.1:" + port).connectTimeout(Duration.ofSeconds(5)).build();
                e.clients.add(c);
                e.kvs.add(c.getKVClient());
            }
            e.kvs.get(0).put(bs("bench/ready"), bs("x")).get(30, TimeUnit.SECONDS);
            return e;
        } catch (Exception e) {
            ps.forEach(Procs::stop);
            throw e;
        }
    }

    /** Every member's {@code /health} says true (it has a leader and can commit). */
    private void awaitHealthy(Duration max, List<Path> logs) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        for (int i = 0; i < 3; i++) {
            while (true) {
                if (!members.get(i).isAlive()) {
                    throw new IllegalStateException("etcd member " + i + " exited:\n" + Procs.tail(logs.get(i), 20));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPorts.get(i) + "/health"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
                        break;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("etcd member " + i + " not healthy after " + max.toSeconds() + " s:\n"
                            + Procs.tail(logs.get(i), 20));
                }
                Thread.sleep(20);
            }
        }
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    String label() {
        return "etcd";
    }

    @Override
    List<Process> servers() {
        return members;
    }

    @Override
    void prepare(int nClients) throws Exception {
        LoadGen.prepare(label(), nClients, (c, k) -> kvs.get(c % 3).put(bs(key(c, k)), ByteSequence.from(value(c, k)))
                .get(10, TimeUnit.SECONDS));
    }

    @Override
    Op write() {
        return (c, seq) -> kvs.get(c % 3).put(bs(key(c, seq)), ByteSequence.from(value(c, seq))).get(10, TimeUnit.SECONDS);
    }

    @Override
    Op read(boolean linearizable) {
        GetOption opt = GetOption.builder().withSerializable(!linearizable).build();
        return (c, seq) -> {
            long found = kvs.get(c % 3).get(bs(key(c, seq)), opt).get(10, TimeUnit.SECONDS).getCount();
            if (found != 1) {
                throw new IllegalStateException("get " + key(c, seq) + ": " + found + " keys");
            }
        };
    }

    private long serverWatchers() {
        long sum = 0;
        for (int port : clientPorts) {
            try {
                String m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher x = WATCHERS.matcher(m);
                if (x.find()) {
                    sum += (long) Double.parseDouble(x.group(1));
                }
            } catch (Exception e) {
                return -1;
            }
        }
        return sum;
    }

    @Override
    Watch watch(int n, Duration limit) throws Exception {
        String key = "watch/w4";
        kvs.get(0).put(bs(key), bs("v0")).get(10, TimeUnit.SECONDS);
        List<ManagedChannel> channels = new ArrayList<>();
        for (int port : clientPorts) {
            channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        }
        int streams = Math.max(3, (n + WATCHES_PER_STREAM - 1) / WATCHES_PER_STREAM);
        long rssBefore = Procs.settledRss(servers());
        AtomicLong created = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong notified = new AtomicLong();
        Stats lat = new Stats();
        AtomicLong t0 = new AtomicLong(Long.MAX_VALUE);
        List<StreamObserver<WatchRequest>> requests = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            StreamObserver<WatchResponse> responses = new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    if (r.getCreated()) {
                        created.incrementAndGet();
                    }
                    if (r.getCanceled()) {
                        failed.incrementAndGet();
                    }
                    if (r.getEventsCount() > 0) {
                        lat.add(Math.max(0, System.nanoTime() - t0.get()));
                        notified.incrementAndGet();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    // Cancelling the streams at the end lands here too; only errors before the end count.
                    if (notified.get() < n) {
                        failed.incrementAndGet();
                    }
                }

                @Override
                public void onCompleted() {
                }
            };
            requests.add(WatchGrpc.newStub(channels.get(s % 3)).watch(responses));
        }
        WatchRequest create = WatchRequest.newBuilder()
                .setCreateRequest(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))).build();
        for (int i = 0; i < n; i++) {
            StreamObserver<WatchRequest> r = requests.get(i % streams);
            synchronized (r) {
                r.onNext(create);
            }
        }
        long end = System.nanoTime() + limit.toNanos();
        while (created.get() < n && failed.get() == 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        String note = created.get() < n ? "only " + created.get() + " of " + n + " watches created within " + limit.toSeconds() + " s" : "";
        long serverWatchers = serverWatchers();
        long rssAfter = Procs.settledRss(servers());
        t0.set(System.nanoTime());
        kvs.get(0).put(bs(key), bs("v1")).get(30, TimeUnit.SECONDS);
        long writeNanos = System.nanoTime() - t0.get();
        end = System.nanoTime() + limit.toNanos();
        while (notified.get() < created.get() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        if (notified.get() < created.get()) {
            note = (note.isEmpty() ? "" : note + "; ") + "not all notified within " + limit.toSeconds() + " s";
        }
        long got = notified.get();
        for (StreamObserver<WatchRequest> r : requests) {
            try {
                r.onCompleted();
            } catch (RuntimeException e) {
                // already closed
            }
        }
        for (ManagedChannel ch : channels) {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        }
        return new Watch(n, created.get(), serverWatchers, rssBefore, rssAfter, 0, 0, lat, got, failed.get(), writeNanos,
                note.isEmpty() ? streams + " gRPC watch streams over 3 connections" : note);
    }

    /** W8: one member, until its first put (through the HTTP/JSON gateway, so no client reconnect back-off) answers. */
    static Start single(Env env) throws Exception {
        int clientPort = Procs.freePort();
        int peerPort = Procs.freePort();
        Path dir = env.dir("etcd-single");
        Path log = dir.resolve("etcd.log");
        List<String> cmd = command("s", dir.resolve("data"), clientPort, peerPort, "s=http://127.0.0.1:" + peerPort,
                "single-" + System.nanoTime());
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        String body = "{\"key\":\"" + Base64.getEncoder().encodeToString("bench/first".getBytes(StandardCharsets.UTF_8))
                + "\",\"value\":\"eA==\"}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/v3/kv/put"))
                .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Procs.firstAnswer("etcd", cmd, log, "single member, WAL fsync'd", () -> {
            HttpResponse<String> r = c.send(req, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"header\"");
        });
    }

    @Override
    public void close() {
        for (Client c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        members.forEach(Procs::stop);
        http.shutdownNow();
    }
}
