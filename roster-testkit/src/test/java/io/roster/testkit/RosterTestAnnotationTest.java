package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.CatalogRegistration;
import io.roster.api.NodeService;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.ServiceDefinition;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** {@link RosterTest} with {@code resetAfterEach}: constructor and method injection, and a clean agent for every test. */
@RosterTest(resetAfterEach = true, nodeName = "tk-annotated", dns = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RosterTestAnnotationTest {
    private static RosterExtension started;
    private final RosterClient client;

    RosterTestAnnotationTest(RosterClient client) {
        this.client = client;
    }

    @BeforeAll
    static void remember(RosterExtension roster) {
        started = roster;
        assertThat(roster.dnsPort()).as("dns = false").isEqualTo(-1);
    }

    @Test
    @Order(1)
    void aTestLeavesKvSessionsServicesChecksAndForeignNodesBehind(RosterExtension roster) {
        assertThat(roster).isSameAs(started);
        client.kv().put("tk/a", "1".getBytes());
        client.kv().put("tk/b/c", "2".getBytes());
        client.session().create(Map.of("Name", "tk-session"));
        client.agent().serviceRegister(new ServiceDefinition("web-1", "web", null, List.of("v1"), "127.0.0.1", null,
                Map.of(), 8080, null, null, null, null));
        client.catalog().register(new CatalogRegistration(null, "tk-external", "10.0.0.9", null, Map.of(), Map.of(),
                new NodeService(null, "ext-1", "ext", List.of(), "10.0.0.9", Map.of(), Map.of(), 9000,
                        ServiceDefinition.Weights.DEFAULT, false, null, 0, 0), null, null, null));
        put(roster, "/v1/agent/check/register", "{\"Name\":\"tk-ttl\",\"TTL\":\"30s\"}");
        assertThat(client.agent().checks()).containsKey("tk-ttl");
        assertThat(client.catalog().services(Map.of(), QueryOptions.DEFAULT).value()).containsKeys("web", "ext", "consul");
        assertThat(client.agent().nodeName()).isEqualTo("tk-annotated");
    }

    @Test
    @Order(2)
    void theNextTestSeesAnEmptyAgent() {
        assertThat(client.kv().keys("", null, QueryOptions.DEFAULT).value()).isEmpty();
        assertThat(client.session().list(QueryOptions.DEFAULT).value()).isEmpty();
        assertThat(client.agent().services()).isEmpty();
        assertThat(client.agent().checks()).doesNotContainKey("tk-ttl");
        assertThat(client.catalog().services(Map.of(), QueryOptions.DEFAULT).value().keySet()).isEqualTo(Set.of("consul"));
        assertThat(client.catalog().nodes(Map.of(), QueryOptions.DEFAULT).value())
                .extracting(n -> n.node()).containsExactly("tk-annotated");
    }

    private static void put(RosterExtension roster, String path, String body) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(roster.httpUri().resolve(path))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("PUT %s: %s", path, r.body()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Nested
    class InANestedClass {
        @Test
        void theSameAgentIsInjected(RosterExtension roster) {
            assertThat(roster).isSameAs(started);
            assertThat(roster.agents()).hasSize(1);
        }
    }
}
