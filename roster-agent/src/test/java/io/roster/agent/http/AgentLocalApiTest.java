package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.roster.api.testing.TestPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's own services and checks: registration through the agent, check runners, TTL
 * updates, maintenance, hash blocking, and anti-entropy carrying it all into the catalog.
 */
class AgentLocalApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private Http http() {
        return AGENT.http();
    }

    private void ok(Http.Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private JsonNode catalogCheck(String checkId) {
        for (JsonNode c : http().get("/v1/health/node/test-node").json()) {
            if (c.get("CheckID").asText().equals(checkId)) {
                return c;
            }
        }
        return null;
    }

    @Test
    void ttlCheckFlipsAndReachesTheCatalog() {
        ok(http().put("/v1/agent/service/register", "{\"name\":\"ttl-svc\",\"port\":7000,\"tags\":[\"a\"],"
                + "\"check\":{\"ttl\":\"30s\"}}"));
        JsonNode services = http().get("/v1/agent/services").json();
        assertThat(services.get("ttl-svc").get("Service").asText()).isEqualTo("ttl-svc");
        assertThat(services.get("ttl-svc").get("Datacenter").asText()).isEqualTo("dc1");
        // A single inline check is named service:<id> (Spring Cloud Consul heartbeats rely on it) and starts critical.
        JsonNode checks = http().get("/v1/agent/checks").json();
        assertThat(checks.get("service:ttl-svc").get("Status").asText()).isEqualTo("critical");
        assertThat(checks.get("service:ttl-svc").get("Name").asText()).isEqualTo("Service 'ttl-svc' check");

        ok(http().put("/v1/agent/check/pass/service:ttl-svc?note=all+good"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode c = catalogCheck("service:ttl-svc");
            assertThat(c).isNotNull();
            assertThat(c.get("Status").asText()).isEqualTo("passing");
            assertThat(c.get("Output").asText()).isEqualTo("all good");
        });
        assertThat(http().get("/v1/health/service/ttl-svc?passing").json()).hasSize(1);
        ok(http().put("/v1/agent/check/update/service:ttl-svc", "{\"Status\":\"warning\",\"Output\":\"slow\"}"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(catalogCheck("service:ttl-svc").get("Status").asText()).isEqualTo("warning"));
        ok(http().put("/v1/agent/check/fail/service:ttl-svc"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http().get("/v1/health/service/ttl-svc?passing").json()).isEmpty());
        http().put("/v1/agent/check/pass/no-such-check").assertOneLineError(404);
    }

    @Test
    void httpCheckAgainstALiveAndADeadPort() throws Exception {
        HttpServer live = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        live.createContext("/health", ex -> {
            byte[] b = "ok".getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        live.start();
        int dead = TestPorts.free();
        try {
            ok(http().put("/v1/agent/service/register", "{\"Name\":\"http-live\",\"Port\":" + live.getAddress().getPort()
                    + ",\"Check\":{\"HTTP\":\"http://127.0.0.1:" + live.getAddress().getPort() + "/health\",\"Interval\":\"1s\"}}"));
            ok(http().put("/v1/agent/service/register", "{\"Name\":\"http-dead\",\"Port\":" + dead
                    + ",\"Check\":{\"HTTP\":\"http://127.0.0.1:" + dead + "/health\",\"Interval\":\"1s\",\"Status\":\"passing\"}}"));
            Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(catalogCheck("service:http-live").get("Status").asText()).isEqualTo("passing");
                assertThat(catalogCheck("service:http-dead").get("Status").asText()).isEqualTo("critical");
            });
        } finally {
            live.stop(0);
        }
    }

    @Test
    void maintenanceModeAddsACriticalCheckAndRemovesIt() {
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"maint\",\"Check\":{\"TTL\":\"60s\",\"Status\":\"passing\"}}"));
        ok(http().put("/v1/agent/service/maintenance/maint?enable=true&reason=upgrade"));
        JsonNode m = http().get("/v1/agent/checks").json().get("_service_maintenance:maint");
        assertThat(m.get("Name").asText()).isEqualTo("Service Maintenance Mode");
        assertThat(m.get("Status").asText()).isEqualTo("critical");
        assertThat(m.get("Notes").asText()).isEqualTo("upgrade");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(catalogCheck("_service_maintenance:maint")).isNotNull());
        assertThat(http().get("/v1/agent/health/service/id/maint").status()).isEqualTo(503);
        ok(http().put("/v1/agent/service/maintenance/maint?enable=false"));
        assertThat(http().get("/v1/agent/checks").json().has("_service_maintenance:maint")).isFalse();
        assertThat(http().get("/v1/agent/health/service/id/maint").status()).isEqualTo(200);
        assertThat(http().get("/v1/agent/health/service/id/maint?format=text").text()).isEqualTo("passing");
        assertThat(http().get("/v1/agent/health/service/name/maint").json().get(0).get("AggregatedStatus").asText()).isEqualTo("passing");
        http().put("/v1/agent/service/maintenance/maint").assertOneLineError(400);
        http().put("/v1/agent/service/maintenance/nope?enable=true").assertOneLineError(404);
        assertThat(http().get("/v1/agent/health/service/id/nope").status()).isEqualTo(404);
    }

    @Test
    void aServiceCriticalLongerThanDeregisterCriticalServiceAfterIsRemoved() {
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"doomed\",\"Check\":{\"TTL\":\"60s\","
                + "\"DeregisterCriticalServiceAfter\":\"1s\"}}"));
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"kept\",\"Check\":{\"TTL\":\"60s\",\"Status\":\"passing\","
                + "\"DeregisterCriticalServiceAfter\":\"1s\"}}"));
        assertThat(http().get("/v1/agent/services").json().has("doomed")).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(http().get("/v1/agent/services").json().has("doomed")).isFalse());
        assertThat(http().get("/v1/agent/services").json().has("kept")).isTrue();
    }

    @Test
    void replaceExistingChecksDropsChecksTheNewDefinitionLacks() {
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"rep\",\"Checks\":[{\"TTL\":\"60s\"},{\"TTL\":\"60s\"}]}"));
        assertThat(http().get("/v1/agent/checks").json().has("service:rep:2")).isTrue();
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"rep\",\"Checks\":[{\"CheckID\":\"service:rep:1\",\"TTL\":\"60s\"}]}"));
        assertThat(http().get("/v1/agent/checks").json().has("service:rep:2")).isTrue();
        ok(http().put("/v1/agent/service/register?replace-existing-checks", "{\"Name\":\"rep\",\"Checks\":[{\"CheckID\":\"service:rep:1\",\"TTL\":\"60s\"}]}"));
        assertThat(http().get("/v1/agent/checks").json().has("service:rep:2")).isFalse();
        assertThat(http().get("/v1/agent/checks").json().has("service:rep:1")).isTrue();
    }

    @Test
    void deregisterRemovesFromTheCatalog() {
        ok(http().put("/v1/agent/service/register", "{\"ID\":\"scope/pg-1\",\"Name\":\"pg\",\"Port\":5432}"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http().get("/v1/catalog/service/pg").json()).hasSize(1));
        // Patroni's form: the whole rest of the path is the ID, slashes included.
        ok(http().put("/v1/agent/service/deregister/scope/pg-1"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http().get("/v1/catalog/service/pg").json()).isEmpty());
        http().put("/v1/agent/service/deregister/scope/pg-1").assertOneLineError(404);
    }

    @Test
    void catalogEntriesOfThisNodeThatTheAgentDoesNotKnowAreRemoved() {
        ok(http().put("/v1/catalog/register", "{\"Node\":\"test-node\",\"Address\":\"127.0.0.1\","
                + "\"Service\":{\"ID\":\"stray\",\"Service\":\"stray\"}}"));
        AGENT.agent().antiEntropy().trigger();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http().get("/v1/catalog/service/stray").json()).isEmpty());
        assertThat(http().get("/v1/catalog/service/consul").json()).hasSize(1);
    }

    @Test
    void serviceReadWithHashBlocksUntilTheServiceChanges() {
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"hashed\",\"Port\":1}"));
        Http.Reply first = http().get("/v1/agent/service/hashed");
        String hash = first.header("X-Consul-ContentHash").orElseThrow();
        assertThat(first.json().get("ContentHash").asText()).isEqualTo(hash);
        long parked = AGENT.agent().http().blocking().parked();
        CompletableFuture<Http.Reply> waiting = http().getAsync("/v1/agent/service/hashed?hash=" + hash + "&wait=30s");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> AGENT.agent().http().blocking().parked() > parked);
        ok(http().put("/v1/agent/service/register", "{\"Name\":\"hashed\",\"Port\":2}"));
        Http.Reply r = Http.join(waiting);
        assertThat(r.json().get("Port").asInt()).isEqualTo(2);
        assertThat(r.header("X-Consul-ContentHash").orElseThrow()).isNotEqualTo(hash);
        http().get("/v1/agent/service/nothing").assertOneLineError(404);
    }

    @Test
    void badRegistrationsAreOneLine400s() {
        http().put("/v1/agent/service/register", "{\"Port\":1}").assertOneLineError(400);
        http().put("/v1/agent/service/register", "{\"Name\":\"x\",\"Port\":70000}").assertOneLineError(400);
        http().put("/v1/agent/service/register", "{\"Name\":\"x\",\"Check\":{\"HTTP\":\"http://127.0.0.1:1/\",\"Interval\":\"soon\"}}")
                .assertOneLineError(400);
        http().put("/v1/agent/check/register", "{\"TTL\":\"10s\"}").assertOneLineError(400);
        http().put("/v1/agent/service/register", "{bad").assertOneLineError(400);
        assertThat(http().get("/v1/agent/services").json().has("x")).isFalse();
    }

    @Test
    void sessionsDieWhenTheirCheckTurnsCritical() {
        ok(http().put("/v1/agent/check/register", "{\"Name\":\"guard\",\"TTL\":\"60s\",\"Status\":\"passing\"}"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> catalogCheck("guard") != null);
        String id = http().createSession(java.util.Map.of("Name", "guarded", "Checks", java.util.List.of("serfHealth", "guard"),
                "LockDelay", "0s"));
        assertThat(http().put("/v1/kv/guarded/lock?acquire=" + id, "me").text()).isEqualTo("true");
        ok(http().put("/v1/agent/check/fail/guard"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http().get("/v1/session/info/" + id).json()).isEmpty());
        assertThat(http().get("/v1/kv/guarded/lock").json().get(0).has("Session")).isFalse();
        // A session naming a critical check, or a missing one, is refused.
        assertThat(http().put("/v1/session/create", "{\"Checks\":[\"guard\"]}").assertOneLineError(500).text())
                .contains("critical");
        assertThat(http().put("/v1/session/create", "{\"Checks\":[\"nope\"]}").assertOneLineError(500).text())
                .contains("Missing check");
        assertThat(http().put("/v1/session/create", "{\"Node\":\"elsewhere\"}").assertOneLineError(500).text())
                .contains("Missing node registration");
    }

    @Test
    void metricsInPrometheusAndConsulFormats() {
        http().get("/v1/agent/self");
        String prom = http().get("/v1/agent/metrics?format=prometheus").text();
        assertThat(prom).contains("roster_http_requests_seconds_count").contains("consul_rpc_queries_blocking");
        JsonNode json = http().get("/v1/agent/metrics").json();
        assertThat(json.get("Samples").isArray()).isTrue();
        assertThat(json.get("Gauges").toString()).contains("consul.rpc.queries_blocking");
    }
}
