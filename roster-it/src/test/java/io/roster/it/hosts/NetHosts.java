package io.roster.it.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test hosts made of Linux network namespaces: each {@link Host} is a namespace with its own
 * address on 10.10.10.0/24, its {@code eth0} a veth whose other end is a port of a bridge that lives
 * in a namespace of its own. Nothing is added to the root namespace (no interface, address or
 * route), and no namespace has a default route, so traffic can only go between these hosts.
 *
 * <p>Names: every namespace is {@code rn-nh<pid>x<n>-<host>} (the bridge's host name is
 * {@code br}), where {@code pid} is this JVM's and {@code n} counts the fixtures it made. Creating a
 * fixture first removes the namespaces of runs whose JVM is gone (kill -9 of Maven, a crashed
 * fork): their processes are killed and the namespaces deleted.
 *
 * <p>{@link #close()} kills every process in every host (kill -9, so the whole tree: all processes
 * of a namespace, not only the ones started here) and deletes the namespaces, which deletes the
 * veths and the bridge with them. A JVM shutdown hook closes whatever is still open.
 *
 * <p>Logs: each process started in a host writes stdout and stderr to
 * {@code <logRoot>/<runId>/<host>-<label>.log}; {@link #logDir()} is kept after close, for a
 * failed run to be read.
 */
public final class NetHosts implements AutoCloseable {
    /** The prefix of every namespace this fixture creates ({@code rn-} as the house asks, then ours). */
    public static final String PREFIX = "rn-nh";
    /** The hosts' subnet: the only addresses a host can reach. */
    public static final String SUBNET_PREFIX = "10.10.10.";
    /** Every prefix a fixture of this JVM was created with: leftovers of dead runs are looked for under each. */
    private static final Set<String> PREFIXES = ConcurrentHashMap.newKeySet();
    private static final Duration CMD = Duration.ofSeconds(30);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Set<NetHosts> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NetHosts h : OPEN) {
                h.close();
            }
        }, "nethosts-teardown"));
    }

    private final String prefix;
    private final String runId;
    private final String bridgeNs;
    private final Path logDir;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private boolean closed;

    private NetHosts(String prefix, String runId, Path logDir) {
        this.prefix = prefix;
        this.runId = runId;
        this.bridgeNs = prefix + runId + "-br";
        this.logDir = logDir;
    }

    /**
     * Why hosts cannot be made here, or empty: not root, or {@code ip netns} missing or refused.
     * Tests turn a reason into a skipped test ({@link NetHostsExtension}).
     */
    public static Optional<String> unavailableReason() {
        try {
            Sh.Result id = Sh.run(CMD, List.of("id", "-u"));
            if (!id.ok() || !id.out().strip().equals("0")) {
                return Optional.of("network-namespace hosts need root (uid is " + id.out().strip() + ")");
            }
            Sh.Result ip = Sh.run(CMD, List.of("ip", "netns", "list"));
            if (!ip.ok()) {
                return Optional.of("'ip netns' is not available: " + ip.describe());
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("'ip' (iproute2) cannot be run: " + e.getMessage());
        }
    }

    /**
     * Creates the bridge namespace of a new fixture, after removing leftovers of dead runs. Logs go
     * under {@code logRoot/<runId>/}.
     */
    public static NetHosts create(Path logRoot) {
        return create(logRoot, PREFIX);
    }

    /**
     * As {@link #create(Path)}, naming every namespace {@code <prefix><pid>x<n>-<host>} instead
     * (e.g. {@code fz} for the fault runs, so that a person or a cleanup script can tell them
     * apart). {@code prefix}: 2-8 of a-z and '-'.
     */
    public static NetHosts create(Path logRoot, String prefix) {
        if (!prefix.matches("[a-z-]{2,8}")) {
            throw new IllegalArgumentException("namespace prefix must be 2-8 of a-z and '-': " + prefix);
        }
        PREFIXES.add(prefix);
        removeLeftovers();
        String runId = ProcessHandle.current().pid() + "x" + RUNS.getAndIncrement();
        Path dir = logRoot.resolve(runId);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        NetHosts h = new NetHosts(prefix, runId, dir);
        OPEN.add(h);
        try {
            ip("netns", "add", h.bridgeNs);
            ip("-n", h.bridgeNs, "link", "set", "lo", "up");
            ip("-n", h.bridgeNs, "link", "add", "br0", "type", "bridge");
            ip("-n", h.bridgeNs, "link", "set", "br0", "up");
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    /** The default log root: {@code target/nethosts} of the module the tests run in. */
    public static Path defaultLogRoot() {
        return Path.of(System.getProperty("user.dir")).resolve("target/nethosts");
    }

    /**
     * Adds a host: namespace {@code rn-nh<runId>-<name>}, {@code lo} up, {@code eth0} with
     * {@code ip/24} on the bridge. {@code name}: lower-case letters, digits, '-'.
     */
    public synchronized Host addHost(String name, String ip) {
        if (closed) {
            throw new IllegalStateException("fixture closed");
        }
        if (!name.matches("[a-z0-9-]{1,20}") || name.equals("br")) {
            throw new IllegalArgumentException("host name must be 1-20 of a-z, 0-9, '-' (not 'br'): " + name);
        }
        if (!ip.startsWith(SUBNET_PREFIX) || hosts.values().stream().anyMatch(h -> h.ip().equals(ip))) {
            throw new IllegalArgumentException("host address must be a free address of " + SUBNET_PREFIX + "0/24: " + ip);
        }
        if (hosts.containsKey(name)) {
            throw new IllegalArgumentException("host exists: " + name);
        }
        String ns = prefix + runId + "-" + name;
        String port = "v" + hosts.size();
        Host h = new Host(this, name, ns, ip, port);
        hosts.put(name, h);
        ip("netns", "add", ns);
        ip("-n", ns, "link", "set", "lo", "up");
        // Both ends are created inside the bridge's namespace and one is moved: the root namespace never sees them.
        ip("-n", bridgeNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", bridgeNs, "link", "set", port, "master", "br0");
        ip("-n", bridgeNs, "link", "set", port, "up");
        ip("-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        return h;
    }

    public synchronized Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name + " (hosts: " + hosts.keySet() + ")");
        }
        return h;
    }

    /** The host with this address. */
    public synchronized Host hostWithIp(String ip) {
        return hosts.values().stream().filter(h -> h.ip().equals(ip)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host has address " + ip));
    }

    public synchronized Collection<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** This run's id ({@code <pid>x<n>}), part of every namespace name. */
    public String runId() {
        return runId;
    }

    /** The namespace that holds the bridge. */
    public String bridgeNamespace() {
        return bridgeNs;
    }

    /** Where this run's process logs (and whatever a test puts there, e.g. data dirs) are. */
    public Path logDir() {
        return logDir;
    }

    /** The namespaces of this run that exist now (empty after close). */
    public List<String> namespaces() {
        List<String> mine = new ArrayList<>();
        for (String n : listNamespaces()) {
            if (n.startsWith(prefix + runId + "-")) {
                mine.add(n);
            }
        }
        return mine;
    }

    /**
     * Kills every process of every host (kill -9) and deletes the namespaces (veths and bridge go
     * with them). Idempotent; never throws, so it can run in a finally, an extension or a shutdown hook.
     */
    @Override
    public void close() {
        List<Host> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(hosts.values());
        }
        for (Host h : all) {
            try {
                h.kill9();
            } catch (RuntimeException e) {
                System.err.println("NetHosts: killing the processes of " + h.namespace() + ": " + e.getMessage());
            }
        }
        for (Host h : all) {
            deleteNamespace(h.namespace());
        }
        deleteNamespace(bridgeNs);
        OPEN.remove(this);
    }

    /**
     * Removes what runs of this fixture left behind when their JVM died: namespaces named
     * {@code rn-nh<pid>x<n>-*} (or with another prefix this JVM has used) whose {@code pid} is no
     * running Java process. Their processes are killed first. Returns the namespaces removed.
     */
    public static List<String> removeLeftovers() {
        List<String> removed = new ArrayList<>();
        List<String> names = listNamespaces();
        // Hosts before bridges, as close() does.
        names.sort((a, b) -> Boolean.compare(a.endsWith("-br"), b.endsWith("-br")));
        Set<String> prefixes = new java.util.HashSet<>(PREFIXES);
        prefixes.add(PREFIX);
        for (String n : names) {
            Matcher m = null;
            for (String p : prefixes) {
                Matcher candidate = Pattern.compile("^" + Pattern.quote(p) + "(\\d+)x(\\d+)-[a-z0-9-]+$").matcher(n);
                if (candidate.matches()) {
                    m = candidate;
                    break;
                }
            }
            if (m == null) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            if (pid == ProcessHandle.current().pid() || javaAlive(pid)) {
                continue;
            }
            killNamespaceProcesses(n);
            deleteNamespace(n);
            removed.add(n);
        }
        if (!removed.isEmpty()) {
            System.err.println("NetHosts: removed leftovers of an earlier run: " + removed);
        }
        return removed;
    }

    private static boolean javaAlive(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().command().map(c -> c.endsWith("java")).orElse(true)).orElse(false);
    }

    static List<String> listNamespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Sh.must(CMD, List.of("ip", "netns", "list")).split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                // "name (id: 3)" when the namespace has an id
                names.add(s.split("\\s+")[0]);
            }
        }
        return names;
    }

    /** kill -9 of every process in a namespace, until none is left (bounded). */
    static void killNamespaceProcesses(String ns) {
        for (int round = 0; round < 50; round++) {
            Sh.Result r = Sh.run(CMD, List.of("ip", "netns", "pids", ns));
            if (!r.ok()) {
                return; // the namespace is gone
            }
            List<ProcessHandle> alive = new ArrayList<>();
            for (String s : r.out().split("\\s+")) {
                if (!s.isBlank()) {
                    ProcessHandle.of(Long.parseLong(s.strip())).ifPresent(alive::add);
                }
            }
            if (alive.isEmpty()) {
                return;
            }
            alive.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : alive) {
                try {
                    p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception notYet) {
                    // a zombie whose parent has not reaped it yet still counts; the next round looks again
                }
            }
        }
        System.err.println("NetHosts: processes of " + ns + " did not die after 50 rounds of kill -9");
    }

    private static void deleteNamespace(String ns) {
        killNamespaceProcesses(ns);
        Sh.Result r = Sh.run(CMD, List.of("ip", "netns", "del", ns));
        if (!r.ok() && listNamespaces().contains(ns)) {
            System.err.println("NetHosts: cannot delete namespace " + ns + ": " + r.describe());
        }
    }

    static String ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        return Sh.must(CMD, cmd);
    }
}
