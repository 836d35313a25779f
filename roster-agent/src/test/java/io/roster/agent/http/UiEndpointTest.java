package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.http.Http.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consul's UI data endpoints with Consul's shapes, {@code GET /v1/kv/<key>?history}, and the web
 * UI's static files: served when the UI is on (dev), {@code /} redirected, a custom
 * {@code ui_config.dir}, off (404) when the UI is off.
 */
class UiEndpointTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    private static void register(String node, String address, String service, String id, String status, String... tags) {
        String t = tags.length == 0 ? "" : ",\"Tags\":[\"" + String.join("\",\"", tags) + "\"]";
        Reply r = http().put("/v1/catalog/register", """
                {"Node":"%s","Address":"%s","NodeMeta":{"rack":"r1"},
                 "Service":{"ID":"%s","Service":"%s","Port":80%s,"Meta":{"external-source":"nomad"}},
                 "Checks":[{"CheckID":"node-ok","Name":"node ok","Status":"passing"},
                   {"CheckID":"svc:%s","Name":"svc","Status":"%s","ServiceID":"%s"}]}"""
                .formatted(node, address, id, service, t, id, status, id));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    @Test
    void servicesSummarizeInstancesTagsNodesAndChecksAsConsulDoes() {
        register("ui-n1", "10.0.0.1", "ui-web", "ui-web-1", "passing", "b", "a");
        register("ui-n2", "10.0.0.2", "ui-web", "ui-web-2", "critical", "a", "c");
        Reply r = http().get("/v1/internal/ui/services").assertReadHeaders();
        JsonNode web = null;
        for (JsonNode s : r.json()) {
            if (s.get("Name").asText().equals("ui-web")) {
                web = s;
            }
        }
        assertThat(web).isNotNull();
        assertThat(Http.fieldNames(web)).containsExactly("Name", "Datacenter", "Tags", "Nodes", "ExternalSources", "InstanceCount",
                "ChecksPassing", "ChecksWarning", "ChecksCritical", "GatewayConfig", "TransparentProxy", "ConnectNative",
                "ConnectedWithProxy", "ConnectedWithGateway");
        assertThat(web.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(web.get("Tags").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(web.get("Nodes").toString()).isEqualTo("[\"ui-n1\",\"ui-n2\"]");
        assertThat(web.get("ExternalSources").toString()).isEqualTo("[\"nomad\"]");
        assertThat(web.get("InstanceCount").asInt()).isEqualTo(2);
        // Each node's node-ok once per node, plus each instance's own check.
        assertThat(web.get("ChecksPassing").asInt()).isEqualTo(3);
        assertThat(web.get("ChecksCritical").asInt()).isEqualTo(1);
        List<String> names = new ArrayList<>();
        r.json().forEach(s -> names.add(s.get("Name").asText()));
        assertThat(names).isSorted();
    }

    @Test
    void theNodeDumpAndOneNodeHaveServicesAndChecks() {
        register("ui-n3", "10.0.0.3", "ui-db", "ui-db-1", "warning");
        JsonNode dump = http().get("/v1/internal/ui/nodes").assertReadHeaders().json();
        JsonNode n3 = null;
        for (JsonNode n : dump) {
            if (n.get("Node").asText().equals("ui-n3")) {
                n3 = n;
            }
        }
        assertThat(n3).isNotNull();
        assertThat(Http.fieldNames(n3)).containsExactly("ID", "Node", "Address", "TaggedAddresses", "Meta", "Services", "Checks");
        Reply one = http().get("/v1/internal/ui/node/ui-n3").assertReadHeaders();
        assertThat(one.json().toString()).isEqualTo(n3.toString());
        assertThat(one.json().get("Services").get(0).get("ID").asText()).isEqualTo("ui-db-1");
        assertThat(one.json().get("Checks")).hasSize(2);
        assertThat(one.json().get("Meta").get("rack").asText()).isEqualTo("r1");
        Reply missing = http().get("/v1/internal/ui/node/no-such-node");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.index()).isPositive();
    }

    @Test
    void aNodeReadBlocksUntilItsCheckChanges() {
        register("ui-n4", "10.0.0.4", "ui-q", "ui-q-1", "passing");
        long index = http().get("/v1/internal/ui/node/ui-n4").index();
        CompletableFuture<Reply> parked = CompletableFuture.supplyAsync(() -> http().get("/v1/internal/ui/node/ui-n4?index=" + index + "&wait=30s"));
        register("ui-n4", "10.0.0.4", "ui-q", "ui-q-1", "critical");
        Reply woke = parked.join();
        assertThat(woke.index()).isGreaterThan(index);
        assertThat(woke.json().get("Checks").toString()).contains("critical");
    }

    @Test
    void theCatalogOverviewCountsNodesServicesAndChecks() {
        register("ui-n5", "10.0.0.5", "ui-ov", "ui-ov-1", "critical");
        JsonNode o = http().get("/v1/internal/ui/catalog-overview").json();
        assertThat(Http.fieldNames(o)).containsExactly("Nodes", "Services", "Checks");
        assertThat(o.get("Nodes")).hasSize(1);
        assertThat(Http.fieldNames(o.get("Nodes").get(0))).containsExactly("Total", "Passing", "Warning", "Critical");
        assertThat(o.get("Nodes").get(0).get("Total").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode ov = null;
        for (JsonNode s : o.get("Services")) {
            if (s.get("Name").asText().equals("ui-ov")) {
                ov = s;
            }
        }
        assertThat(ov).isNotNull();
        assertThat(ov.toString()).isEqualTo("{\"Name\":\"ui-ov\",\"Total\":1,\"Passing\":0,\"Warning\":0,\"Critical\":1}");
    }

    @Test
    void kvHistoryIsNewestFirstBlocksAnd404sWithAnIndex() {
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        http().put("/v1/kv/ui/hist", "one");
        http().put("/v1/kv/ui/hist?flags=3", "two");
        java.time.Instant wrote = java.time.Instant.now();
        Reply h = http().get("/v1/kv/ui/hist?history").assertReadHeaders();
        JsonNode v = h.json();
        assertThat(v).hasSize(2);
        assertThat(Http.fieldNames(v.get(0))).containsExactly("Key", "ModifyIndex", "CreateIndex", "LockIndex", "Flags", "Value",
                "Size", "Deleted", "Time");
        // The time the server stamped into each write's command: RFC 3339 UTC, within the writes' span, in order.
        java.time.Instant newer = java.time.Instant.parse(v.get(0).get("Time").asText());
        java.time.Instant older = java.time.Instant.parse(v.get(1).get("Time").asText());
        assertThat(v.get(0).get("Time").asText()).endsWith("Z");
        assertThat(older).isBetween(before, wrote);
        assertThat(newer).isBetween(older, wrote);
        assertThat(Http.unb64(v.get(0).get("Value"))).isEqualTo("two");
        assertThat(v.get(0).get("Flags").asLong()).isEqualTo(3);
        assertThat(v.get(1).get("Size").asInt()).isEqualTo(3);
        assertThat(h.index()).isEqualTo(v.get(0).get("ModifyIndex").asLong());

        CompletableFuture<Reply> parked = CompletableFuture.supplyAsync(() -> http().get("/v1/kv/ui/hist?history&index=" + h.index() + "&wait=30s"));
        http().delete("/v1/kv/ui/hist");
        JsonNode after = parked.join().json();
        assertThat(after).hasSize(3);
        assertThat(after.get(0).get("Deleted").asBoolean()).isTrue();
        assertThat(after.get(0).get("Value").isNull()).isTrue();

        Reply none = http().get("/v1/kv/ui/never?history");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.index()).isPositive();
        assertThat(http().get("/v1/kv/?history").status()).as("a key is needed").isEqualTo(400);
    }

    @Test
    void theUiIsServedAndTheRootRedirectsThere() {
        Reply root = http().get("/");
        assertThat(root.status()).isEqualTo(301);
        assertThat(root.header("Location")).hasValue("/ui/");
        Reply index = http().get("/ui/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.text()).contains("<script type=\"module\" src=\"app.js\"></script>").doesNotContain("http://", "https://");
        Reply js = http().get("/ui/app.js");
        assertThat(js.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(js.header("Content-Security-Policy")).hasValueSatisfying(t -> assertThat(t).contains("default-src 'self'"));
        for (String asset : List.of("app.js", "api.js", "dom.js", "kv.js", "acl.js", "app.css")) {
            assertThat(http().get("/ui/" + asset).text()).as(asset + " fetches nothing from elsewhere (the SVG namespace is a name, not a fetch)")
                    .doesNotContainPattern("https?://(?!127\\.0\\.0\\.1|www\\.w3\\.org/2000/svg)[a-z]");
        }
        assertThat(http().get("/ui").status()).isEqualTo(301);
        assertThat(http().get("/ui/nothing.js").status()).isEqualTo(404);
        assertThat(http().get("/ui/../io/roster/agent/ui/app.js").status()).isIn(400, 404);
        assertThat(http().put("/ui/app.js", "x").status()).isEqualTo(405);
        assertThat(http().get("/v1/agent/self").status()).as("the API still answers").isEqualTo(200);
    }

    @Test
    void aCustomDirIsServedAndAnAgentWithoutTheUiAnswers404(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("index.html"), "<p>custom</p>");
        try (Agent custom = TestAgent.start(b -> b.uiDir(dir))) {
            Http h = new Http(custom.httpAddress());
            assertThat(h.get("/ui/").text()).isEqualTo("<p>custom</p>");
            assertThat(h.get("/ui/app.js").status()).isEqualTo(404);
        }
        try (Agent off = TestAgent.start(b -> b.ui(false))) {
            Http h = new Http(off.httpAddress());
            assertThat(h.get("/ui/").status()).isEqualTo(404);
            assertThat(h.get("/").status()).as("the API's index, as before").isEqualTo(200);
        }
    }
}
