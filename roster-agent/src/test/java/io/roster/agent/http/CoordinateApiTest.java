package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /v1/coordinate/*} and {@code ?near=} on a real dev agent. Nodes c-0 .. c-3 get coordinates on
 * one axis, c-k at k x 10 ms from the origin (and test-node, the agent, syncs its own), so every
 * distance and order below is known by hand.
 */
class CoordinateApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();
    private static final Duration AWAIT = Duration.ofSeconds(20);

    private static Http http() {
        return AGENT.http();
    }

    private static String coord(String node, double x) {
        return "{\"Node\":\"" + node + "\",\"Coord\":{\"Vec\":[" + x + ",0,0,0,0,0,0,0],\"Error\":0.2,\"Adjustment\":0,"
                + "\"Height\":0.00001}}";
    }

    /** Registers c-0..c-3 (each running web), in the order c-2, c-0, c-3, c-1, and their coordinates. */
    @BeforeAll
    static void seed() {
        for (int k : new int[] {2, 0, 3, 1}) {
            Reply r = http().put("/v1/catalog/register", "{\"Node\":\"c-" + k + "\",\"Address\":\"10.6.0." + (k + 1)
                    + "\",\"Service\":{\"ID\":\"web-" + k + "\",\"Service\":\"web\",\"Port\":80}}");
            assertThat(r.status()).isEqualTo(200);
            Reply u = http().put("/v1/coordinate/update", coord("c-" + k, k * 0.010));
            assertThat(u.status()).as(u.text()).isEqualTo(200);
            assertThat(u.body()).isEmpty();
        }
        assertThat(http().put("/v1/coordinate/update", coord("not-in-catalog", 0.5)).status()).isEqualTo(200);
        AGENT.agent().http().coordinateUpdates().flush();
        await().atMost(AWAIT).until(() -> http().get("/v1/coordinate/nodes").json().size() >= 4);
    }

    private static List<String> field(JsonNode array, String... path) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            JsonNode v = n;
            for (String p : path) {
                v = v.get(p);
            }
            out.add(v.asText());
        }
        return out;
    }

    @Test
    void nodesAndOneNode() {
        Reply all = http().get("/v1/coordinate/nodes");
        assertThat(all.index()).isPositive();
        assertThat(field(all.json(), "Node")).contains("c-0", "c-1", "c-2", "c-3").doesNotContain("not-in-catalog");
        Reply one = http().get("/v1/coordinate/node/c-2");
        assertThat(one.status()).isEqualTo(200);
        JsonNode e = one.json().get(0);
        assertThat(e.get("Node").asText()).isEqualTo("c-2");
        assertThat(e.get("Segment").asText()).isEmpty();
        assertThat(e.get("Coord").get("Vec").get(0).asDouble()).isEqualTo(0.02);
        assertThat(e.get("Coord").get("Vec")).hasSize(8);
        assertThat(e.get("Coord").get("Error").asDouble()).isEqualTo(0.2);
        Reply none = http().get("/v1/coordinate/node/nobody");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body()).isEmpty();
    }

    @Test
    void nearSortsCatalogHealthAndNodesByEstimatedRoundTrip() {
        assertThat(field(http().get("/v1/catalog/service/web?near=c-3").json(), "Node")).containsExactly("c-3", "c-2", "c-1", "c-0");
        assertThat(field(http().get("/v1/health/service/web?near=c-1").json(), "Node", "Node"))
                .startsWith("c-1").containsSubsequence("c-2", "c-3");
        List<String> nodes = field(http().get("/v1/catalog/nodes?near=c-0").json(), "Node");
        assertThat(nodes.stream().filter(n -> n.startsWith("c-")).toList()).containsExactly("c-0", "c-1", "c-2", "c-3");
        List<String> fromFar = field(http().get("/v1/catalog/nodes?near=c-3").json(), "Node");
        assertThat(fromFar.subList(0, 3)).containsExactly("c-3", "c-2", "c-1");
        assertThat(field(http().get("/v1/catalog/service/web?near=unknown-node").json(), "Node"))
                .as("no coordinate for the source: the store's order").containsExactly("c-0", "c-1", "c-2", "c-3");
    }

    @Test
    void preparedQueriesSortByNearAndPutTheNearNodeFirst() {
        Reply r = http().send("POST", "/v1/query",
                "{\"Name\":\"near-web\",\"Service\":{\"Service\":\"web\",\"Near\":\"c-3\"}}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        for (int i = 0; i < 5; i++) { // executes shuffle first: the sort must win every time
            assertThat(field(http().get("/v1/query/near-web/execute").json().get("Nodes"), "Node", "Node"))
                    .containsExactly("c-3", "c-2", "c-1", "c-0");
            assertThat(field(http().get("/v1/query/near-web/execute?near=c-0").json().get("Nodes"), "Node", "Node"))
                    .containsExactly("c-0", "c-1", "c-2", "c-3");
        }
    }

    @Test
    void theAgentSyncsItsOwnCoordinateAndItIsTheDatacentersServer() {
        assertThat(AGENT.agent().syncCoordinate()).isNull();
        AGENT.agent().http().coordinateUpdates().flush();
        await().atMost(AWAIT).until(() -> http().get("/v1/coordinate/node/test-node").status() == 200);
        JsonNode dcs = http().get("/v1/coordinate/datacenters").json();
        assertThat(dcs).hasSize(1);
        assertThat(dcs.get(0).get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(dcs.get(0).get("AreaID").asText()).isEqualTo("wan");
        assertThat(field(dcs.get(0).get("Coordinates"), "Node")).containsExactly("test-node.dc1");
        // _agent means this agent: its coordinate is at the origin's neighbourhood, so c-0 comes first.
        assertThat(field(http().get("/v1/catalog/service/web?near=_agent").json(), "Node")).first().isEqualTo("c-0");
    }

    @Test
    void badUpdatesAreRefusedWithConsulsStatus() {
        Reply dims = http().put("/v1/coordinate/update", "{\"Node\":\"c-0\",\"Coord\":{\"Vec\":[1,2],\"Error\":1}}");
        assertThat(dims.status()).isEqualTo(500);
        assertThat(dims.text()).startsWith("rejected bad coordinate");
        assertThat(http().put("/v1/coordinate/update", "{\"Node\":").status()).isEqualTo(400);
        assertThat(http().put("/v1/coordinate/update", "").status()).isEqualTo(400);
        assertThat(http().put("/v1/coordinate/update", "{\"Coord\":{\"Vec\":[0,0,0,0,0,0,0,0]}}").text()).isEqualTo("Must provide node\n");
    }
}
