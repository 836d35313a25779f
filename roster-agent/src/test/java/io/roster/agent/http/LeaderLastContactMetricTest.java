package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.testing.TestPorts;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code consul.raft.leader.lastContact} (summary, ms) is observed on the leader of a 3-server
 * cluster, one sample per follower per round, and not on followers. In-process servers on loopback.
 */
class LeaderLastContactMetricTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            a.close();
        }
    }

    private static JsonNode sample(Agent a) {
        for (JsonNode e : new Http(a.httpAddress()).get("/v1/agent/metrics").json().get("Samples")) {
            if (e.path("Name").asText().equals("consul.raft.leader.lastContact")) {
                return e;
            }
        }
        return null;
    }

    @Test
    void leaderObservesEachFollowersLastContact() throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<Integer> gossip = new ArrayList<>();
        List<String> join = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(TestPorts.free());
            int g = TestPorts.free();
            gossip.add(g);
            join.add("127.0.0.1:" + g); // servers join each other's gossip addresses
        }
        for (int i = 0; i < 3; i++) {
            agents.add(new Agent(AgentConfig.builder().server(true).nodeName("s" + i).bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                    .serverPort(ports.get(i)).serfLanPort(gossip.get(i)).httpPort(0).dnsPort(-1).dataDir(Files.createTempDirectory("roster-lc" + i))
                    .bootstrapExpect(3).retryJoin(join).build()).start());
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> agents.stream().anyMatch(s -> s.server().replicator().isLeader()));
        Agent leader = agents.stream().filter(s -> s.server().replicator().isLeader()).findFirst().orElseThrow();
        assertThat(new Http(leader.httpAddress()).put("/v1/kv/lc", "1").status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sample(leader).path("Count").asLong() >= 4);
        JsonNode s = sample(leader);
        System.out.printf("LeaderLastContactMetricTest: consul.raft.leader.lastContact count %d mean %.1f ms max %.1f ms%n",
                s.path("Count").asLong(), s.path("Mean").asDouble(), s.path("Max").asDouble());
        assertThat(s.path("Min").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(s.path("Labels").isObject()).isTrue();
        String text = new Http(leader.httpAddress()).get("/v1/agent/metrics?format=prometheus").text();
        assertThat(text).contains("# TYPE consul_raft_leader_lastContact summary\n", "consul_raft_leader_lastContact_count ");
        for (Agent a : agents) {
            if (a != leader && !a.server().replicator().isLeader()) {
                JsonNode f = sample(a);
                assertThat(f == null ? 0 : f.path("Count").asLong()).as(a.config().nodeName()).isZero();
            }
        }
    }
}
