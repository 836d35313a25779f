package io.roster.it.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One test host: a network namespace with {@code lo} and {@code eth0} (its address on the hosts'
 * bridge). Runs commands and long-lived processes inside it, and injects faults on its link.
 */
public final class Host {
    private static final Duration CMD = Duration.ofSeconds(30);
    private final NetHosts hosts;
    private final String name;
    private final String ns;
    private final String ip;
    private final String bridgePort;
    private final List<Proc> procs = new CopyOnWriteArrayList<>();

    Host(NetHosts hosts, String name, String ns, String ip, String bridgePort) {
        this.hosts = hosts;
        this.name = name;
        this.ns = ns;
        this.ip = ip;
        this.bridgePort = bridgePort;
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return ns;
    }

    public String ip() {
        return ip;
    }

    @Override
    public String toString() {
        return name + "(" + ip + ")";
    }

    // ---- commands --------------------------------------------------------------------------

    /** The outcome of a command run in this host. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        public String describe() {
            return new Sh.Result(exit, out, err).describe();
        }
    }

    /** Runs a command in this host and waits for it (at most {@code timeout}; exit -1 when it was killed then). */
    public Result exec(Duration timeout, String... cmd) {
        return exec(timeout, null, List.of(cmd));
    }

    /** As {@link #exec(Duration, String...)}, with text on the command's stdin. */
    public Result exec(Duration timeout, String stdin, List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        Sh.Result r = Sh.run(timeout, full, stdin);
        return new Result(r.exit(), r.out(), r.err());
    }

    /** An HTTP answer read with curl inside the host; status 0 when no answer came (the body says why). */
    public record HttpResult(int status, String body) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (HTTP " + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body.strip();
        }
    }

    /**
     * {@code curl} in this host against {@code http://127.0.0.1:8500<path>} (the agent's default
     * client address and port; each namespace has its own loopback). At most 10 s.
     */
    public HttpResult http(String method, String path, String body) {
        return http(method, "http://127.0.0.1:8500" + path, body, Duration.ofSeconds(10));
    }

    public HttpResult get(String path) {
        return http("GET", path, null);
    }

    public HttpResult put(String path, String body) {
        return http("PUT", path, body);
    }

    /** {@code curl} in this host against any URL (of a host of this fixture). */
    public HttpResult http(String method, String url, String body, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-m", Long.toString(Math.max(1, timeout.toSeconds())),
                "-X", method, "-o", "-", "-w", "\n%{http_code}"));
        if (body != null) {
            cmd.addAll(List.of("--data-binary", "@-"));
        }
        cmd.add(url);
        Result r = exec(timeout.plusSeconds(5), body, cmd);
        if (!r.ok()) {
            return new HttpResult(0, r.err().strip());
        }
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        int status = Integer.parseInt(out.substring(nl + 1).strip());
        return new HttpResult(status, out.substring(0, nl));
    }

    /** {@code dig +short} in this host against the agent's DNS on 127.0.0.1:8600; one try, 2 s. */
    public Result dig(String... query) {
        List<String> cmd = new ArrayList<>(List.of("dig", "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", "8600"));
        cmd.addAll(List.of(query));
        return exec(Duration.ofSeconds(10), null, cmd);
    }

    // ---- processes -------------------------------------------------------------------------

    /** A long-lived process started in this host; its stdout and stderr go to {@link #log()}. */
    public static final class Proc {
        private final Host host;
        private final String label;
        private final Process process;
        private final Path log;

        Proc(Host host, String label, Process process, Path log) {
            this.host = host;
            this.label = label;
            this.process = process;
            this.log = log;
        }

        public Host host() {
            return host;
        }

        public String label() {
            return label;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public long pid() {
            return process.pid();
        }

        public Path log() {
            return log;
        }

        /** The log so far (the last 8000 characters), for an assertion message. */
        public String logTail() {
            try {
                String s = Files.readString(log);
                return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        /** kill -9 of this process and its descendants. */
        public void kill9() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return label + "@" + host.name() + " (pid " + process.pid() + ", log " + log + ")";
        }
    }

    /**
     * Starts {@code cmd} inside this host ({@code ip netns exec}), logging to
     * {@code <logDir>/<host>-<label>.log} (appended to, so a restart keeps the earlier output).
     */
    public Proc start(String label, List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        Path log = hosts.logDir().resolve(name + "-" + label + ".log");
        try {
            Files.writeString(log, "### " + java.time.Instant.now() + " " + String.join(" ", cmd) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Proc proc = new Proc(this, label, p, log);
            procs.add(proc);
            return proc;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd.get(0) + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code roster agent <args>} inside this host: the worktree's built launcher classpath
     * ({@link Launcher}), no Maven and no {@code bin/roster} at run time.
     */
    public Proc startAgent(String label, List<String> agentArgs) {
        List<String> cmd = new ArrayList<>(Launcher.javaCommand());
        cmd.add("agent");
        cmd.addAll(agentArgs);
        return start(label, cmd);
    }

    /**
     * The same with JVM options ({@code -Xmx...}) put before the launcher's own: for tests that
     * run many agents on the shared machine with small heaps.
     */
    public Proc startAgent(String label, List<String> jvmOptions, List<String> agentArgs) {
        List<String> launcher = Launcher.javaCommand();
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.get(0));
        cmd.addAll(jvmOptions);
        cmd.addAll(launcher.subList(1, launcher.size()));
        cmd.add("agent");
        cmd.addAll(agentArgs);
        return start(label, cmd);
    }

    /** Runs a {@code roster} CLI command (e.g. {@code members}) in this host, against its agent on 127.0.0.1:8500. */
    public Result roster(String... args) {
        List<String> cmd = new ArrayList<>(Launcher.javaCommand());
        cmd.addAll(List.of(args));
        return exec(Duration.ofSeconds(60), null, cmd);
    }

    /** The processes started in this host (alive or not). */
    public List<Proc> processes() {
        return List.copyOf(procs);
    }

    /**
     * kill -9 of every process in this host: the ones started here and anything they started (every
     * process whose network namespace is this host's).
     */
    public void kill9() {
        for (Proc p : procs) {
            p.kill9();
        }
        NetHosts.killNamespaceProcesses(ns);
    }

    // ---- faults ----------------------------------------------------------------------------

    /**
     * Cuts this host off: its port on the bridge goes down (a pulled cable at the switch; the host's
     * own {@code eth0} keeps its address and route but has no carrier).
     */
    public void linkDown() {
        NetHosts.ip("-n", hosts.bridgeNamespace(), "link", "set", bridgePort, "down");
    }

    /** Undoes {@link #linkDown()}. */
    public void linkUp() {
        NetHosts.ip("-n", hosts.bridgeNamespace(), "link", "set", bridgePort, "up");
    }

    /**
     * Applies a {@code tc netem} discipline (e.g. {@code "delay 100ms 10ms loss 5%"}) to both
     * directions of this host's link: on its {@code eth0} (what it sends) and on its bridge port (what
     * it receives), so a delay here adds twice to a round trip.
     */
    public void netem(String spec) {
        List<String> args = List.of(spec.strip().split("\\s+"));
        tc(ns, "eth0", args);
        tc(hosts.bridgeNamespace(), bridgePort, args);
    }

    /**
     * Why {@link #netem(String)} cannot work here, or empty: some kernels are built without
     * {@code sch_netem} ("Specified qdisc kind is unknown"); tests that need delay or loss skip then.
     * Probed on this host's {@code lo}, which carries no test traffic between hosts.
     */
    public java.util.Optional<String> netemUnavailableReason() {
        Sh.Result r = Sh.run(CMD, List.of("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", "lo", "root", "netem", "delay", "0ms"));
        if (!r.ok()) {
            return java.util.Optional.of("tc netem is not available in this kernel: " + r.err().strip());
        }
        Sh.run(CMD, List.of("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "lo", "root"));
        return java.util.Optional.empty();
    }

    /**
     * Applies any root queueing discipline (e.g. {@code "tbf rate 512kbit burst 16kb latency 500ms"}, a
     * slow link that delays what queues and drops what overflows) to both directions of this host's link,
     * as {@link #netem(String)} does; for kernels without {@code sch_netem}. {@link #clearNetem()} removes it.
     */
    public void qdisc(String spec) {
        List<String> args = List.of(spec.strip().split("\\s+"));
        for (String[] where : new String[][] {{ns, "eth0"}, {hosts.bridgeNamespace(), bridgePort}}) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", where[0], "tc", "qdisc", "replace", "dev", where[1], "root"));
            cmd.addAll(args);
            Sh.must(CMD, cmd);
        }
    }

    /** Removes what {@link #netem(String)} or {@link #qdisc(String)} set. */
    public void clearNetem() {
        Sh.run(CMD, List.of("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root"));
        Sh.run(CMD, List.of("ip", "netns", "exec", hosts.bridgeNamespace(), "tc", "qdisc", "del", "dev", bridgePort, "root"));
    }

    /** {@code tc qdisc show} of this host's {@code eth0}. */
    public String qdisc() {
        return Sh.must(CMD, List.of("ip", "netns", "exec", ns, "tc", "qdisc", "show", "dev", "eth0"));
    }

    private static void tc(String namespace, String dev, List<String> netem) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "tc", "qdisc", "replace", "dev", dev, "root", "netem"));
        cmd.addAll(netem);
        Sh.must(CMD, cmd);
    }
}
