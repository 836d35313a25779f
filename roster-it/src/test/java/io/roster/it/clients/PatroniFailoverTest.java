package io.roster.it.clients;

import io.roster.it.Ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Real Patroni 3.0 (Debian's {@code patroni}) with PostgreSQL 15: three nodes on loopback with
 * {@code consul: {host, register_service: true}} against a Roster dev agent, as Pigsty deploys
 * them ({@code scope: pg-test}, so the service is {@code pg-test}). Bootstrap, a write replicated,
 * {@code kill -9} of the primary's Patroni and postmaster, a new primary holding the data, the old
 * primary back as a replica; DNS answers the {@code primary}/{@code replica} tags; vip-manager's
 * contract (a blocking read of the leader key compared with the node name) wakes on the failover.
 * The same cluster on etcd 3.4 is timed for comparison. Failover times are printed, never asserted.
 *
 * <p>Skipped without {@code patroni} and PostgreSQL 15 unless {@code CI=true}, where it fails.
 */
class PatroniFailoverTest {
    private static final Path PATRONI = Path.of("/usr/bin/patroni");
    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Path ETCD = Path.of("/usr/bin/etcd");
    private static final String SCOPE = "pg-test";
    /** Patroni's ttl: its session TTL is half of it, and Consul/Roster expire a session after 2 x TTL. */
    private static final int TTL = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();
    private Agent agent;

    @BeforeAll
    static void requirePatroni() {
        String missing = !Files.isExecutable(PATRONI) ? PATRONI + " is missing"
                : !Files.isExecutable(PG_BIN.resolve("postgres")) ? PG_BIN + "/postgres is missing"
                : !Files.isExecutable(Path.of("/usr/bin/psql")) ? "psql is missing" : null;
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + " (CI=true: install the Debian packages patroni and postgresql-15)");
            }
            assumeTrue(false, missing + "; install the Debian packages patroni and postgresql-15 to run this test");
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Path d : dataDirs) {
            postmaster(d).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static java.util.Optional<ProcessHandle> postmaster(Path dataDir) {
        try {
            Path pid = dataDir.resolve("postmaster.pid");
            if (!Files.exists(pid)) {
                return java.util.Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).getFirst().strip()));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private record Node(String name, int restPort, int pgPort, Path config, Path dataDir) {
    }

    private Process start(List<String> cmd, Path log) throws IOException {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--")); // PostgreSQL refuses to run as root
        }
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    private List<Node> writeConfigs(Path dir, String dcsBlock) throws IOException, InterruptedException {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Node n = new Node("pg" + i, Ports.free(), Ports.free(), dir.resolve("pg" + i + ".yml"), dir.resolve("data" + i));
            String yml = """
                    scope: %s
                    namespace: /service/
                    name: %s
                    restapi:
                      listen: 127.0.0.1:%d
                      connect_address: 127.0.0.1:%d
                    %s
                    bootstrap:
                      dcs:
                        ttl: %d
                        loop_wait: 5
                        retry_timeout: 5
                        maximum_lag_on_failover: 1048576
                      initdb:
                      - encoding: UTF8
                      pg_hba:
                      - host replication replicator 127.0.0.1/32 trust
                      - host all all 127.0.0.1/32 trust
                    postgresql:
                      listen: 127.0.0.1:%d
                      connect_address: 127.0.0.1:%d
                      data_dir: %s
                      bin_dir: %s
                      pgpass: %s
                      authentication:
                        replication: {username: replicator, password: rep}
                        superuser: {username: postgres, password: pg}
                      parameters:
                        unix_socket_directories: %s
                    """.formatted(SCOPE, n.name(), n.restPort(), n.restPort(), dcsBlock, TTL, n.pgPort(), n.pgPort(),
                    n.dataDir(), PG_BIN, dir.resolve("pgpass" + i), dir);
            Files.writeString(n.config(), yml);
            nodes.add(n);
            dataDirs.add(n.dataDir());
        }
        if (ROOT) {
            run(List.of("chown", "-R", "postgres", dir.toString()), 30);
        }
        return nodes;
    }

    private static String run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", "pg");
        pb.environment().put("PGCONNECT_TIMEOUT", "3");
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static String sql(Node n, String statement) throws IOException, InterruptedException {
        return run(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(n.pgPort()), "-U", "postgres", "-tAc", statement), 15);
    }

    /** The node's role and state from its Patroni REST API, or "down". */
    private static String role(Node n) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort() + "/patroni"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode j = JSON.readTree(r.body());
            String role = j.path("role").asText();
            return (role.equals("master") ? "primary" : role) + "/" + j.path("state").asText();
        } catch (Exception e) {
            return "down";
        }
    }

    private static Node primary(List<Node> nodes) {
        for (Node n : nodes) {
            if (role(n).equals("primary/running")) {
                return n;
            }
        }
        return null;
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Everything but the DCS: bootstrap, replicate, kill -9 the primary, fail over, rejoin. Returns the failover seconds. */
    private double scenario(String dcs, List<Node> nodes, Path dir, Runnable beforeKill, Runnable afterFailover) throws Exception {
        for (Node n : nodes) {
            start(List.of(PATRONI.toString(), n.config().toString()), dir.resolve(n.name() + ".log"));
        }
        Awaitility.await(dcs + ": a primary and two running replicas").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    List<String> roles = nodes.stream().map(PatroniFailoverTest::role).toList();
                    return roles.stream().filter(r -> r.equals("primary/running")).count() == 1
                            && roles.stream().filter(r -> r.equals("replica/running")).count() == 2;
                });
        Node old = primary(nodes);
        assertThat(sql(old, "CREATE TABLE roster_it(x int); INSERT INTO roster_it VALUES (42)")).contains("INSERT 0 1");
        for (Node n : nodes) {
            if (n != old) {
                Awaitility.await(dcs + ": the write on " + n.name()).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> sql(n, "SELECT x FROM roster_it").equals("42"));
            }
        }
        beforeKill.run();
        // kill -9 the primary's Patroni and its postmaster: no graceful demotion, no key release.
        Process patroni = processes.get(nodes.indexOf(old));
        ProcessHandle postmaster = postmaster(old.dataDir()).orElseThrow();
        long t0 = System.nanoTime();
        patroni.descendants().forEach(ProcessHandle::destroyForcibly);
        patroni.destroyForcibly();
        postmaster.destroyForcibly();
        Node[] next = new Node[1];
        Awaitility.await(dcs + ": a new primary").atMost(Duration.ofSeconds(4L * TTL)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (Node n : nodes) {
                        if (n != old && role(n).equals("primary/running")) {
                            next[0] = n;
                            return true;
                        }
                    }
                    return false;
                });
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("Patroni failover on %s: new primary %s %.1f s after kill -9 of %s (ttl %d s)%n", dcs,
                next[0].name(), seconds, old.name(), TTL);
        assertThat(sql(next[0], "SELECT x FROM roster_it")).isEqualTo("42");
        afterFailover.run();
        // The old primary comes back as a replica of the new one.
        int i = nodes.indexOf(old);
        processes.set(i, start(List.of(PATRONI.toString(), old.config().toString()), dir.resolve(old.name() + "-again.log")));
        Awaitility.await(dcs + ": " + old.name() + " back as a replica").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> role(old).equals("replica/running") && sql(old, "SELECT x FROM roster_it").equals("42"));
        return seconds;
    }

    private static List<Integer> srvPorts(int dnsPort, String name) throws Exception {
        SimpleResolver r = new SimpleResolver("127.0.0.1");
        r.setPort(dnsPort);
        r.setTimeout(Duration.ofSeconds(3));
        Lookup l = new Lookup(name, Type.SRV);
        l.setResolver(r);
        l.setCache(null);
        Record[] rs = l.run();
        List<Integer> out = new ArrayList<>();
        if (rs != null) {
            for (Record rec : rs) {
                out.add(((SRVRecord) rec).getPort());
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void patroniFailsOverOnRosterAndOnEtcd() throws Exception {
        int dnsPort = Ports.free();
        agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(dnsPort).nodeName("patroni-host").build()).start();
        String roster = "http://127.0.0.1:" + agent.httpPort();
        Path dir = Files.createTempDirectory("roster-patroni");
        List<Node> nodes = writeConfigs(dir, "consul:\n  host: 127.0.0.1:" + agent.httpPort() + "\n  register_service: true");

        Map<String, CompletableFuture<String>> watch = new HashMap<>();
        double onRoster = scenario("Roster", nodes, dir, () -> {
            try {
                // Pigsty's pg-<cluster> service: DNS answers its primary and its replicas by tag (passing checks only).
                Node p = primary(nodes);
                Awaitility.await("DNS primary/replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> srvPorts(dnsPort, "primary." + SCOPE + ".service.consul").equals(List.of(p.pgPort()))
                                && srvPorts(dnsPort, "replica." + SCOPE + ".service.consul").size() == 2);
                // vip-manager's contract: block on the leader key at its index, compare the value with a node name.
                JsonNode key = JSON.readTree(get(roster + "/v1/kv/service/" + SCOPE + "/leader"));
                long index = key.get(0).path("ModifyIndex").asLong();
                assertThat(new String(java.util.Base64.getDecoder().decode(key.get(0).path("Value").asText()))).isEqualTo(p.name());
                watch.put("leader", CompletableFuture.supplyAsync(() -> {
                    try {
                        // The key is deleted when the old primary's session expires, then written by the new one.
                        long idx = index;
                        for (int round = 0; round < 5; round++) {
                            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(roster + "/v1/kv/service/" + SCOPE
                                    + "/leader?index=" + idx + "&wait=60s")).timeout(Duration.ofSeconds(90)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            idx = Long.parseLong(r.headers().firstValue("X-Consul-Index").orElse("0"));
                            if (r.statusCode() == 200) {
                                String v = new String(java.util.Base64.getDecoder().decode(JSON.readTree(r.body()).get(0).path("Value").asText()));
                                if (!v.equals(p.name())) {
                                    return v;
                                }
                            }
                        }
                        return "";
                    } catch (Exception e) {
                        return "error: " + e;
                    }
                }));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> {
            try {
                Node p = primary(nodes);
                assertThat(watch.get("leader").get(60, TimeUnit.SECONDS)).isEqualTo(p.name());
                Awaitility.await("DNS follows the failover").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> srvPorts(dnsPort, "primary." + SCOPE + ".service.consul").equals(List.of(p.pgPort())));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(new TreeSet<>(agent.store().serviceNames(io.roster.state.WatchSet.NONE).value().keySet())).contains(SCOPE);

        // The same on etcd 3.4, when Debian's etcd-server is there (it is in CI).
        if (!Files.isExecutable(ETCD)) {
            System.out.printf("Patroni failover: Roster %.1f s; etcd not installed, no comparison%n", onRoster);
            return;
        }
        stopEverything();
        processes.clear();
        dataDirs.clear();
        agent = null;
        Path edir = Files.createTempDirectory("roster-patroni-etcd");
        int client = Ports.free();
        int peer = Ports.free();
        Process etcd = new ProcessBuilder(ETCD.toString(), "--data-dir", edir.resolve("etcd").toString(), "--name", "e1",
                "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "e1=http://127.0.0.1:" + peer).redirectErrorStream(true)
                .redirectOutput(edir.resolve("etcd.log").toFile()).start();
        processes.add(etcd);
        List<Node> enodes = writeConfigs(edir, "etcd3:\n  host: 127.0.0.1:" + client);
        // Patroni's processes must be found by index: keep etcd out of the first three slots.
        processes.remove(etcd);
        double onEtcd;
        try {
            onEtcd = scenario("etcd 3.4", enodes, edir, () -> { }, () -> { });
        } finally {
            etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        System.out.printf("Patroni failover after kill -9 of the primary (ttl %d s): Roster %.1f s, etcd 3.4 %.1f s%n", TTL, onRoster, onEtcd);
    }
}
