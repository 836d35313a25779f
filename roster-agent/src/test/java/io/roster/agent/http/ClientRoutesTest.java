package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client agent's route table: the same routes as a server's, with forwarding attached as a
 * decorator to every cluster route (and a catch-all for other {@code /v1/} paths), while the
 * agent's own routes are answered here. With no server known, a forwarded route answers Consul's
 * {@code 500 No known Consul servers}; a wrong method is still the table's own 405.
 */
class ClientRoutesTest {
    private static Agent client;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        client = new Agent(AgentConfig.builder().nodeName("lone-client").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(-1).serfLanPort(0).build()).start();
        http = new Http(client.httpAddress());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
    }

    /** A concrete path for a pattern: each parameter becomes {@code x}. */
    private static String concrete(String pattern) {
        return pattern.replaceAll("\\{[a-z_]+(\\.\\.\\.)?}", "x");
    }

    @Test
    void everyClusterRouteIsForwardedAndTheAgentsOwnAreAnsweredHere() {
        List<Route> routes = client.http().routes().routes();
        int forwarded = 0;
        for (Route r : routes) {
            if (r.scope() != Route.Scope.CLUSTER || !r.methods().contains("GET")) {
                continue;
            }
            String path = concrete(r.path());
            Http.Reply reply = http.get(path);
            assertThat(reply.status()).as("GET %s (route %s)", path, r.path()).isEqualTo(500);
            assertThat(reply.text()).as("GET %s", path).isEqualTo("No known Consul servers\n");
            forwarded++;
        }
        assertThat(forwarded).isGreaterThan(25);
        assertThat(http.get("/v1/agent/self").status()).isEqualTo(200);
        assertThat(http.get("/v1/agent/services").status()).isEqualTo(200);
        assertThat(http.get("/").status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAreForwardedAndWrongMethodsAnsweredByTheTable() {
        assertThat(http.get("/v1/query/abc").text()).isEqualTo("No known Consul servers\n");
        Http.Reply r = http.send("PATCH", "/v1/kv/x", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .assertOneLineError(405);
        assertThat(r.header("Allow")).hasValueSatisfying(a -> assertThat(a).contains("GET").contains("PUT").contains("DELETE"));
        http.send("PUT", "/v1/status/leader", null).assertOneLineError(405);
        assertThat(http.get("/v2/kv/x").status()).isEqualTo(404);
    }
}
