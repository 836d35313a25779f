package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v1/catalog/*} and {@code /v1/health/*} over HTTP against a real dev agent. */
class CatalogHealthApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private Http http() {
        return AGENT.http();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    private void register(String body) {
        Http.Reply r = http().put("/v1/catalog/register", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("true");
    }

    @Test
    void theAgentsOwnNodeHasTheConsulServiceAndAPassingSerfHealth() {
        JsonNode nodes = http().get("/v1/catalog/nodes").assertReadHeaders().json();
        assertThat(texts(nodes, "Node")).contains("test-node");
        JsonNode consul = http().get("/v1/catalog/service/consul").json();
        assertThat(consul).hasSize(1);
        // The server RPC port, the one /v1/status/leader names (8300 unless another process had it).
        String leader = http().get("/v1/status/leader").json().asText();
        assertThat(consul.get(0).get("ServicePort").asInt()).isEqualTo(Integer.parseInt(leader.substring(leader.lastIndexOf(':') + 1)));
        JsonNode checks = http().get("/v1/health/node/test-node").json();
        JsonNode serf = null;
        for (JsonNode c : checks) {
            if (c.get("CheckID").asText().equals("serfHealth")) {
                serf = c;
            }
        }
        assertThat(serf).isNotNull();
        assertThat(serf.get("Name").asText()).isEqualTo("Serf Health Status");
        assertThat(serf.get("Status").asText()).isEqualTo("passing");
        assertThat(http().get("/v1/catalog/datacenters").json().get(0).asText()).isEqualTo("dc1");
    }

    @Test
    void registerServiceWithChecksAndReadItBack() {
        register("{\"Node\":\"cat-1\",\"Address\":\"10.1.0.1\",\"NodeMeta\":{\"rack\":\"r1\"},"
                + "\"TaggedAddresses\":{\"wan\":\"198.51.100.1\"},"
                + "\"Service\":{\"ID\":\"web/1\",\"Service\":\"web\",\"Tags\":[\"v1\",\"blue\"],\"Port\":8080,"
                + "\"Meta\":{\"version\":\"1\"},\"Weights\":{\"Passing\":3,\"Warning\":1}},"
                + "\"Checks\":[{\"CheckID\":\"web-alive\",\"Name\":\"web alive\",\"Status\":\"passing\",\"ServiceID\":\"web/1\"},"
                + "{\"CheckID\":\"disk\",\"Name\":\"disk\",\"Status\":\"warning\"}]}");
        JsonNode svc = http().get("/v1/catalog/service/web").assertReadHeaders().json();
        assertThat(svc).hasSize(1);
        JsonNode s = svc.get(0);
        assertThat(s.get("Node").asText()).isEqualTo("cat-1");
        assertThat(s.get("Address").asText()).isEqualTo("10.1.0.1");
        assertThat(s.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(s.get("ServiceID").asText()).isEqualTo("web/1");
        assertThat(s.get("ServiceTags")).hasSize(2);
        assertThat(s.get("ServiceWeights").get("Passing").asInt()).isEqualTo(3);
        assertThat(s.get("NodeMeta").get("rack").asText()).isEqualTo("r1");
        assertThat(s.get("TaggedAddresses").get("wan").asText()).isEqualTo("198.51.100.1");
        assertThat(s.get("ServiceTaggedAddresses").isObject()).isTrue();

        JsonNode services = http().get("/v1/catalog/services").json();
        assertThat(services.get("web")).hasSize(2);

        JsonNode node = http().get("/v1/catalog/node/cat-1").json();
        assertThat(node.get("Services").get("web/1").get("Port").asInt()).isEqualTo(8080);
        assertThat(http().get("/v1/catalog/node/no-such-node").text()).isEqualTo("null");
        JsonNode ns = http().get("/v1/catalog/node-services/cat-1").json();
        assertThat(ns.get("Services").get(0).get("ID").asText()).isEqualTo("web/1");

        JsonNode health = http().get("/v1/health/service/web").json();
        assertThat(health).hasSize(1);
        assertThat(texts(health.get(0).get("Checks"), "CheckID")).containsExactlyInAnyOrder("web-alive", "disk");
        JsonNode webCheck = health.get(0).get("Checks").get(0).get("CheckID").asText().equals("web-alive")
                ? health.get(0).get("Checks").get(0) : health.get(0).get("Checks").get(1);
        assertThat(webCheck.get("ServiceName").asText()).isEqualTo("web");
        assertThat(webCheck.get("ServiceTags")).hasSize(2);
        assertThat(webCheck.get("ServiceTags").get(0).asText()).isEqualTo("v1");
        // The node's warning check makes the instance not "passing".
        assertThat(http().get("/v1/health/service/web?passing").json()).isEmpty();
        assertThat(http().get("/v1/health/service/web?passing=false").json()).hasSize(1);
        assertThat(texts(http().get("/v1/health/checks/web").json(), "CheckID")).containsExactly("web-alive");
        assertThat(texts(http().get("/v1/health/state/warning").json(), "CheckID")).contains("disk");
        assertThat(texts(http().get("/v1/health/state/any").json(), "CheckID")).contains("disk", "web-alive", "serfHealth");
        http().get("/v1/health/state/bogus").assertOneLineError(400);
    }

    @Test
    void tagAndNodeMetaFiltersAllMustMatch() {
        register("{\"Node\":\"tag-1\",\"Address\":\"10.2.0.1\",\"NodeMeta\":{\"zone\":\"a\"},"
                + "\"Service\":{\"ID\":\"api-1\",\"Service\":\"api\",\"Tags\":[\"v1\",\"primary\"]}}");
        register("{\"Node\":\"tag-2\",\"Address\":\"10.2.0.2\",\"NodeMeta\":{\"zone\":\"b\"},"
                + "\"Service\":{\"ID\":\"api-2\",\"Service\":\"api\",\"Tags\":[\"v1\"]}}");
        assertThat(texts(http().get("/v1/catalog/service/api?tag=v1").json(), "ServiceID")).containsExactly("api-1", "api-2");
        assertThat(texts(http().get("/v1/catalog/service/api?tag=v1&tag=primary").json(), "ServiceID")).containsExactly("api-1");
        assertThat(texts(http().get("/v1/catalog/service/api?node-meta=zone:b").json(), "ServiceID")).containsExactly("api-2");
        assertThat(http().get("/v1/health/service/api?tag=primary&tag=v1").json()).hasSize(1);
        assertThat(texts(http().get("/v1/catalog/nodes?node-meta=zone:a").json(), "Node")).containsExactly("tag-1");
        assertThat(http().get("/v1/catalog/services?node-meta=zone:b").json().has("api")).isTrue();
        http().get("/v1/catalog/nodes?node-meta=nocolon").assertOneLineError(400);
        register("{\"Node\":\"tag-1\",\"Address\":\"10.2.0.1\",\"SkipNodeUpdate\":true,"
                + "\"Check\":{\"CheckID\":\"api-c1\",\"Name\":\"c\",\"ServiceID\":\"api-1\",\"Status\":\"passing\"}}");
        register("{\"Node\":\"tag-2\",\"Address\":\"10.2.0.2\",\"SkipNodeUpdate\":true,"
                + "\"Check\":{\"CheckID\":\"api-c2\",\"Name\":\"c\",\"ServiceID\":\"api-2\",\"Status\":\"passing\"}}");
        assertThat(texts(http().get("/v1/health/checks/api?node-meta=zone:b").json(), "CheckID")).containsExactly("api-c2");
        assertThat(texts(http().get("/v1/health/state/passing?node-meta=zone:a").json(), "CheckID")).containsExactly("api-c1");
        assertThat(texts(http().get("/v1/health/checks/api").json(), "CheckID")).containsExactlyInAnyOrder("api-c1", "api-c2");
    }

    @Test
    void deregisterServiceCheckAndNode() {
        register("{\"Node\":\"gone-1\",\"Address\":\"10.3.0.1\",\"Service\":{\"ID\":\"tmp\",\"Service\":\"tmp\"},"
                + "\"Check\":{\"CheckID\":\"tmp-check\",\"Name\":\"tmp\",\"ServiceID\":\"tmp\",\"Status\":\"passing\"}}");
        assertThat(http().get("/v1/health/checks/tmp").json()).hasSize(1);
        assertThat(http().put("/v1/catalog/deregister", "{\"Node\":\"gone-1\",\"CheckID\":\"tmp-check\"}").text()).isEqualTo("true");
        assertThat(http().get("/v1/health/checks/tmp").json()).isEmpty();
        assertThat(http().get("/v1/catalog/service/tmp").json()).hasSize(1);
        http().put("/v1/catalog/deregister", "{\"Node\":\"gone-1\",\"ServiceID\":\"tmp\"}");
        assertThat(http().get("/v1/catalog/service/tmp").json()).isEmpty();
        http().put("/v1/catalog/deregister", "{\"Node\":\"gone-1\"}");
        assertThat(texts(http().get("/v1/catalog/nodes").json(), "Node")).doesNotContain("gone-1");
    }

    @Test
    void badRegistrationsAreRefusedWithOneLine() {
        http().put("/v1/catalog/register", "{\"Address\":\"10.0.0.1\"}").assertOneLineError(400);
        http().put("/v1/catalog/register", "{\"Node\":\"x\"}").assertOneLineError(400);
        http().put("/v1/catalog/register", "{\"Node\":\"x\",\"Address\":\"1.2.3.4\",\"Service\":{\"Port\":1}}").assertOneLineError(400);
        http().put("/v1/catalog/register", "{\"Node\":\"x\",\"Address\":\"1.2.3.4\",\"Check\":{\"CheckID\":\"c\",\"ServiceID\":\"missing\"}}")
                .assertOneLineError(500);
        http().put("/v1/catalog/register", "{not json").assertOneLineError(400);
        http().put("/v1/catalog/deregister", "{}").assertOneLineError(400);
        assertThat(texts(http().get("/v1/catalog/nodes").json(), "Node")).doesNotContain("x");
    }

    @Test
    void blockingHealthQueryWakesOnItsServiceNotOnAnother() throws Exception {
        register("{\"Node\":\"blk-1\",\"Address\":\"10.4.0.1\",\"Service\":{\"ID\":\"pay\",\"Service\":\"pay\"},"
                + "\"Check\":{\"CheckID\":\"pay-c\",\"Name\":\"pay\",\"ServiceID\":\"pay\",\"Status\":\"passing\"}}");
        register("{\"Node\":\"blk-2\",\"Address\":\"10.4.0.2\",\"Service\":{\"ID\":\"ship\",\"Service\":\"ship\"}}");
        long idx = http().get("/v1/health/service/pay?passing").index();
        long parked = AGENT.agent().http().blocking().parked();
        CompletableFuture<Http.Reply> waiting = http().getAsync("/v1/health/service/pay?passing&index=" + idx + "&wait=30s");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> AGENT.agent().http().blocking().parked() > parked);
        // Another service changes: the parked query stays parked.
        register("{\"Node\":\"blk-2\",\"Address\":\"10.4.0.2\",\"Service\":{\"ID\":\"ship\",\"Service\":\"ship\",\"Tags\":[\"new\"]}}");
        assertThat(waiting).isNotDone();
        // Its own check flips to critical: it wakes, and ?passing now filters the instance out.
        register("{\"Node\":\"blk-1\",\"Address\":\"10.4.0.1\",\"SkipNodeUpdate\":true,"
                + "\"Check\":{\"CheckID\":\"pay-c\",\"Name\":\"pay\",\"ServiceID\":\"pay\",\"Status\":\"critical\"}}");
        Http.Reply r = Http.join(waiting);
        assertThat(r.index()).isGreaterThan(idx);
        assertThat(r.json()).isEmpty();
    }

    @Test
    void catalogServicesIndexDoesNotMoveForCheckChanges() {
        register("{\"Node\":\"idx-1\",\"Address\":\"10.5.0.1\",\"Service\":{\"ID\":\"q\",\"Service\":\"q\"},"
                + "\"Check\":{\"CheckID\":\"q-c\",\"Name\":\"q\",\"ServiceID\":\"q\",\"Status\":\"passing\"}}");
        long before = http().get("/v1/catalog/services").index();
        register("{\"Node\":\"idx-1\",\"Address\":\"10.5.0.1\",\"SkipNodeUpdate\":true,"
                + "\"Check\":{\"CheckID\":\"q-c\",\"Name\":\"q\",\"ServiceID\":\"q\",\"Status\":\"warning\"}}");
        assertThat(http().get("/v1/catalog/services").index()).isEqualTo(before);
        assertThat(http().get("/v1/health/service/q").index()).isGreaterThan(before);
    }
}
