package io.roster.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * ZooKeeper (Debian's {@code zookeeper} package: its jars run directly with
 * {@code QuorumPeerMain} and a generated {@code zoo.cfg}) as a 3-server ensemble on loopback, data
 * dirs in the run's work directory ({@code forceSync=yes}, the default), driven with the
 * {@code org.apache.zookeeper} client: setData, sync+getData, getData, and getData watches.
 */
final class ZkSide extends SideSystem {
    private static final Path JARS = Path.of("/usr/share/java");
    private static final String HEAP = "1g";
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final Pattern TOTAL_WATCHES = Pattern.compile("Total watches:\\s*(\\d+)");

    private final List<Process> servers;
    private final List<Integer> clientPorts;
    private final int maxSessions;
    private final List<ZooKeeper> sessions = new ArrayList<>();
    /** The load clients' sessions (W1-W3), one per client, opened by {@link #prepare}. */
    private List<ZooKeeper> load;

    private ZkSide(List<Process> servers, List<Integer> clientPorts, int maxSessions) {
        this.servers = servers;
        this.clientPorts = clientPorts;
        this.maxSessions = maxSessions;
    }

    /** The server's classpath (its jar's manifest names the rest), or a clear failure. */
    static String classpath() {
        Path zk = JARS.resolve("zookeeper.jar");
        Path slf4j = JARS.resolve("slf4j-simple.jar");
        if (!Files.exists(zk) || !Files.exists(slf4j)) {
            throw new IllegalStateException("ZooKeeper is not installed (" + zk + " or " + slf4j + " missing): the "
                    + "side-by-side benchmark needs it (apt-get install etcd-server zookeeper)");
        }
        return zk + ":" + slf4j;
    }

    /** ZooKeeper 3.8 runs on Java 11+: Debian's default java (17) as its package does, else this JVM. */
    private static String java() {
        Path debian = Path.of("/usr/bin/java");
        return Files.isExecutable(debian) ? debian.toString() : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> command(Path cfg) {
        return List.of(java(), "-Xmx" + HEAP, "-XX:+UseG1GC", "-cp", classpath(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dzookeeper.admin.enableServer=false",
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg.toString());
    }

    private static Path writeConfig(Path dir, int clientPort, List<String> serverLines) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        List<String> lines = new ArrayList<>(List.of("tickTime=2000", "initLimit=10", "syncLimit=5",
                "dataDir=" + data, "clientPort=" + clientPort, "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0", "admin.enableServer=false", "4lw.commands.whitelist=srvr,wchs,ruok",
                "forceSync=yes", "autopurge.purgeInterval=0"));
        lines.addAll(serverLines);
        Path cfg = dir.resolve("zoo.cfg");
        Files.write(cfg, lines);
        return cfg;
    }

    static ZkSide cluster(Env env) throws Exception {
        List<Integer> clientPorts = new ArrayList<>();
        List<String> serverLines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clientPorts.add(Procs.freePort());
            serverLines.add("server." + (i + 1) + "=127.0.0.1:" + Procs.freePort() + ":" + Procs.freePort());
        }
        List<Process> ps = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Path dir = env.dir("zk-" + i);
                Path cfg = writeConfig(dir, clientPorts.get(i), serverLines);
                Files.writeString(dir.resolve("data/myid"), Integer.toString(i + 1));
                Path log = dir.resolve("zk.log");
                logs.add(log);
                ps.add(Procs.start(command(cfg), log));
            }
            for (int i = 0; i < 3; i++) {
                awaitServing(ps.get(i), clientPorts.get(i), logs.get(i), Duration.ofSeconds(60));
            }
            ZkSide z = new ZkSide(ps, clientPorts, env.zkSessions());
            try (ZooKeeper c = connect(clientPorts.get(0), Duration.ofSeconds(10))) {
                c.create("/bench", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            return z;
        } catch (Exception e) {
            ps.forEach(Procs::stop);
            throw e;
        }
    }

    /** Client settings: a request gets an error after 10 s instead of waiting for the session to expire. */
    private static ZKClientConfig clientConfig() {
        ZKClientConfig c = new ZKClientConfig();
        c.setProperty(ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT, "10000");
        return c;
    }

    /** A session to one server, connected; fails after {@code max}. */
    static ZooKeeper connect(int port, Duration max) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, SESSION_TIMEOUT_MS, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, clientConfig());
        if (!connected.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
            zk.close();
            throw new IOException("no ZooKeeper session to port " + port + " within " + max.toMillis() + " ms");
        }
        return zk;
    }

    /**
     * Whether the server serves clients now, from its {@code srvr} answer (a quorum member that has no
     * leader yet, or a server still loading, answers "not currently serving requests"). Cheaper than a
     * client session, whose failed connect is retried only after a random pause of up to a second.
     */
    static boolean serving(int port) {
        try {
            return fourLetters(port, "srvr", 100).contains("Zookeeper version");
        } catch (IOException e) {
            return false;
        }
    }

    /** Until {@link #serving} and a fresh session to this server can read {@code /}. */
    private static void awaitServing(Process p, int port, Path log, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("zookeeper exited:\n" + Procs.tail(log, 20));
            }
            if (serving(port)) {
                try (ZooKeeper zk = connect(port, Duration.ofSeconds(5))) {
                    zk.exists("/", false);
                    return;
                } catch (IOException | KeeperException e) {
                    // not serving yet
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("zookeeper on port " + port + " not serving after " + max.toSeconds() + " s:\n"
                        + Procs.tail(log, 20));
            }
            Thread.sleep(50);
        }
    }

    /** A four-letter-word command's answer ({@code srvr}, {@code wchs}). */
    static String fourLetters(int port, String cmd) throws IOException {
        return fourLetters(port, cmd, 5000);
    }

    /**
     * With a read timeout: a server that is still starting accepts the connection but may never
     * answer it, so a readiness poll must give up quickly and ask again.
     */
    static String fourLetters(int port, String cmd, int timeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(cmd.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The server version from {@code srvr}, e.g. "3.8.0". */
    String version() {
        try {
            Matcher m = Pattern.compile("Zookeeper version: ([0-9.]+)").matcher(fourLetters(clientPorts.get(0), "srvr"));
            return m.find() ? m.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    String label() {
        return "ZooKeeper";
    }

    @Override
    List<Process> servers() {
        return servers;
    }

    /** {@code n} sessions, session i connected to server i % 3. */
    private List<ZooKeeper> openSessions(int n) throws Exception {
        List<ZooKeeper> out = new ArrayList<>(n);
        CountDownLatch connected = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            boolean[] once = {false};
            ZooKeeper zk = new ZooKeeper("127.0.0.1:" + clientPorts.get(i % 3), SESSION_TIMEOUT_MS, e -> {
                if (e.getType() == Watcher.Event.EventType.None && e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    synchronized (once) {
                        if (!once[0]) {
                            once[0] = true;
                            connected.countDown();
                        }
                    }
                }
            }, clientConfig());
            out.add(zk);
            synchronized (sessions) {
                sessions.add(zk);
            }
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("zookeeper: " + connected.getCount() + " of " + n + " sessions not connected after 120 s");
        }
        return out;
    }

    private static String path(int client, long seq) {
        return "/" + key(client, seq);
    }

    @Override
    void prepare(int clients) throws Exception {
        load = openSessions(clients);
        ZooKeeper c = load.get(0);
        c.create("/bench/kv", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < clients; i++) {
            c.create("/bench/kv/" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        LoadGen.prepare(label(), clients, (cl, k) -> {
            try {
                load.get(cl).create(path(cl, k), value(cl, k), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NoNodeException e) {
                // A follower may not have applied its parent yet: sync, then once more.
                syncNow(load.get(cl), "/bench/kv/" + cl);
                load.get(cl).create(path(cl, k), value(cl, k), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        });
    }

    private static void syncNow(ZooKeeper zk, String path) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        zk.sync(path, (rc, p, ctx) -> done.countDown(), null);
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new IOException("sync " + path + " timed out");
        }
    }

    @Override
    Op write() {
        return (c, seq) -> load.get(c).setData(path(c, seq), value(c, seq), -1);
    }

    /**
     * Linearizable: {@code sync} then {@code getData} on the same session; a session's requests are
     * answered in order, so the read is served after the server has caught up with the leader as of
     * the sync (ZooKeeper's documented way to read the latest value). Stale: {@code getData} alone.
     */
    @Override
    Op read(boolean linearizable) {
        return (c, seq) -> {
            ZooKeeper zk = load.get(c);
            String p = path(c, seq);
            if (linearizable) {
                zk.sync(p, (rc, path, ctx) -> { }, null);
            }
            zk.getData(p, false, null);
        };
    }

    private long serverWatches() {
        long sum = 0;
        for (int port : clientPorts) {
            try {
                Matcher m = TOTAL_WATCHES.matcher(fourLetters(port, "wchs"));
                if (m.find()) {
                    sum += Long.parseLong(m.group(1));
                }
            } catch (IOException e) {
                return -1;
            }
        }
        return sum;
    }

    /**
     * {@code n} watchers ({@code getData} with a watcher each) spread over
     * {@code min(n, maxSessions)} sessions. ZooKeeper keeps one server-side watch per session and
     * path, and calls every watcher of that session and path when it fires: past {@code maxSessions}
     * the server holds {@code maxSessions} watches and the client fans out the rest.
     */
    @Override
    Watch watch(int n, Duration limit) throws Exception {
        String p = "/w4";
        int nSessions = Math.max(3, Math.min(n, maxSessions));
        // One control session per server: the key is created and seen by all before the baseline.
        List<ZooKeeper> control = openSessions(3);
        control.get(0).create(p, "v0".getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (ZooKeeper c : control) {
            syncNow(c, p);
        }
        for (Process s : servers) {
            Procs.gc(s.pid());
        }
        // The baseline is taken before the watchers' sessions exist: they are part of what watching costs.
        long rssBefore = Procs.settledRss(servers());
        List<ZooKeeper> ws = openSessions(nSessions);
        AtomicLong registered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong notified = new AtomicLong();
        AtomicLong t0 = new AtomicLong(Long.MAX_VALUE);
        Stats lat = new Stats();
        for (int i = 0; i < n; i++) {
            Watcher w = new Watcher() {
                @Override
                public void process(WatchedEvent e) {
                    if (e.getType() == Event.EventType.NodeDataChanged) {
                        lat.add(Math.max(0, System.nanoTime() - t0.get()));
                        notified.incrementAndGet();
                    }
                }
            };
            ws.get(i % nSessions).getData(p, w, (rc, path, ctx, data, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    registered.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            }, null);
        }
        long end = System.nanoTime() + limit.toNanos();
        while (registered.get() + failed.get() < n && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        String note = registered.get() < n ? "only " + registered.get() + " of " + n + " watchers registered within "
                + limit.toSeconds() + " s" : "";
        long serverWatches = serverWatches();
        long rssAfter = Procs.settledRss(servers());
        t0.set(System.nanoTime());
        control.get(0).setData(p, "v1".getBytes(StandardCharsets.US_ASCII), -1);
        long writeNanos = System.nanoTime() - t0.get();
        end = System.nanoTime() + limit.toNanos();
        while (notified.get() < registered.get() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        if (notified.get() < registered.get()) {
            note = (note.isEmpty() ? "" : note + "; ") + "not all notified within " + limit.toSeconds() + " s";
        }
        long got = notified.get();
        closeAll(ws);
        closeAll(control);
        return new Watch(n, registered.get(), serverWatches, rssBefore, rssAfter, 0, 0, lat, got, failed.get(), writeNanos,
                note.isEmpty() ? nSessions + " sessions" : note);
    }

    private void closeAll(List<ZooKeeper> zks) {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (ZooKeeper zk : zks) {
            pool.execute(() -> {
                try {
                    zk.close(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        pool.shutdown();
        try {
            pool.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        synchronized (sessions) {
            sessions.removeAll(zks);
        }
    }

    /** W8: a standalone server, until a fresh session's first create answers. */
    static Start single(Env env) throws Exception {
        int port = Procs.freePort();
        Path dir = env.dir("zk-single");
        Path cfg = writeConfig(dir, port, List.of());
        Path log = dir.resolve("zk.log");
        return Procs.firstAnswer("zookeeper", command(cfg), log, "standalone, log fsync'd", () -> {
            if (!serving(port)) {
                return false;
            }
            try (ZooKeeper zk = connect(port, Duration.ofSeconds(5))) {
                zk.create("/first", new byte[] {'x'}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                return true;
            } catch (KeeperException notServingYet) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        List<ZooKeeper> all;
        synchronized (sessions) {
            all = new ArrayList<>(sessions);
        }
        closeAll(all);
        servers.forEach(Procs::stop);
    }
}
