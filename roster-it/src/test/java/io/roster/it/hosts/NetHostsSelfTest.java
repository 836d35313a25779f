package io.roster.it.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixture itself: hosts reach each other (and only each other: no default route, nothing
 * added to the root namespace), link down/up and netem act, kill -9 takes a host's whole process
 * tree, and teardown leaves no namespace or process behind: when the test throws, when the JVM
 * exits or is terminated with the fixture open (shutdown hook), and when an earlier run died
 * without tearing down (removed at the next start).
 */
class NetHostsSelfTest {
    private static final Duration T = Duration.ofSeconds(20);
    /** A tiny HTTP server; python3 is part of every image this project runs on. */
    private static final String PY = "/usr/bin/python3";

    @BeforeEach
    void available() {
        Optional<String> reason = NetHosts.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "multi-host tests skipped: " + reason.orElse(""));
        Assumptions.assumeTrue(new java.io.File(PY).canExecute(), "no " + PY);
    }

    /**
     * The root namespace's interface names. Other programs on a shared machine may add or remove
     * their own while a test runs, so tests look only for names this fixture uses ({@code br0},
     * {@code v<n>}) appearing there.
     */
    private static java.util.Set<String> rootLinks() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String line : Sh.must(T, List.of("ip", "-o", "link", "show")).split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                names.add(f[1].replaceAll("@.*", "").strip());
            }
        }
        return names;
    }

    private static void assertNothingOfOursInTheRootNamespace(java.util.Set<String> before) {
        java.util.Set<String> added = new java.util.TreeSet<>(rootLinks());
        added.removeAll(before);
        assertThat(added).as("interfaces added to the root namespace").noneMatch(n -> n.equals("br0") || n.matches("v\\d+"));
        // No route to the hosts' subnet in the root namespace (this machine has none of its own).
        assertThat(Sh.must(T, List.of("ip", "route", "show"))).as("the root namespace's routes").doesNotContain("10.10.10.");
    }

    private static Host.Proc httpServer(Host h, int port) {
        Host.Proc p = h.start("http-" + port, List.of(PY, "-m", "http.server", Integer.toString(port), "--bind", h.ip()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> h.exec(T, "ss", "-ltn").out().contains(h.ip() + ":" + port) || !p.isAlive());
        assertThat(p.isAlive()).as(p.logTail()).isTrue();
        return p;
    }

    @Test
    void hostsReachEachOtherOnlyAndFaultsAct() {
        java.util.Set<String> linksBefore = rootLinks();
        List<String> mine;
        try (NetHosts hosts = NetHosts.create(NetHosts.defaultLogRoot())) {
            Host a = hosts.addHost("a", "10.10.10.10");
            Host b = hosts.addHost("b", "10.10.10.11");
            mine = hosts.namespaces();
            assertThat(mine).containsExactlyInAnyOrder(hosts.bridgeNamespace(), a.namespace(), b.namespace())
                    .allMatch(n -> n.startsWith("rn-"));
            assertNothingOfOursInTheRootNamespace(linksBefore);
            // A host knows its subnet and nothing else.
            String routes = a.exec(T, "ip", "route", "show").out();
            assertThat(routes).contains("10.10.10.0/24 dev eth0").doesNotContain("default");
            assertThat(a.exec(T, "ip", "-br", "addr").out()).contains("10.10.10.10/24").contains("lo");

            httpServer(b, 8080);
            Host.HttpResult r = a.http("GET", "http://10.10.10.11:8080/", null, Duration.ofSeconds(5));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            // Each host has its own loopback: b's server is not on a's 127.0.0.1.
            assertThat(a.http("GET", "http://127.0.0.1:8080/", null, Duration.ofSeconds(3)).status()).isZero();

            b.linkDown();
            Host.HttpResult cut = a.http("GET", "http://10.10.10.11:8080/", null, Duration.ofSeconds(3));
            System.out.println("NetHostsSelfTest: with b's link down: " + cut);
            assertThat(cut.status()).isZero();
            b.linkUp();
            Awaitility.await().atMost(T).pollInterval(Duration.ofMillis(200))
                    .until(() -> a.http("GET", "http://10.10.10.11:8080/", null, Duration.ofSeconds(3)).status() == 200);

            // kill -9 of a host: every process in it, also one it started itself.
            Host.Proc tree = b.start("tree", List.of("bash", "-c", "sleep 300 & sleep 300 & wait"));
            // python's server, bash and its two sleeps
            Awaitility.await().atMost(T).until(() -> tree.isAlive()
                    && Sh.must(T, List.of("ip", "netns", "pids", b.namespace())).strip().split("\\s+").length >= 4);
            b.kill9();
            assertThat(Sh.must(T, List.of("ip", "netns", "pids", b.namespace())).strip()).isEmpty();
            assertThat(tree.isAlive()).isFalse();
            assertThat(a.http("GET", "http://10.10.10.11:8080/", null, Duration.ofSeconds(3)).status()).isZero();
        }
        List<String> left = NetHosts.listNamespaces();
        assertThat(left).doesNotContainAnyElementsOf(mine);
        assertNothingOfOursInTheRootNamespace(linksBefore);
    }

    @Test
    void netemDelaysAHostsLink() {
        try (NetHosts hosts = NetHosts.create(NetHosts.defaultLogRoot())) {
            Host a = hosts.addHost("a", "10.10.10.10");
            Host b = hosts.addHost("b", "10.10.10.11");
            Optional<String> reason = b.netemUnavailableReason();
            Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
            httpServer(b, 8080);
            b.netem("delay 100ms");
            assertThat(b.qdisc()).contains("netem").contains("delay 100");
            long t0 = System.nanoTime();
            assertThat(a.http("GET", "http://10.10.10.11:8080/", null, Duration.ofSeconds(5)).status()).isEqualTo(200);
            System.out.printf("NetHostsSelfTest: one HTTP GET (curl start included) with netem delay 100ms each way: %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            b.clearNetem();
            assertThat(b.qdisc()).doesNotContain("netem");
        }
    }

    @Test
    void teardownLeavesNothingWhenTheTestThrows() {
        java.util.Set<String> linksBefore = rootLinks();
        List<String>[] mine = new List[1];
        Host.Proc[] proc = new Host.Proc[1];
        assertThatThrownBy(() -> {
            try (NetHosts hosts = NetHosts.create(NetHosts.defaultLogRoot())) {
                Host a = hosts.addHost("a", "10.10.10.10");
                hosts.addHost("b", "10.10.10.11");
                proc[0] = a.start("sleep", List.of("sleep", "300"));
                mine[0] = hosts.namespaces();
                throw new IllegalStateException("the test failed");
            }
        }).hasMessage("the test failed");
        assertThat(mine[0]).hasSize(3);
        assertThat(NetHosts.listNamespaces()).doesNotContainAnyElementsOf(mine[0]);
        assertThat(proc[0].isAlive()).isFalse();
        assertNothingOfOursInTheRootNamespace(linksBefore);
    }

    /** A JVM that exits, or is terminated, with its fixture open: the shutdown hook tears it down. */
    @ParameterizedTest
    @ValueSource(strings = {"exit", "sigterm"})
    void theShutdownHookTearsDownWhatTheJvmLeftOpen(String how) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), HookProbe.class.getName(),
                how.equals("exit") ? "exit" : "wait", NetHosts.defaultLogRoot().toString()).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
            String line = "";
            for (int i = 0; i < 100 && line != null && !line.startsWith("namespace "); i++) {
                line = out.readLine();
            }
            assertThat(line).as("the probe's first lines").startsWith("namespace ");
            String[] f = line.split(" ");
            String ns = f[1];
            String br = f[3];
            long sleepPid = Long.parseLong(f[5]);
            if (how.equals("sigterm")) {
                assertThat(NetHosts.listNamespaces()).contains(ns, br);
                Sh.must(T, List.of("kill", "-TERM", Long.toString(child.pid())));
            }
            assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(NetHosts.listNamespaces()).doesNotContain(ns, br);
            assertThat(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive).orElse(false)).as("the host's process").isFalse();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void leftoversOfADeadRunAreRemovedAtStart() throws Exception {
        // A run whose JVM is gone: a pid that is no process now.
        long dead = ProcessHandle.current().pid() + 1;
        while (ProcessHandle.of(dead).isPresent()) {
            dead++;
        }
        String br = NetHosts.PREFIX + dead + "x0-br";
        String host = NetHosts.PREFIX + dead + "x0-a";
        // Not ours: another prefix, and a live run (this JVM's own pid), are both kept.
        String live = NetHosts.PREFIX + ProcessHandle.current().pid() + "x999-a";
        Process orphan = null;
        try {
            NetHosts.ip("netns", "add", br);
            NetHosts.ip("netns", "add", host);
            NetHosts.ip("netns", "add", live);
            NetHosts.ip("-n", br, "link", "add", "v0", "type", "veth", "peer", "name", "eth0", "netns", host);
            // An agent left running by the dead run (its JVM would have been its parent).
            orphan = new ProcessBuilder("ip", "netns", "exec", host, "sleep", "300").start();
            Process o = orphan;
            Awaitility.await().atMost(T).until(() -> !Sh.must(T, List.of("ip", "netns", "pids", host)).isBlank() || !o.isAlive());

            try (NetHosts fresh = NetHosts.create(NetHosts.defaultLogRoot())) {
                List<String> now = NetHosts.listNamespaces();
                assertThat(now).doesNotContain(br, host).contains(live, fresh.bridgeNamespace());
                assertThat(orphan.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            if (orphan != null) {
                orphan.destroyForcibly();
            }
            for (String n : List.of(host, br, live)) {
                Sh.run(T, List.of("ip", "netns", "del", n));
            }
        }
        assertThat(NetHosts.listNamespaces()).doesNotContain(br, host, live);
    }
}
