package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /v1/query} on a real dev agent: the definition's life (create, read, list, update, delete),
 * execute and explain with tags, {@code !tag}, metadata, health, filters and templates, each answer
 * computed by hand for the seeded catalog; Consul's error texts and statuses.
 */
class PreparedQueryApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    private static Reply post(String path, String body) {
        return http().send("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * pq-1 (rack r1): web-1 v1 blue, passing; pq-2 (rack r2): web-2 v2 meta ver=2 with a warning
     * check; pq-3: web-3 v1 canary, critical; pq-3 also runs db-3.
     */
    @BeforeAll
    static void seed() {
        for (String body : List.of(
                "{\"Node\":\"pq-1\",\"Address\":\"10.8.0.1\",\"NodeMeta\":{\"rack\":\"r1\"},\"Service\":{\"ID\":\"web-1\",\"Service\":\"web\",\"Tags\":[\"v1\",\"blue\"],\"Port\":80}}",
                "{\"Node\":\"pq-2\",\"Address\":\"10.8.0.2\",\"NodeMeta\":{\"rack\":\"r2\"},\"Service\":{\"ID\":\"web-2\",\"Service\":\"web\",\"Tags\":[\"v2\"],\"Port\":81,\"Meta\":{\"ver\":\"2\"}},"
                        + "\"Check\":{\"CheckID\":\"w2\",\"Name\":\"w2\",\"Status\":\"warning\",\"ServiceID\":\"web-2\"}}",
                "{\"Node\":\"pq-3\",\"Address\":\"10.8.0.3\",\"Service\":{\"ID\":\"web-3\",\"Service\":\"web\",\"Tags\":[\"v1\",\"canary\"],\"Port\":82},"
                        + "\"Check\":{\"CheckID\":\"w3\",\"Name\":\"w3\",\"Status\":\"critical\",\"ServiceID\":\"web-3\"}}",
                "{\"Node\":\"pq-3\",\"Address\":\"10.8.0.3\",\"Service\":{\"ID\":\"db-3\",\"Service\":\"db\",\"Port\":5432}}")) {
            assertThat(http().put("/v1/catalog/register", body).status()).isEqualTo(200);
        }
    }

    private static String create(String body) {
        Reply r = post("/v1/query", body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().size()).as("exactly {\"ID\": ...}").isEqualTo(1);
        return r.json().get("ID").asText();
    }

    private static List<String> executeIds(String nameOrId, String params) {
        Reply r = http().get("/v1/query/" + nameOrId + "/execute" + params);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().get("Nodes").forEach(n -> ids.add(n.get("Service").get("ID").asText()));
        ids.sort(null);
        return ids;
    }

    @Test
    void definitionLifeCycle() {
        String id = create("{\"Name\":\"pq-life\",\"Service\":{\"Service\":\"web\",\"Tags\":[\"v1\"]},\"DNS\":{\"TTL\":\"10s\"}}");
        Reply got = http().get("/v1/query/" + id);
        assertThat(got.status()).isEqualTo(200);
        JsonNode q = got.json().get(0);
        assertThat(q.get("ID").asText()).isEqualTo(id);
        assertThat(q.get("Name").asText()).isEqualTo("pq-life");
        assertThat(q.get("Service").get("Tags").get(0).asText()).isEqualTo("v1");
        assertThat(q.get("DNS").get("TTL").asText()).isEqualTo("10s");
        assertThat(got.index()).isEqualTo(q.get("ModifyIndex").asLong());

        Reply list = http().get("/v1/query");
        assertThat(list.json().findValuesAsText("ID")).contains(id);

        Reply put = http().put("/v1/query/" + id, "{\"Name\":\"pq-life\",\"Service\":{\"Service\":\"web\",\"Tags\":[\"v2\"]}}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body()).isEmpty();
        JsonNode after = http().get("/v1/query/" + id).json().get(0);
        assertThat(after.get("Service").get("Tags").get(0).asText()).isEqualTo("v2");
        assertThat(after.get("CreateIndex").asLong()).isEqualTo(q.get("CreateIndex").asLong());
        assertThat(after.get("ModifyIndex").asLong()).isGreaterThan(q.get("ModifyIndex").asLong());

        assertThat(http().delete("/v1/query/" + id).status()).isEqualTo(200);
        Reply gone = http().get("/v1/query/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.text()).isEqualTo("Query not found\n");
        assertThat(gone.index()).isPositive();
    }

    @Test
    void executeSelectsByTagsNegatedTagsHealthMetaAndFilter() {
        create("{\"Name\":\"pq-v1\",\"Service\":{\"Service\":\"web\",\"Tags\":[\"v1\"]}}");
        create("{\"Name\":\"pq-v1-ignore\",\"Service\":{\"Service\":\"web\",\"Tags\":[\"v1\",\"!BLUE\"],\"IgnoreCheckIDs\":[\"w3\"]}}");
        create("{\"Name\":\"pq-passing\",\"Service\":{\"Service\":\"web\",\"OnlyPassing\":true}}");
        create("{\"Name\":\"pq-meta\",\"Service\":{\"Service\":\"web\",\"NodeMeta\":{\"rack\":\"r2\"},\"ServiceMeta\":{\"ver\":\"2\"}}}");
        create("{\"Name\":\"pq-filter\",\"Service\":{\"Service\":\"web\",\"Filter\":\"Service.Port >= 81\"}}");
        assertThat(executeIds("pq-v1", "")).as("critical web-3 dropped").containsExactly("web-1");
        assertThat(executeIds("PQ-V1-IGNORE", "")).as("names are case-insensitive").containsExactly("web-3");
        assertThat(executeIds("pq-passing", "")).containsExactly("web-1");
        assertThat(executeIds("pq-meta", "")).containsExactly("web-2");
        assertThat(executeIds("pq-filter", "")).containsExactly("web-2");
        assertThat(executeIds("pq-filter", "?limit=1")).hasSize(1);

        Reply r = http().get("/v1/query/pq-v1/execute");
        JsonNode j = r.json();
        assertThat(j.get("Service").asText()).isEqualTo("web");
        assertThat(j.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(j.get("Failovers").asInt()).isZero();
        assertThat(j.get("DNS").get("TTL").asText()).isEmpty();
        assertThat(j.get("Nodes").get(0).get("Node").get("Node").asText()).isEqualTo("pq-1");
        assertThat(j.get("Nodes").get(0).get("Checks").isArray()).isTrue();
        assertThat(r.index()).isPositive();
    }

    @Test
    void templatesRenderTheNameRegexpMatchesAndRemoveEmptyTags() {
        create("{\"Name\":\"pq-geo-\",\"Template\":{\"Type\":\"name_prefix_match\",\"Regexp\":\"^pq-geo-(.*?)(?:-(.*))?$\","
                + "\"RemoveEmptyTags\":true},\"Service\":{\"Service\":\"${match(1)}\",\"Tags\":[\"${match(2)}\"]}}");
        create("{\"Name\":\"pq-any-\",\"Template\":{\"Type\":\"name_prefix_match\"},\"Service\":{\"Service\":\"${name.suffix}\"}}");
        assertThat(executeIds("pq-geo-web-v2", "")).containsExactly("web-2");
        assertThat(executeIds("pq-geo-web", "")).as("empty tag removed: every healthy web").containsExactly("web-1", "web-2");
        assertThat(executeIds("pq-any-db", "")).containsExactly("db-3");

        JsonNode explained = http().get("/v1/query/pq-geo-web-blue/explain").json().get("Query");
        assertThat(explained.get("Service").get("Service").asText()).isEqualTo("web");
        assertThat(explained.get("Service").get("Tags").get(0).asText()).isEqualTo("blue");
        assertThat(explained.get("Name").asText()).isEqualTo("pq-geo-");

        String templateId = http().get("/v1/query/pq-geo-web/explain").json().get("Query").get("ID").asText();
        Reply byId = http().get("/v1/query/" + templateId + "/execute");
        assertThat(byId.status()).isEqualTo(500);
        assertThat(byId.text()).isEqualTo("prepared query templates can only be resolved up by name, not by ID\n");
    }

    @Test
    void aSessionBoundQueryIsDeletedWithItsSession() {
        Reply s = http().put("/v1/session/create", "{\"Node\":\"pq-1\",\"Checks\":[]}");
        assertThat(s.status()).as(s.text()).isEqualTo(200);
        String session = s.json().get("ID").asText();
        String id = create("{\"Session\":\"" + session + "\",\"Service\":{\"Service\":\"db\"}}");
        assertThat(executeIds(id, "")).containsExactly("db-3");
        assertThat(http().put("/v1/session/destroy/" + session).status()).isEqualTo(200);
        assertThat(http().get("/v1/query/" + id).status()).isEqualTo(404);
    }

    @Test
    void badDefinitionsGetConsulsTexts() {
        assertError(post("/v1/query", "{\"Service\":{\"Service\":\"web\"}}"), 500, "Invalid prepared query: Must be bound to a session");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{}}"), 500,
                "Invalid prepared query: Must provide a Service name to query");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\",\"Failover\":{\"NearestN\":-1}}}"), 500,
                "Invalid prepared query: Bad NearestN '-1', must be >= 0");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\",\"Failover\":{\"NearestN\":1,"
                + "\"Targets\":[{\"Datacenter\":\"dc2\"}]}}}"), 500,
                "Invalid prepared query: Targets cannot be populated with NearestN or Datacenters");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\",\"Failover\":{"
                + "\"Targets\":[{\"Peer\":\"other\"}]}}}"), 500,
                "Invalid prepared query: Bad failover target: Peer 'other': cluster peering is not supported; use Datacenter");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\"},\"DNS\":{\"TTL\":\"soon\"}}"), 500,
                "Invalid prepared query: Bad DNS TTL 'soon': time: invalid duration \"soon\"");
        assertError(post("/v1/query", "{\"Name\":\"pq-x\",\"Session\":\"nope\",\"Service\":{\"Service\":\"web\"}}"), 500,
                "invalid session \"nope\"");
        assertError(post("/v1/query", "{\"ID\":\"x\",\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\"}}"), 500,
                "ID must be empty when creating a new prepared query");
        assertError(post("/v1/query", "{\"Name\":\"pq-t\",\"Template\":{\"Type\":\"other\"},\"Service\":{\"Service\":\"web\"}}"), 500,
                "failed compiling template: Bad Template.Type 'other'");
        assertError(post("/v1/query", "{\"Name\":\"pq-t\",\"Template\":{\"Type\":\"name_prefix_match\"},\"Service\":{\"Service\":\"${nope}\"}}"),
                500, "failed compiling template: unknown variable or function 'nope'");
        Reply filter = post("/v1/query", "{\"Name\":\"pq-x\",\"Service\":{\"Service\":\"web\",\"Filter\":\"Nope == 1\"}}");
        assertThat(filter.status()).isEqualTo(500);
        assertThat(filter.text()).startsWith("Invalid prepared query: Failed to create boolean expression evaluator");
        assertThat(post("/v1/query", "{not json").status()).isEqualTo(400);
        create("{\"Name\":\"pq-taken\",\"Service\":{\"Service\":\"web\"}}");
        assertError(post("/v1/query", "{\"Name\":\"PQ-TAKEN\",\"Service\":{\"Service\":\"web\"}}"), 500,
                "name 'PQ-TAKEN' aliases an existing query name");
        String missing = "00000000-0000-4000-8000-000000000000";
        assertError(http().put("/v1/query/" + missing, "{\"Name\":\"pq-y\",\"Service\":{\"Service\":\"web\"}}"), 500,
                "Cannot modify non-existent prepared query: '" + missing + "'");
        assertError(http().delete("/v1/query/" + missing), 500, "Cannot modify non-existent prepared query: '" + missing + "'");
        assertError(http().get("/v1/query/pq-nothing/execute"), 404, "Query not found");
        assertError(http().get("/v1/query/pq-nothing/explain"), 404, "Query not found");
        assertThat(http().put("/v1/query/pq-taken/execute", "").status()).isEqualTo(405);
        assertThat(http().send("PATCH", "/v1/query", new byte[0]).status()).isEqualTo(405);
        assertError(http().get("/v1/query/pq-taken/execute?limit=x"), 500, "Bad limit: strconv.Atoi: parsing \"x\": invalid syntax");
    }

    private static void assertError(Reply r, int status, String text) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.text()).isEqualTo(text + "\n");
    }
}
