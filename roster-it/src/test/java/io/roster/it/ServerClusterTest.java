package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three agents in server mode (Raft through Ratis, data on disk) in one JVM, driven over HTTP:
 * writes through any server, consistent reads anywhere, the cluster surviving its leader, sessions
 * and the catalog replicated.
 */
class ServerClusterTest {
    private final List<Agent> agents = new ArrayList<>();
    private final List<AgentConfig> configs = new ArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(a -> {
            if (a != null) {
                a.close();
            }
        });
    }

    /** LAN gossip addresses of the servers started so far: servers name these in retry_join, as in Consul. */
    private final List<String> gossip = new ArrayList<>();

    private void startCluster() throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<Integer> serf = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(Ports.free());
            serf.add(Ports.free());
            gossip.add("127.0.0.1:" + serf.get(i));
        }
        for (int i = 0; i < 3; i++) {
            Path dir = Files.createTempDirectory("roster-cluster-" + i);
            configs.add(AgentConfig.builder().server(true).nodeName("server-" + i).httpPort(0).dnsPort(-1).bindAddr("127.0.0.1")
                    .serverPort(ports.get(i)).serfLanPort(serf.get(i)).dataDir(dir).bootstrapExpect(3).retryJoin(gossip).build());
        }
        for (AgentConfig c : configs) {
            agents.add(new Agent(c).start());
        }
    }

    private RosterClient client(Agent a) {
        return RosterClient.create(a.httpAddress());
    }

    private Agent leader() {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> agents.stream().anyMatch(a -> a != null && a.server().replicator().isLeader()));
        return agents.stream().filter(a -> a != null && a.server().replicator().isLeader()).findFirst().orElseThrow();
    }

    private Agent follower() {
        Agent l = leader();
        return agents.stream().filter(a -> a != null && a != l).findFirst().orElseThrow();
    }

    @Test
    void writesThroughAFollowerAreReadEverywhere() throws Exception {
        startCluster();
        Agent f = follower();
        assertThat(client(f).kv().put("cluster/a", "1".getBytes(StandardCharsets.UTF_8))).isTrue();
        for (Agent a : agents) {
            Optional<KvPair> v = client(a).kv().get("cluster/a", QueryOptions.DEFAULT.withConsistent()).value();
            assertThat(v).get().extracting(KvPair::valueAsString).isEqualTo("1");
        }
        // Every server registers itself in the replicated catalog, with the consul service.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(client(f).getJson("/v1/catalog/service/consul").size()).isEqualTo(3));
        assertThat(client(f).status().peers()).hasSize(3);
        assertThat(client(f).status().leader()).isEqualTo(leader().server().replicator().leaderAddress());
        // Sessions and locks work through a follower too.
        String sid = client(f).session().create(Map.of("Name", "cluster-lock", "LockDelay", "0s"));
        assertThat(client(f).kv().put("cluster/lock", "me".getBytes(), Map.of("acquire", sid))).isTrue();
        assertThat(client(leader()).kv().get("cluster/lock", QueryOptions.DEFAULT).value().get().session()).isEqualTo(sid);
    }

    @Test
    void theClusterKeepsWorkingWhenTheLeaderStops() throws Exception {
        startCluster();
        Agent l = leader();
        assertThat(client(l).kv().put("cluster/before", "x".getBytes())).isTrue();
        int down = agents.indexOf(l);
        l.close();
        agents.set(down, null);
        Agent survivor = agents.stream().filter(a -> a != null).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> client(survivor).kv().put("cluster/after", "y".getBytes()));
        for (Agent a : agents) {
            if (a != null) {
                assertThat(client(a).kv().get("cluster/before", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
                assertThat(client(a).kv().get("cluster/after", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
            }
        }
        // The stopped server comes back from its data directory and catches up.
        agents.set(down, new Agent(configs.get(down)).start());
        Agent back = agents.get(down);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(client(back).kv().get("cluster/after", QueryOptions.DEFAULT.withStale()).value()).isPresent());
    }

    @Test
    void withoutAQuorumWritesFailWithNoClusterLeaderAndStaleReadsAnswer() throws Exception {
        startCluster();
        Agent l = leader();
        client(l).kv().put("cluster/q", "1".getBytes());
        Agent keep = follower();
        for (int i = 0; i < agents.size(); i++) {
            if (agents.get(i) != keep) {
                agents.get(i).close();
                agents.set(i, null);
            }
        }
        RosterException e = org.junit.jupiter.api.Assertions.assertThrows(RosterException.class,
                () -> client(keep).kv().put("cluster/q", "2".getBytes()));
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.getMessage()).contains("No cluster leader");
        assertThat(client(keep).kv().get("cluster/q", QueryOptions.DEFAULT.withStale()).value()).get()
                .extracting(KvPair::valueAsString).isEqualTo("1");
    }

    private static java.net.http.HttpResponse<byte[]> http(String method, String url, byte[] body) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void snapshotSavedOnOneClusterRestoresOnAnotherAndOnEveryServer() throws Exception {
        startCluster();
        Agent f = follower();
        for (int i = 0; i < 20; i++) {
            client(f).kv().put("snap/" + i, ("v" + i).getBytes());
        }
        var saved = http("GET", f.httpAddress() + "/v1/snapshot", null);
        assertThat(saved.statusCode()).isEqualTo(200);
        assertThat(saved.headers().firstValue("X-Consul-Index")).isPresent();

        // Another "cluster": a dev agent gets the snapshot.
        Agent dev = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName("restore-target").build()).start();
        try {
            client(dev).kv().put("only-here", "x".getBytes());
            assertThat(http("PUT", dev.httpAddress() + "/v1/snapshot", saved.body()).statusCode()).isEqualTo(200);
            assertThat(client(dev).kv().list("snap/", QueryOptions.DEFAULT).value()).hasSize(20);
            assertThat(client(dev).kv().get("only-here", QueryOptions.DEFAULT).value()).isEmpty();
            // And back: the dev agent's state restored onto the cluster replaces it on every server.
            client(dev).kv().put("from-dev", "y".getBytes());
            var devSnap = http("GET", dev.httpAddress() + "/v1/snapshot", null);
            assertThat(http("PUT", f.httpAddress() + "/v1/snapshot", devSnap.body()).statusCode()).isEqualTo(200);
            for (Agent a : agents) {
                assertThat(client(a).kv().get("from-dev", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
            }
        } finally {
            dev.close();
        }
        // A corrupt snapshot is refused and changes nothing.
        var bad = http("PUT", f.httpAddress() + "/v1/snapshot", "not a snapshot".getBytes());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(client(f).kv().get("from-dev", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
        var conf = client(f).getJson("/v1/operator/raft/configuration");
        assertThat(conf.get("Servers")).hasSize(3);
        int leaders = 0;
        for (var srv : conf.get("Servers")) {
            leaders += srv.get("Leader").asBoolean() ? 1 : 0;
        }
        assertThat(leaders).isEqualTo(1);
    }

    /**
     * Runtime membership: a fourth server joins a running cluster (no -bootstrap-expect, -retry-join
     * names the others' gossip addresses; the leader adds it), a dead server is removed by DELETE /v1/operator/raft/peer, and a server
     * leaves gracefully; after each change the cluster keeps its quorum with the servers that remain.
     */
    @Test
    void serversJoinAreRemovedAndLeaveAtRuntime() throws Exception {
        startCluster();
        Agent l = leader();
        assertThat(client(l).kv().put("members/before", "1".getBytes())).isTrue();
        int joinPort = Ports.free();
        AgentConfig joiner = AgentConfig.builder().server(true).nodeName("server-3").httpPort(0).dnsPort(-1).bindAddr("127.0.0.1")
                .serverPort(joinPort).serfLanPort(Ports.free()).dataDir(Files.createTempDirectory("roster-cluster-join"))
                .retryJoin(gossip).build();
        configs.add(joiner);
        Agent fourth = new Agent(joiner).start();
        agents.add(fourth);
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        fourth.onLeft(left::countDown);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(client(leader()).operator().raftConfiguration(QueryOptions.DEFAULT).servers()).hasSize(4));
        // The new server has the data written before it joined.
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                client(fourth).kv().get("members/before", QueryOptions.DEFAULT.withStale()).value().isPresent());

        // A dead server, removed by address: the remaining three keep the quorum even with one more gone.
        Agent doomed = agents.stream().filter(a -> a != fourth && a != leader()).findFirst().orElseThrow();
        String doomedAddress = "127.0.0.1:" + configs.get(agents.indexOf(doomed)).serverPort();
        int doomedIndex = agents.indexOf(doomed);
        doomed.close();
        agents.set(doomedIndex, null);
        RosterClient c = client(leader());
        String missing = doomedAddress;
        RosterException notFound = org.assertj.core.api.Assertions.catchThrowableOfType(RosterException.class,
                () -> c.operator().raftRemovePeer("127.0.0.1:1", false));
        assertThat(notFound.status()).isEqualTo(500);
        assertThat(notFound.getMessage()).contains("address \"127.0.0.1:1\" was not found in the Raft configuration");
        var http = java.net.http.HttpClient.newHttpClient();
        var noTarget = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(leader().httpAddress()
                + "/v1/operator/raft/peer")).DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(noTarget.statusCode()).isEqualTo(400);
        assertThat(noTarget.body()).contains("Must specify either ?id");
        c.operator().raftRemovePeer(missing, false);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(client(leader()).status().peers()).hasSize(3).doesNotContain(missing));
        Agent another = agents.stream().filter(a -> a != null && a != fourth && a != leader()).findFirst().orElseThrow();
        int anotherIndex = agents.indexOf(another);
        another.close();
        agents.set(anotherIndex, null);
        // Two of the three servers left in the configuration: still a quorum.
        Agent alive = agents.stream().filter(a -> a != null && a != fourth).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client(alive).kv().put("members/after-remove", "2".getBytes()));

        // Bring the stopped one back, then the joined server leaves gracefully: it removes itself and stops.
        agents.set(anotherIndex, new Agent(configs.get(anotherIndex)).start());
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client(alive).kv().put("members/back", "3".getBytes()));
        client(fourth).agent().leave();
        assertThat(left.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(client(alive).status().peers()).hasSize(2).doesNotContain("127.0.0.1:" + joinPort));
        fourth.close();
        agents.set(agents.indexOf(fourth), null);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client(alive).kv().put("members/after-leave", "4".getBytes()));
        assertThat(client(alive).kv().get("members/before", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
    }

    /**
     * The documented recovery from a lost quorum (docs/operations.md): two of three servers are gone
     * for good; the survivor still answers a stale snapshot; a new cluster (here one server, fresh
     * data directory) restores it and has every acknowledged write.
     */
    @Test
    void aLostQuorumIsRecoveredFromTheSurvivorsStaleSnapshot() throws Exception {
        startCluster();
        Agent l = leader();
        for (int i = 0; i < 20; i++) {
            assertThat(client(l).kv().put("recover/" + i, ("v" + i).getBytes())).isTrue();
        }
        Agent survivor = follower();
        // The survivor has applied every write before the others are lost.
        client(survivor).kv().get("recover/19", QueryOptions.DEFAULT.withConsistent());
        for (int i = 0; i < agents.size(); i++) {
            if (agents.get(i) != survivor) {
                agents.get(i).close();
                agents.set(i, null);
            }
        }
        // No quorum: writes fail, a stale snapshot still answers.
        RosterException noLeader = org.assertj.core.api.Assertions.catchThrowableOfType(RosterException.class,
                () -> client(survivor).kv().put("recover/lost", "x".getBytes()));
        assertThat(noLeader.getMessage()).contains("No cluster leader");
        byte[] snapshot = client(survivor).snapshot().save(QueryOptions.DEFAULT.withStale()).value();
        survivor.close();
        agents.set(agents.indexOf(survivor), null);

        int raftPort = Ports.free();
        Agent fresh = new Agent(AgentConfig.builder().server(true).bindAddr("127.0.0.1").nodeName("recovered").httpPort(0).dnsPort(-1)
                .serverPort(raftPort).dataDir(Files.createTempDirectory("roster-recovered")).bootstrapExpect(1)
                .build()).start();
        agents.add(fresh);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> !client(fresh).status().leader().isEmpty());
        client(fresh).snapshot().restore(snapshot, Map.of());
        for (int i = 0; i < 20; i++) {
            assertThat(client(fresh).kv().get("recover/" + i, QueryOptions.DEFAULT).value())
                    .get().extracting(KvPair::valueAsString).isEqualTo("v" + i);
        }
        assertThat(client(fresh).kv().get("recover/lost", QueryOptions.DEFAULT).value()).isEmpty();
        // (Sessions come back too, but the new leader's reconciliation then removes the lost servers'
        // nodes, which gossip does not know, and with them their sessions: as Consul would.)
        assertThat(client(fresh).kv().put("recover/after", "ok".getBytes())).isTrue();
    }
}
