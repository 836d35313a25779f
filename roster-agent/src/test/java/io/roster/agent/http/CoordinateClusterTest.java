package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.testing.TestPorts;
import io.roster.state.WatchSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Coordinates across a real server and a client agent (in-process, loopback): both compute one
 * from their gossip probes, the client sends its own over the server RPC, the server writes both in
 * a batch, and {@code ?near=_agent} means the agent that was asked (the client resolves it before
 * forwarding).
 */
class CoordinateClusterTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            a.close();
        }
    }

    private Agent start(AgentConfig c) throws Exception {
        Agent a = new Agent(c).start();
        agents.add(a);
        return a;
    }

    @Test
    void clientAndServerCoordinatesReachTheCatalogAndNearAgentMeansTheAskedAgent() throws Exception {
        Path dir = Files.createTempDirectory("roster-pq-coord");
        Agent srv = start(AgentConfig.builder().server(true).nodeName("pq-srv").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .serverPort(TestPorts.free()).serfLanPort(TestPorts.free()).httpPort(0).dnsPort(-1).dataDir(dir).bootstrapExpect(1).build());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> srv.server().replicator().isLeader() && srv.registered());
        Agent c = start(AgentConfig.builder().nodeName("pq-client").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(-1).serfLanPort(0).retryJoin(List.of(srv.gossip().address())).build());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> srv.store().node(WatchSet.NONE, "pq-client").value() != null);

        // Probes between the two move both coordinates away from the origin's maximal error.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.gossip().coordinate() != null
                && c.gossip().coordinate().error() < 1.5 && srv.gossip().coordinate().error() < 1.5);

        assertThat(c.syncCoordinate()).as("sent over the server RPC").isNull();
        assertThat(srv.syncCoordinate()).isNull();
        srv.http().coordinateUpdates().flush();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                srv.store().coordinatesOf(WatchSet.NONE, "pq-client").value().size() == 1
                        && srv.store().coordinatesOf(WatchSet.NONE, "pq-srv").value().size() == 1);

        Http viaClient = new Http(c.httpAddress());
        Http.Reply one = viaClient.get("/v1/coordinate/node/pq-client");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get(0).get("Coord").get("Vec")).hasSize(8);
        assertThat(viaClient.get("/v1/catalog/nodes?near=_agent").json().get(0).get("Node").asText()).isEqualTo("pq-client");
        assertThat(new Http(srv.httpAddress()).get("/v1/catalog/nodes?near=_agent").json().get(0).get("Node").asText())
                .isEqualTo("pq-srv");

        // A prepared query's stored Near "_agent": the agent that was asked, also through a client.
        Http viaServer = new Http(srv.httpAddress());
        for (Http h : List.of(viaClient, viaServer)) {
            assertThat(h.put("/v1/agent/service/register", "{\"Name\":\"pq-near\",\"Port\":9000}").status()).isEqualTo(200);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> srv.store().catalogService(WatchSet.NONE, "pq-near").value().size() == 2);
        assertThat(viaClient.send("POST", "/v1/query",
                "{\"Name\":\"pq-near\",\"Service\":{\"Service\":\"pq-near\",\"Near\":\"_agent\"}}".getBytes()).status())
                .isEqualTo(200);
        for (int i = 0; i < 4; i++) {
            assertThat(viaClient.get("/v1/query/pq-near/execute").json().get("Nodes").get(0).get("Node").get("Node").asText())
                    .isEqualTo("pq-client");
            assertThat(viaServer.get("/v1/query/pq-near/execute").json().get("Nodes").get(0).get("Node").get("Node").asText())
                    .isEqualTo("pq-srv");
        }
    }
}
