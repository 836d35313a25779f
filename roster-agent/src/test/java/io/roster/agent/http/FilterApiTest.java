package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ?filter=} on the catalog, health and agent endpoints of a real dev agent, against answers
 * computed by hand for a seeded catalog; filtered and {@code ?node-meta=} blocking reads.
 */
class FilterApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private static Http http() {
        return AGENT.http();
    }

    private static String f(String expr) {
        return "filter=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
    }

    private static void register(String body) {
        Reply r = http().put("/v1/catalog/register", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private static String node(String name, String addr, String meta, String service) {
        return "{\"Node\":\"" + name + "\",\"Address\":\"" + addr + "\",\"NodeMeta\":" + meta
                + (service == null ? "" : ",\"Service\":" + service) + "}";
    }

    /**
     * The seeded catalog: fa-1 (rack r1, env prod) runs web v1 and db; fa-2 (rack r2) runs web v2
     * with a critical check; fa-3 (no meta) runs cache.
     */
    @BeforeAll
    static void seed() {
        register(node("fa-1", "10.9.0.1", "{\"rack\":\"r1\",\"env\":\"prod\"}",
                "{\"ID\":\"web-1\",\"Service\":\"web\",\"Tags\":[\"v1\",\"blue\"],\"Port\":8080,\"Meta\":{\"version\":\"1\"}}"));
        register(node("fa-1", "10.9.0.1", "{\"rack\":\"r1\",\"env\":\"prod\"}",
                "{\"ID\":\"db-1\",\"Service\":\"db\",\"Tags\":[\"primary\"],\"Port\":5432}"));
        register("{\"Node\":\"fa-2\",\"Address\":\"10.9.0.2\",\"NodeMeta\":{\"rack\":\"r2\"},"
                + "\"Service\":{\"ID\":\"web-2\",\"Service\":\"web\",\"Tags\":[\"v2\"],\"Port\":8081,\"Meta\":{\"version\":\"2\"}},"
                + "\"Check\":{\"CheckID\":\"web-2-alive\",\"Name\":\"alive\",\"Status\":\"critical\",\"ServiceID\":\"web-2\"}}");
        register(node("fa-3", "10.9.0.3", "{}", "{\"ID\":\"cache-1\",\"Service\":\"cache\",\"Port\":6379}"));
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    @Test
    void catalogNodesByMetaAndAddress() {
        JsonNode r = http().get("/v1/catalog/nodes?" + f("Meta.rack == r1 or Address == \"10.9.0.3\"")).assertReadHeaders().json();
        assertThat(texts(r, "Node")).containsExactlyInAnyOrder("fa-1", "fa-3");
        JsonNode none = http().get("/v1/catalog/nodes?" + f("Meta.rack == r1 and Meta.env != prod")).json();
        assertThat(none).isEmpty();
        JsonNode withMeta = http().get("/v1/catalog/nodes?" + f("Meta is not empty and Node matches \"^fa-\"")).json();
        assertThat(texts(withMeta, "Node")).containsExactlyInAnyOrder("fa-1", "fa-2");
    }

    @Test
    void catalogServicesFiltersInstancesThenGroupsByName() {
        JsonNode r = http().get("/v1/catalog/services?" + f("ServiceName==web")).assertReadHeaders().json();
        assertThat(Http.fieldNames(r)).containsExactly("web");
        // Kind is left out of the JSON when empty; it still compares as Consul's "" (typical services).
        JsonNode dc = http().get("/v1/catalog/services?" + f("Datacenter == dc1 and ServiceKind == \"\" and ServiceName == web")).json();
        assertThat(Http.fieldNames(dc)).containsExactly("web");
        assertThat(r.get("web")).hasSize(3);
        JsonNode v2 = http().get("/v1/catalog/services?" + f("\"v2\" in ServiceTags or NodeMeta.rack == r1")).json();
        assertThat(Http.fieldNames(v2)).containsExactlyInAnyOrder("web", "db");
        // Only the tags of instances that passed: web-2 (v2), not web-1 (v1, blue).
        JsonNode port = http().get("/v1/catalog/services?" + f("ServicePort > 8080 and ServicePort < 8100")).json();
        assertThat(Http.fieldNames(port)).containsExactly("web");
        assertThat(port.get("web").get(0).asText()).isEqualTo("v2");
        assertThat(port.get("web")).hasSize(1);
    }

    @Test
    void catalogServiceAndNodeServices() {
        JsonNode web = http().get("/v1/catalog/service/web?" + f("ServiceMeta.version == \"2\"")).json();
        assertThat(texts(web, "ServiceID")).containsExactly("web-2");
        JsonNode node = http().get("/v1/catalog/node/fa-1?" + f("Port == 5432")).json();
        assertThat(Http.fieldNames(node.get("Services"))).containsExactly("db-1");
        JsonNode ns = http().get("/v1/catalog/node-services/fa-1?" + f("Tags contains blue")).json();
        assertThat(texts(ns.get("Services"), "ID")).containsExactly("web-1");
    }

    @Test
    void healthServiceNodeChecksAndState() {
        JsonNode ok = http().get("/v1/health/service/web?" + f("Checks.Status != critical")).assertReadHeaders().json();
        assertThat(ok).hasSize(1);
        assertThat(ok.get(0).get("Service").get("ID").asText()).isEqualTo("web-1");
        JsonNode meta = http().get("/v1/health/service/web?" + f("Node.Meta.rack == r2 and Service.Port == 8081")).json();
        assertThat(meta).hasSize(1);
        assertThat(meta.get(0).get("Node").get("Node").asText()).isEqualTo("fa-2");
        JsonNode checks = http().get("/v1/health/checks/web?" + f("Status == critical")).json();
        assertThat(texts(checks, "CheckID")).containsExactly("web-2-alive");
        JsonNode state = http().get("/v1/health/state/any?" + f("Node == \"fa-2\"")).json();
        assertThat(texts(state, "CheckID")).containsExactly("web-2-alive");
        JsonNode node = http().get("/v1/health/node/fa-2?" + f("ServiceName == web and Name == alive")).json();
        assertThat(texts(node, "CheckID")).containsExactly("web-2-alive");
    }

    @Test
    void agentServicesChecksAndMembers() {
        assertThat(http().put("/v1/agent/service/register", "{\"Name\":\"fa-local\",\"ID\":\"fa-local-1\",\"Port\":9000,"
                + "\"Tags\":[\"x\"],\"Check\":{\"TTL\":\"30s\"}}").status()).isEqualTo(200);
        assertThat(http().put("/v1/agent/service/register", "{\"Name\":\"fa-other\",\"Port\":9001}").status()).isEqualTo(200);
        JsonNode svcs = http().get("/v1/agent/services?" + f("Service == \"fa-local\"")).json();
        assertThat(Http.fieldNames(svcs)).containsExactly("fa-local-1");
        JsonNode checks = http().get("/v1/agent/checks?" + f("ServiceID == \"fa-local-1\"")).json();
        assertThat(Http.fieldNames(checks)).containsExactly("service:fa-local-1");
        JsonNode members = http().get("/v1/agent/members?" + f("Name == \"test-node\" and Tags.role == consul")).json();
        assertThat(texts(members, "Name")).containsExactly("test-node");
        assertThat(http().get("/v1/agent/members?" + f("Tags.role == nobody")).json()).isEmpty();
    }

    @Test
    void badFiltersAre400WithConsulsMessage() {
        for (String path : List.of("/v1/catalog/nodes?" + f("Nope == 1"), "/v1/catalog/services?" + f("ServiceName =="),
                "/v1/health/service/web?" + f("Service.Tags == v1"), "/v1/agent/services?" + f("ServiceName == x"),
                "/v1/agent/members?" + f("(Name == a"), "/v1/catalog/service/web?" + f("ServicePort == abc"))) {
            Reply r = http().get(path).assertOneLineError(400);
            assertThat(r.text()).as(path).startsWith("Failed to create boolean expression evaluator: ");
        }
        assertThat(http().get("/v1/catalog/nodes?" + f("Nope == 1")).text().strip())
                .isEqualTo("Failed to create boolean expression evaluator: Selector \"Nope\" is not valid");
        assertThat(http().get("/v1/catalog/nodes?" + f("Node == ")).text()).contains("1:9 (8)");
        assertThat(http().get("/v1/catalog/nodes?filter=").status()).isEqualTo(200);
        // Fields Consul has and Roster does not answer are valid selectors that read as absent.
        JsonNode noProxy = http().get("/v1/health/service/web?" + f("Service.Proxy is empty and Service.PeerName == \"\"")).json();
        assertThat(noProxy).hasSize(2);
        assertThat(http().get("/v1/catalog/service/web?" + f("ServiceConnect.Native == true")).json()).isEmpty();
    }

    /** Sends a blocking GET and returns once the agent has parked it. */
    private static CompletableFuture<Reply> parkedGet(String path) {
        long before = AGENT.parked();
        CompletableFuture<Reply> fut = http().getAsync(path);
        await().atMost(AWAIT).until(() -> AGENT.parked() > before || fut.isDone());
        assertThat(fut).as("answered at once instead of parking: " + path).isNotDone();
        return fut;
    }

    @Test
    void filteredBlockingHealthReadWakesOnAChangeAndAnswersTheFilteredSet() {
        String path = "/v1/health/service/fb?" + f("Service.Meta.color == red");
        register(node("fb-1", "10.9.1.1", "{}", "{\"ID\":\"fb-1\",\"Service\":\"fb\",\"Port\":1,\"Meta\":{\"color\":\"blue\"}}"));
        Reply first = http().get(path);
        assertThat(first.json()).isEmpty();
        CompletableFuture<Reply> parked = parkedGet(path + "&index=" + first.index() + "&wait=5s");
        register(node("fb-2", "10.9.1.2", "{}", "{\"ID\":\"fb-2\",\"Service\":\"fb\",\"Port\":2,\"Meta\":{\"color\":\"red\"}}"));
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.index()).isGreaterThan(first.index());
        assertThat(woken.json()).hasSize(1);
        assertThat(woken.json().get(0).get("Service").get("ID").asText()).isEqualTo("fb-2");
    }

    /**
     * The bug of issue 21: {@code /v1/catalog/services?node-meta=} watched the node table and
     * reported the service table's index, so every blocking read answered at once. It must park
     * across a registration on a node that does not match and wake on one that does.
     */
    @Test
    void nodeMetaBlockingServicesReadParksAcrossUnrelatedRegistrations() {
        String matching = "{\"zone\":\"z9\"}";
        register(node("nm-1", "10.9.2.1", matching, "{\"ID\":\"nm-a\",\"Service\":\"nm-a\",\"Port\":1}"));
        register(node("nm-2", "10.9.2.2", "{\"zone\":\"z1\"}", "{\"ID\":\"nm-b\",\"Service\":\"nm-b\",\"Port\":1}"));
        String path = "/v1/catalog/services?node-meta=zone:z9";
        Reply first = http().get(path).assertReadHeaders();
        assertThat(Http.fieldNames(first.json())).containsExactly("nm-a");

        // An unrelated registration (a new service on the non-matching node) neither wakes it nor moves its index.
        CompletableFuture<Reply> quiet = parkedGet(path + "&index=" + first.index() + "&wait=1s");
        register(node("nm-2", "10.9.2.2", "{\"zone\":\"z1\"}", "{\"ID\":\"nm-c\",\"Service\":\"nm-c\",\"Port\":1}"));
        Reply after = Http.join(quiet).assertReadHeaders();
        assertThat(after.index()).isEqualTo(first.index());
        assertThat(Http.fieldNames(after.json())).containsExactly("nm-a");

        // Asked again with the index it reported, it parks again (the old code answered at once, in a loop).
        CompletableFuture<Reply> parked = parkedGet(path + "&index=" + after.index() + "&wait=5s");
        register(node("nm-1", "10.9.2.1", matching, "{\"ID\":\"nm-d\",\"Service\":\"nm-d\",\"Port\":1,\"Tags\":[\"t\"]}"));
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.index()).isGreaterThan(after.index());
        assertThat(Http.fieldNames(woken.json())).containsExactlyInAnyOrder("nm-a", "nm-d");

        // A node that stops matching wakes it too, and the index does not go down.
        CompletableFuture<Reply> leaving = parkedGet(path + "&index=" + woken.index() + "&wait=5s");
        register(node("nm-1", "10.9.2.1", "{\"zone\":\"z2\"}", null));
        Reply gone = Http.join(leaving).assertReadHeaders();
        assertThat(gone.index()).isGreaterThan(woken.index());
        assertThat(gone.json()).isEmpty();
    }

    /** {@code /v1/health/state/<s>?node-meta=} combines checks and nodes: a node that starts matching wakes it. */
    @Test
    void nodeMetaBlockingHealthStateWakesWhenANodeStartsMatching() {
        register("{\"Node\":\"hs-1\",\"Address\":\"10.9.3.1\",\"NodeMeta\":{\"tier\":\"gold\"},"
                + "\"Check\":{\"CheckID\":\"hs-1-disk\",\"Name\":\"disk\",\"Status\":\"warning\"}}");
        register("{\"Node\":\"hs-2\",\"Address\":\"10.9.3.2\",\"NodeMeta\":{\"tier\":\"tin\"},"
                + "\"Check\":{\"CheckID\":\"hs-2-disk\",\"Name\":\"disk\",\"Status\":\"warning\"}}");
        String path = "/v1/health/state/warning?node-meta=tier:gold&" + f("CheckID matches \"^hs-\"");
        Reply first = http().get(path).assertReadHeaders();
        assertThat(texts(first.json(), "CheckID")).containsExactly("hs-1-disk");
        CompletableFuture<Reply> parked = parkedGet(path + "&index=" + first.index() + "&wait=5s");
        register("{\"Node\":\"hs-2\",\"Address\":\"10.9.3.2\",\"NodeMeta\":{\"tier\":\"gold\"}}");
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.index()).isGreaterThan(first.index());
        assertThat(texts(woken.json(), "CheckID")).containsExactlyInAnyOrder("hs-1-disk", "hs-2-disk");
    }
}
