package io.roster.it.faults;

import io.roster.it.hosts.Host;
import io.roster.it.hosts.NetHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three (or five) server agents on network-namespace hosts (10.10.10.10-14, prefix {@code fz}) and one client
 * host (10.10.10.20) with the {@link HttpBridge}, and the faults a run injects: kill -9 and restart,
 * SIGSTOP/SIGCONT, a host's link down, iptables DROP between two servers (a bridge partition), and a
 * full data-directory filesystem (one server's data directory is a small tmpfs, mounted in the root
 * mount namespace before its agent starts, and filled with a file).
 *
 * <p>Every fault has its heal, and {@link #healAll} undoes every fault that is on; {@link #close}
 * kills every process (through {@link NetHosts#close}), deletes the namespaces and unmounts the tmpfs,
 * on success and on failure.
 */
final class Cluster implements AutoCloseable {
    /** The servers' addresses: the first {@link #size()} of them are used (3 by default, 5 at most). */
    static final List<String> IPS = List.of("10.10.10.10", "10.10.10.11", "10.10.10.12", "10.10.10.13", "10.10.10.14");
    static final String CLIENT_IP = "10.10.10.20";
    /** Size of the tmpfs that holds one server's data directory. */
    static final String TMPFS_SIZE = "256m";
    private static final Duration CMD = Duration.ofSeconds(30);

    private final NetHosts hosts;
    private final List<Host> servers = new ArrayList<>();
    private final Host.Proc[] procs = new Host.Proc[5];
    private final boolean[] paused = new boolean[5];
    private final boolean[] cut = new boolean[5];
    private final boolean[] shaped = new boolean[5];
    private final Path[] dataDirs = new Path[5];
    private final int tmpfsServer;
    private boolean tmpfsMounted;
    private boolean dropRules;
    private boolean diskFull;
    private final Host client;
    private HttpBridge bridge;

    private final int n;

    Cluster(int tmpfsServer) {
        this(3, tmpfsServer);
    }

    /** {@code n} servers (3 or 5), server {@code tmpfsServer}'s data directory on a tmpfs (none when negative). */
    Cluster(int n, int tmpfsServer) {
        if (n < 1 || n > IPS.size()) {
            throw new IllegalArgumentException("servers: 1 to " + IPS.size());
        }
        this.n = n;
        this.tmpfsServer = tmpfsServer;
        this.hosts = NetHosts.create(NetHosts.defaultLogRoot(), "fz");
        try {
            for (int i = 0; i < n; i++) {
                servers.add(hosts.addHost("s" + (i + 1), IPS.get(i)));
                dataDirs[i] = hosts.logDir().resolve("s" + (i + 1) + "-data");
                Files.createDirectories(dataDirs[i]);
            }
            client = hosts.addHost("cl", CLIENT_IP);
            if (tmpfsServer >= 0) {
                must("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "fz-data", dataDirs[tmpfsServer].toString());
                tmpfsMounted = true;
            }
        } catch (Exception e) {
            close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** The number of servers. */
    int size() {
        return n;
    }

    NetHosts hosts() {
        return hosts;
    }

    Host server(int i) {
        return servers.get(i);
    }

    int tmpfsServer() {
        return tmpfsServer;
    }

    /** Server {@code i}'s data directory (in the root mount namespace, which the hosts share). */
    Path dataDir(int i) {
        return dataDirs[i];
    }

    HttpBridge bridge() {
        if (bridge == null) {
            bridge = new HttpBridge(client, hosts.logDir());
        }
        return bridge;
    }

    /** The HTTP base URL of server {@code i} as the client host reaches it. */
    static String url(int i) {
        return "http://" + IPS.get(i) + ":8500";
    }

    private List<String> args(int i) {
        List<String> a = new ArrayList<>(List.of("-server", "-node=s" + (i + 1), "-bind=" + IPS.get(i), "-client=0.0.0.0",
                "-data-dir=" + dataDirs[i], "-bootstrap-expect=" + n, "-log-level=info"));
        for (String ip : IPS.subList(0, n)) {
            a.add("-retry-join=" + ip);
        }
        return a;
    }

    synchronized void startAll() {
        for (int i = 0; i < n; i++) {
            start(i);
        }
    }

    synchronized void start(int i) {
        if (procs[i] == null || !procs[i].isAlive()) {
            procs[i] = servers.get(i).startAgent("agent", args(i));
            paused[i] = false;
        }
    }

    synchronized boolean alive(int i) {
        return procs[i] != null && procs[i].isAlive();
    }

    /** kill -9 of every process of server {@code i}'s host. */
    synchronized void kill9(int i) {
        servers.get(i).kill9();
        paused[i] = false;
    }

    /** SIGTERM of server {@code i}'s agent (a graceful stop, at most 30 s, then kill -9) and a start on the same data. */
    void restart(int i) {
        Host.Proc p;
        synchronized (this) {
            p = procs[i];
            resume(i);
        }
        if (p != null && p.isAlive()) {
            must("kill", "-TERM", Long.toString(p.pid()));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (p.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (p.isAlive()) {
                kill9(i);
            }
        }
        start(i);
    }

    /** SIGSTOP of server {@code i}'s agent (a GC pause, a VM freeze). */
    synchronized void pause(int i) {
        if (alive(i) && !paused[i]) {
            must("kill", "-STOP", Long.toString(procs[i].pid()));
            paused[i] = true;
        }
    }

    synchronized void resume(int i) {
        if (paused[i]) {
            if (alive(i)) {
                must("kill", "-CONT", Long.toString(procs[i].pid()));
            }
            paused[i] = false;
        }
    }

    /** Server {@code i}'s bridge port down: it reaches no one, and the client cannot reach it. */
    synchronized void isolate(int i) {
        servers.get(i).linkDown();
        cut[i] = true;
    }

    synchronized void reconnect(int i) {
        if (cut[i]) {
            servers.get(i).linkUp();
            cut[i] = false;
        }
    }

    /** iptables DROP both ways between servers {@code a} and {@code b} (each still sees the third and the client). */
    synchronized void dropBetween(int a, int b) {
        drop(a, b);
        drop(b, a);
        dropRules = true;
    }

    private void drop(int in, int from) {
        Host h = servers.get(in);
        inHost(h, "iptables", "-A", "INPUT", "-s", IPS.get(from), "-j", "DROP");
        inHost(h, "iptables", "-A", "OUTPUT", "-d", IPS.get(from), "-j", "DROP");
    }

    /** iptables DROP of a random {@code percent} of what server {@code i} receives and of what it sends (real packet loss). */
    synchronized void lossy(int i, int percent) {
        Host h = servers.get(i);
        String p = String.format(java.util.Locale.ROOT, "%.2f", percent / 100.0);
        dropRules = true;
        inHost(h, "iptables", "-A", "INPUT", "-m", "statistic", "--mode", "random", "--probability", p, "-j", "DROP");
        inHost(h, "iptables", "-A", "OUTPUT", "-m", "statistic", "--mode", "random", "--probability", p, "-j", "DROP");
    }

    /** Server {@code i}'s link made slow both ways with tbf (netem is missing here): queued packets wait, overflow is dropped. */
    synchronized void slow(int i, String tbf) {
        shaped[i] = true;
        servers.get(i).qdisc("tbf " + tbf);
    }

    synchronized void unslow(int i) {
        if (shaped[i]) {
            servers.get(i).clearNetem();
            shaped[i] = false;
        }
    }

    synchronized void flushDropRules() {
        if (dropRules) {
            for (Host h : servers) {
                inHost(h, "iptables", "-F");
            }
            dropRules = false;
        }
    }

    /** Fills the tmpfs under the data directory of {@link #tmpfsServer} until no byte is left. */
    synchronized void fillDisk() {
        if (tmpfsServer < 0 || diskFull) {
            return;
        }
        // dd stops with "No space left on device" (exit 1): that is the point.
        run(Duration.ofSeconds(60), "dd", "if=/dev/zero", "of=" + filler(), "bs=1M", "status=none");
        diskFull = true;
    }

    synchronized void freeDisk() {
        if (diskFull) {
            must("rm", "-f", filler().toString());
            diskFull = false;
        }
    }

    private Path filler() {
        return dataDirs[tmpfsServer].resolve("fz-filler");
    }

    /** Undoes every fault that is on and starts every server that is down. */
    synchronized void healAll() {
        for (int i = 0; i < n; i++) {
            resume(i);
            reconnect(i);
            unslow(i);
        }
        flushDropRules();
        freeDisk();
        for (int i = 0; i < n; i++) {
            start(i);
        }
    }

    /** The agents' logs, for a failed run's report. */
    Path logDir() {
        return hosts.logDir();
    }

    private static void inHost(Host h, String... cmd) {
        Host.Result r = h.exec(CMD, cmd);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + " in " + h + ": " + r.describe());
        }
    }

    private static void must(String... cmd) {
        int exit = run(CMD, cmd);
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + exit);
        }
    }

    /** Runs a command in the root namespace; its exit code (-1: killed at the time limit). Output goes to stderr. */
    private static int run(Duration timeout, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                return -1;
            }
            return p.exitValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
        hosts.close();
        if (tmpfsMounted) {
            int exit = run(CMD, "umount", "-l", dataDirs[tmpfsServer].toString());
            if (exit != 0) {
                System.err.println("Cluster: cannot unmount " + dataDirs[tmpfsServer] + ": exit " + exit);
            }
            tmpfsMounted = false;
        }
    }
}
