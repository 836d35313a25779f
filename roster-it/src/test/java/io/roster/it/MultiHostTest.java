package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.it.hosts.Agents;
import io.roster.it.hosts.Host;
import io.roster.it.hosts.NetHosts;
import io.roster.it.hosts.NetHostsExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pigsty's deployment on five network-namespace hosts, configured only with Pigsty's files:
 * servers {@code meta-1..3} on 10.10.10.10-12 ({@code consul.json}, {@code consul-server.json} with
 * {@code bootstrap_expect: 2} = floor(3/2)+1, {@code consul-meta.json}, {@code consul-ui.json}) and
 * clients {@code pg-test-1}, {@code pg-test-2} on 10.10.10.13-14 ({@code consul.json},
 * {@code consul-meta.json}, {@code svc-postgres.json}). Every agent runs
 * {@code roster agent -config-dir=<its consul.d>} and nothing else, as Pigsty's unit does. The files
 * are the verbatim fixtures with only the per-host fields changed, in code: see {@link PigstyFiles}
 * (node_name, bind_addr, data_dir; node_meta; the service's instance fields). Each client host runs
 * a stand-in for PostgreSQL (a TCP listener on 127.0.0.1:5432) so the service's TCP check passes.
 *
 * <p>Written against Consul's semantics (issue 14): {@code retry_join} names gossip addresses and
 * servers discover each other through gossip; client agents reach servers over port 8300, since
 * every agent's HTTP and DNS are on its own host's 127.0.0.1 ({@code client_addr}'s default, as in
 * Pigsty). The cases share one cluster and run in order (the leader's host is killed last); each
 * prints the figure it measures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostTest {
    @RegisterExtension
    static final NetHostsExtension HOSTS = NetHostsExtension.perClass();
    // Five JVMs starting at once on a loaded 2-core machine have taken 95 s; a normal start is 10-30 s.
    private static final Duration UP = Duration.ofSeconds(180);
    private static final Duration SOON = Duration.ofSeconds(60);
    private static final List<PigstyFiles.Node> NODES = List.of(
            new PigstyFiles.Node("meta-1", "10.10.10.10", true, 1),
            new PigstyFiles.Node("meta-2", "10.10.10.11", true, 2),
            new PigstyFiles.Node("meta-3", "10.10.10.12", true, 3),
            new PigstyFiles.Node("pg-test-1", "10.10.10.13", false, 1),
            new PigstyFiles.Node("pg-test-2", "10.10.10.14", false, 2));
    private static final Set<String> RAFT = Set.of("10.10.10.10:8300", "10.10.10.11:8300", "10.10.10.12:8300");
    private static final List<Host> servers = new ArrayList<>();
    private static final List<Host> clients = new ArrayList<>();
    private static final Map<Host, Host.Proc> agents = new LinkedHashMap<>();

    @BeforeAll
    static void deploy() {
        NetHosts hosts = HOSTS.hosts();
        long t0 = System.nanoTime();
        for (PigstyFiles.Node n : NODES) {
            Host h = hosts.addHost(n.name(), n.ip());
            (n.server() ? servers : clients).add(h);
            PigstyFiles.render(n, hosts.logDir().resolve(n.name() + "/consul.d"), hosts.logDir().resolve(n.name() + "/data"));
            if (!n.server()) {
                h.start("postgres-standin", List.of("/usr/bin/python3", "-m", "http.server", "5432", "--bind", "127.0.0.1"));
            }
        }
        for (PigstyFiles.Node n : NODES) {
            Host h = hosts.host(n.name());
            agents.put(h, h.startAgent("consul", List.of("-config-dir=" + hosts.logDir().resolve(n.name() + "/consul.d"))));
        }
        for (Host h : servers) {
            Agents.await(UP).failFast(() -> dead()).until(() -> RAFT.contains(Agents.leader(h)));
        }
        System.out.printf("MultiHostTest: 3 servers + 2 clients from Pigsty's files, a leader on every server after %d ms (JVM starts included)%n",
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Fails (with the agent's log) when an agent has exited: no use waiting for it then. */
    private static boolean dead() {
        for (Host.Proc p : agents.values()) {
            if (!p.isAlive()) {
                throw new AssertionError("agent exited: " + p + "\n" + p.logTail());
            }
        }
        return false;
    }

    private static Host leaderHost() {
        return Agents.hostOf(HOSTS.hosts(), Agents.leader(servers.get(0)));
    }

    private static Set<String> voters(Host h) {
        Set<String> v = new TreeSet<>();
        for (JsonNode s : h.get("/v1/operator/raft/configuration").json().path("Servers")) {
            if (s.path("Voter").asBoolean()) {
                v.add(s.path("Address").asText());
            }
        }
        return v;
    }

    private static Set<String> passingNodes(Host h, String service) {
        Set<String> nodes = new TreeSet<>();
        Host.HttpResult r = h.get("/v1/health/service/" + service + "?passing");
        if (r.status() == 200) {
            r.json().forEach(e -> nodes.add(e.path("Node").path("Node").asText()));
        }
        return nodes;
    }

    @Test
    @Order(1)
    void clusterFormsMembersShowHostAddressesKvAndServicesReachEveryServer() {
        long t0 = System.nanoTime();
        // One Raft configuration with 3 voters (bootstrap_expect 2 bootstraps, the third is added).
        for (Host h : servers) {
            Agents.await(UP).failFast(() -> dead()).until(() -> voters(h).equals(RAFT));
        }
        System.out.printf("MultiHostTest: 3 voters on every server %d ms after the leader%n", (System.nanoTime() - t0) / 1_000_000);
        Set<String> ips = new TreeSet<>();
        NODES.forEach(n -> ips.add(n.ip()));
        for (Host h : servers) {
            Agents.await(SOON).until(() -> Agents.memberAddresses(h).equals(ips));
        }
        Host.Result members = clients.get(0).roster("members");
        System.out.println("MultiHostTest: roster members on pg-test-1:\n" + members.out().stripTrailing());
        assertThat(members.exit()).as(members.describe()).isZero();
        for (String ip : ips) {
            assertThat(members.out()).contains(ip + ":8301");
        }
        // Catalog nodes carry the host addresses and consul-meta.json's node_meta.
        for (PigstyFiles.Node n : NODES) {
            // The leader registers a member it sees in gossip; the agent's anti-entropy then adds its node_meta.
            Agents.await(SOON).untilAsserted(() -> {
                JsonNode nd = servers.get(0).get("/v1/catalog/node/" + n.name() + "?stale").json().path("Node");
                assertThat(nd.path("Meta").path("instance").asText()).as("catalog node %s", nd).isEqualTo(n.name());
            });
            JsonNode node = servers.get(0).get("/v1/catalog/node/" + n.name()).json().path("Node");
            assertThat(node.path("Address").asText()).isEqualTo(n.ip());
            assertThat(node.path("Meta").path("cluster").asText()).isEqualTo(n.server() ? "meta" : "pg-test");
        }

        // KV through a client agent, read on every server.
        Host pg1 = clients.get(0);
        Agents.await(SOON).until(() -> Agents.kvPutOk(pg1, "pigsty/probe", "through-a-client"));
        for (Host h : servers) {
            Agents.await(SOON).until(() -> "through-a-client".equals(Agents.kvStale(h, "pigsty/probe")));
            assertThat(h.get("/v1/kv/pigsty/probe?raw").toString()).isEqualTo("200 through-a-client");
        }
        assertThat(pg1.get("/v1/kv/pigsty/probe?raw").toString()).isEqualTo("200 through-a-client");

        // Each client's svc-postgres.json: in every server's catalog, passing, and in its DNS.
        long s0 = System.nanoTime();
        for (Host h : servers) {
            Agents.await(SOON).until(() -> passingNodes(h, "postgres").equals(Set.of("pg-test-1", "pg-test-2")));
            JsonNode cat = h.get("/v1/catalog/service/postgres").json();
            Map<String, String> addr = new LinkedHashMap<>();
            cat.forEach(e -> addr.put(e.path("Node").asText(), e.path("Address").asText() + " " + e.path("ServiceMeta").path("instance").asText()));
            assertThat(addr).isEqualTo(Map.of("pg-test-1", "10.10.10.13 pg-test-1", "pg-test-2", "10.10.10.14 pg-test-2"));
            Agents.await(SOON).until(() -> Agents.dig(h, "postgres.service.consul").equals(Set.of("10.10.10.13", "10.10.10.14")));
            assertThat(Agents.dig(h, "primary.postgres.service.consul")).containsExactly("10.10.10.13");
            assertThat(Agents.dig(h, "replica.postgres.service.consul")).containsExactly("10.10.10.14");
            assertThat(Agents.dig(h, "pg-test-2.node.consul")).containsExactly("10.10.10.14");
        }
        System.out.printf("MultiHostTest: both clients' postgres services passing in every server's HTTP and DNS %d ms after the KV check%n",
                (System.nanoTime() - s0) / 1_000_000);
    }

    @Test
    @Order(2)
    void aClientHostCutOffAndBackGetsItsChecksAndServicesBackWithoutARestart() {
        Host pg2 = clients.get(1);
        Host.Proc agent = agents.get(pg2);
        for (Host h : servers) {
            Agents.await(SOON).until(() -> Agents.checkStatus(h, "pg-test-2", "serfHealth").equals("passing")
                    && passingNodes(h, "postgres").contains("pg-test-2"));
        }
        long cut = System.nanoTime();
        pg2.linkDown();
        try {
            for (Host h : servers) {
                Agents.await(SOON).until(() -> Agents.checkStatus(h, "pg-test-2", "serfHealth").equals("critical"));
                assertThat(passingNodes(h, "postgres")).doesNotContain("pg-test-2");
            }
            System.out.printf("MultiHostTest: client host cut off -> its serfHealth critical on every server after %d ms%n",
                    (System.nanoTime() - cut) / 1_000_000);
        } finally {
            pg2.linkUp();
        }
        long healed = System.nanoTime();
        for (Host h : servers) {
            Agents.await(SOON).until(() -> Agents.checkStatus(h, "pg-test-2", "serfHealth").equals("passing")
                    && Agents.checkStatus(h, "pg-test-2", "service:postgres").equals("passing")
                    && passingNodes(h, "postgres").contains("pg-test-2"));
            Agents.await(SOON).until(() -> Agents.dig(h, "replica.postgres.service.consul").equals(Set.of("10.10.10.14")));
        }
        System.out.printf("MultiHostTest: link back up -> pg-test-2's checks and service passing on every server after %d ms%n",
                (System.nanoTime() - healed) / 1_000_000);
        assertThat(agent.isAlive()).as("the same agent process, not restarted").isTrue();
        assertThat(pg2.processes().stream().filter(p -> p.label().equals("consul")).count()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void aServerHostCutOffRefusesWritesServesStaleReadsAndConvergesWhenHealed() {
        Host leader = leaderHost();
        Host cutOff = servers.stream().filter(h -> h != leader).findFirst().orElseThrow();
        Host other = servers.stream().filter(h -> h != leader && h != cutOff).findFirst().orElseThrow();
        assertThat(Agents.kvPutOk(leader, "partition/before", "b")).isTrue();
        Agents.await(SOON).until(() -> "b".equals(Agents.kvStale(cutOff, "partition/before")));

        long cut = System.nanoTime();
        cutOff.linkDown();
        try {
            // The majority keeps writing: on the leader, on the other server, through a client agent.
            Agents.await(SOON).until(() -> Agents.kvPutOk(leader, "partition/during-1", "1"));
            Agents.await(SOON).until(() -> Agents.kvPutOk(other, "partition/during-2", "2"));
            Agents.await(SOON).until(() -> Agents.kvPutOk(clients.get(0), "partition/during-3", "3"));
            System.out.printf("MultiHostTest: with %s cut off, the majority acknowledged writes on the leader, the other server and a client within %d ms%n",
                    cutOff, (System.nanoTime() - cut) / 1_000_000);
            // The cut-off server: no leader for writes, its own state for ?stale.
            Host.HttpResult[] last = new Host.HttpResult[1];
            Agents.await(SOON).until(() -> {
                // Consul answers once its hold timeout (7 s) passes without a leader; curl waits up to 30 s.
                last[0] = cutOff.http("PUT", "http://127.0.0.1:8500/v1/kv/partition/minority", "x", Duration.ofSeconds(30));
                return last[0].status() == 500;
            });
            System.out.printf("MultiHostTest: the cut-off server answers a write with %s after %d ms%n", last[0], (System.nanoTime() - cut) / 1_000_000);
            assertThat(last[0].body()).contains("No cluster leader");
            assertThat(Agents.kvStale(cutOff, "partition/before")).isEqualTo("b");
            assertThat(Agents.kvStale(cutOff, "partition/during-1")).isNull();
        } finally {
            cutOff.linkUp();
        }
        long healed = System.nanoTime();
        Agents.await(SOON).until(() -> "1".equals(Agents.kvStale(cutOff, "partition/during-1"))
                && "2".equals(Agents.kvStale(cutOff, "partition/during-2")) && "3".equals(Agents.kvStale(cutOff, "partition/during-3")));
        Agents.await(SOON).until(() -> RAFT.contains(Agents.leader(cutOff)) && Agents.kvPutOk(cutOff, "partition/after", "a"));
        System.out.printf("MultiHostTest: healed -> the cut-off server has the majority's writes and takes writes again after %d ms%n",
                (System.nanoTime() - healed) / 1_000_000);
        for (Host h : servers) {
            Agents.await(SOON).until(() -> Agents.kvIndexStale(h, "partition/").equals(Agents.kvIndexStale(leaderHost(), "partition/")));
        }
        assertThat(String.join(",", Agents.kvIndexStale(cutOff, "partition/")))
                .contains("partition/before=", "partition/during-1=", "partition/during-2=", "partition/during-3=", "partition/after=");
    }

    @Test
    @Order(4)
    void killOfTheLeadersHostElectsANewLeaderAndWritesResume() {
        Host old = leaderHost();
        String oldLeader = old.ip() + ":8300";
        List<Host> survivors = servers.stream().filter(h -> h != old).toList();
        long killed = System.nanoTime();
        old.kill9();
        int[] attempt = {0};
        Agents.await(SOON).until(() -> Agents.kvPutOk(survivors.get(attempt[0]++ % 2), "failover/server", "1"));
        long serverMs = (System.nanoTime() - killed) / 1_000_000;
        Agents.await(SOON).until(() -> Agents.kvPutOk(clients.get(0), "failover/client", "1"));
        long clientMs = (System.nanoTime() - killed) / 1_000_000;
        String now = Agents.leader(survivors.get(0));
        System.out.printf("MultiHostTest: kill -9 of the leader's host %s -> new leader %s; first write acknowledged by a server %d ms, through a client %d ms after the kill%n",
                old, now, serverMs, clientMs);
        assertThat(now).isIn(RAFT).isNotEqualTo(oldLeader);
        for (Host h : survivors) {
            Agents.await(SOON).until(() -> Agents.leader(h).equals(now) && "1".equals(Agents.kvStale(h, "failover/client")));
        }
    }
}
