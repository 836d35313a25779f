package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.config.ConfigLoader;
import io.roster.agent.config.LoadedConfig;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that find each other through LAN gossip, as Consul's: {@code retry_join} names gossip
 * addresses, {@code bootstrap_expect} bootstraps one Raft cluster from the servers gossip knows,
 * the leader adds later servers as voters, node IDs are kept in the data directory, and a
 * restarted server comes back with its Raft data. In-process agents on loopback, free ports.
 */
class GossipBootstrapTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(a -> {
            if (a != null) {
                a.close();
            }
        });
    }

    private static RosterClient client(Agent a) {
        return RosterClient.create(a.httpAddress());
    }

    private static AgentConfig.Builder server(String name, Path dir, int serf, List<String> join) throws IOException {
        return AgentConfig.builder().server(true).nodeName(name).httpPort(0).dnsPort(-1).bindAddr("127.0.0.1")
                .serverPort(Ports.free()).serfLanPort(serf).dataDir(dir).retryJoin(join).retryInterval(Duration.ofMillis(500));
    }

    private Agent start(AgentConfig c) throws Exception {
        Agent a = new Agent(c).start();
        agents.add(a);
        return a;
    }

    /** The node IDs in an agent's Raft configuration, and the count of leaders it shows. */
    private static Set<String> raftIds(Agent a) {
        return client(a).operator().raftConfiguration(QueryOptions.DEFAULT.withStale()).servers().stream()
                .map(RosterClient.RaftServer::id).collect(Collectors.toSet());
    }

    @Test
    void bootstrapExpectTwoWithThreeServersFormsOneClusterAndLaterServersBecomeVoters() throws Exception {
        List<Integer> serf = List.of(Ports.free(), Ports.free(), Ports.free());
        List<String> join = serf.stream().map(p -> "127.0.0.1:" + p).toList();
        List<Path> dirs = new ArrayList<>();
        List<AgentConfig> configs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            dirs.add(Files.createTempDirectory("roster-gb-" + i));
            // Pigsty's way: bootstrap_expect = floor(3/2)+1 = 2, retry_join names all three servers.
            configs.add(server("gb-" + i, dirs.get(i), serf.get(i), join).bootstrapExpect(2).build());
        }
        for (AgentConfig c : configs) {
            start(c);
        }
        Set<String> ids = agents.stream().map(Agent::nodeId).collect(Collectors.toSet());
        assertThat(ids).hasSize(3);
        // One configuration with all three, seen the same by every server, with one leader.
        for (Agent a : List.copyOf(agents)) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(raftIds(a)).isEqualTo(ids));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            for (Agent a : agents) {
                var conf = client(a).operator().raftConfiguration(QueryOptions.DEFAULT).servers();
                assertThat(conf.stream().filter(RosterClient.RaftServer::leader).count()).isEqualTo(1);
                for (RosterClient.RaftServer s : conf) {
                    Agent owner = agents.stream().filter(x -> x.nodeId().equals(s.id())).findFirst().orElseThrow();
                    assertThat(s.address()).isEqualTo("127.0.0.1:" + owner.config().serverPort());
                    assertThat(s.node()).isEqualTo(owner.config().nodeName());
                    assertThat(s.voter()).isTrue();
                }
            }
        });
        assertThat(client(agents.get(2)).kv().put("gb/before", "1".getBytes(StandardCharsets.UTF_8))).isTrue();
        // The catalog knows each server by its node ID.
        for (Agent a : agents) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(client(agents.get(0)).catalog().node(a.config().nodeName(), QueryOptions.DEFAULT).value()
                            .orElseThrow().node().id()).isEqualTo(a.nodeId()));
        }

        // A fourth server with only retry_join (no bootstrap_expect) is added by the leader, as a voter.
        Path fourthDir = Files.createTempDirectory("roster-gb-3");
        Agent fourth = start(server("gb-3", fourthDir, Ports.free(), List.of(join.get(1))).build());
        Set<String> four = agents.stream().map(Agent::nodeId).collect(Collectors.toSet());
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(raftIds(agents.get(0))).isEqualTo(four));
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client(fourth).kv().get("gb/before", QueryOptions.DEFAULT.withStale()).value().isPresent());
        assertThat(client(fourth).kv().put("gb/from-fourth", "4".getBytes(StandardCharsets.UTF_8))).isTrue();

        // A restarted server keeps its node ID (data_dir/node-id) and comes back with its Raft data.
        Agent first = agents.get(0);
        String id = first.nodeId();
        assertThat(Files.readString(dirs.get(0).resolve("node-id")).trim()).isEqualTo(id);
        first.close();
        agents.set(0, null);
        assertThat(client(agents.get(1)).kv().put("gb/while-down", "2".getBytes(StandardCharsets.UTF_8))).isTrue();
        Agent again = new Agent(configs.get(0)).start();
        agents.set(0, again);
        assertThat(again.nodeId()).isEqualTo(id);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                client(again).kv().get("gb/while-down", QueryOptions.DEFAULT.withStale()).value().isPresent());
        assertThat(raftIds(again)).isEqualTo(four);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client(again).kv().put("gb/after-restart", "3".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bootstrapTrueFromAConfigFileMakesAOneServerClusterWithItsNodeMetaAndNodeId() throws Exception {
        Path dir = Files.createTempDirectory("roster-gb-alone");
        Path file = dir.resolve("consul.json");
        String nodeId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        Files.writeString(file, "{\"server\": true, \"bootstrap\": true, \"node_name\": \"alone\", \"node_id\": \"" + nodeId + "\","
                + " \"data_dir\": \"" + dir.resolve("data") + "\", \"bind_addr\": \"127.0.0.1\","
                + " \"ports\": {\"http\": 0, \"dns\": -1, \"server\": " + Ports.free() + ", \"serf_lan\": " + Ports.free() + "},"
                + " \"node_meta\": {\"pg_cluster\": \"pg-meta\", \"rack\": \"r1\"}, \"retry_join\": [\"127.0.0.1:1\"]}");
        LoadedConfig loaded = ConfigLoader.load(List.of(file), UnaryOperator.identity());
        assertThat(loaded.agent().membership().bootstrap()).isTrue();
        Agent alone = new Agent(loaded.agent(), () -> loaded).start();
        agents.add(alone);
        assertThat(alone.nodeId()).isEqualTo(nodeId);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client(alone).kv().put("alone/k", "v".getBytes(StandardCharsets.UTF_8)));
        var conf = client(alone).operator().raftConfiguration(QueryOptions.DEFAULT).servers();
        assertThat(conf).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(nodeId);
            assertThat(s.leader()).isTrue();
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            var node = client(alone).catalog().node("alone", QueryOptions.DEFAULT).value().orElseThrow().node();
            assertThat(node.id()).isEqualTo(nodeId);
            assertThat(node.meta()).containsEntry("pg_cluster", "pg-meta").containsEntry("rack", "r1");
        });

        // A client agent keeps its node ID across a restart (data_dir/node-id), and the catalog shows it.
        Path clientDir = Files.createTempDirectory("roster-gb-client");
        AgentConfig cc = AgentConfig.builder().nodeName("gb-client").httpPort(0).dnsPort(-1).bindAddr("127.0.0.1")
                .serfLanPort(Ports.free()).dataDir(clientDir).retryJoin(List.of(alone.gossip().address())).build();
        assertThat(cc.membership().leaveOnTerminate()).isTrue();
        assertThat(cc.membership().skipLeaveOnInterrupt()).isFalse();
        assertThat(loaded.agent().membership().leaveOnTerminate()).isFalse();
        assertThat(loaded.agent().membership().skipLeaveOnInterrupt()).isTrue();
        Agent c1 = start(cc);
        String clientId = c1.nodeId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(client(alone).catalog().node("gb-client", QueryOptions.DEFAULT).value().orElseThrow().node().id())
                        .isEqualTo(clientId));
        c1.close();
        agents.remove(c1);
        Agent c2 = start(cc);
        assertThat(c2.nodeId()).isEqualTo(clientId);
    }

    @Test
    void serversWithDifferentExpectValuesDoNotBootstrap() throws Exception {
        int serfA = Ports.free();
        int serfB = Ports.free();
        List<String> join = List.of("127.0.0.1:" + serfA, "127.0.0.1:" + serfB);
        Agent a = start(server("mm-a", Files.createTempDirectory("roster-gb-mm"), serfA, join).bootstrapExpect(2).build());
        Agent b = start(server("mm-b", Files.createTempDirectory("roster-gb-mm"), serfB, join).bootstrapExpect(3).build());
        for (Agent x : List.of(a, b)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    x.raftMembership().problem().startsWith("Member has a conflicting expect value"));
        }
        // The conflict was seen in a round that would otherwise have bootstrapped (a: 2 of 2 known): nothing was created.
        assertThat(raftIds(a)).isEmpty();
        assertThat(raftIds(b)).isEmpty();
    }
}
