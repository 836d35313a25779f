package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v1/agent/self}, {@code /v1/status/*} and the index page. */
class AgentSelfTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev(b -> b.datacenter("dc-test").nodeName("self-node"));

    private static Http http() {
        return AGENT.http();
    }

    @Test
    void selfHasWhatClientsRead() {
        Reply r = http().get("/v1/agent/self");
        assertThat(r.status()).isEqualTo(200);
        JsonNode self = r.json();

        JsonNode cfg = self.get("Config");
        assertThat(cfg.get("Datacenter").asText()).isEqualTo("dc-test");
        assertThat(cfg.get("NodeName").asText()).isEqualTo("self-node");
        assertThat(cfg.get("Server").isBoolean()).isTrue();
        assertThat(cfg.get("Server").asBoolean()).isTrue();
        assertThat(cfg.get("Version").asText()).matches("\\d+\\.\\d+\\.\\d+");
        // Patroni reads it as nanoseconds after an "Invalid Session TTL".
        assertThat(cfg.get("SessionTTLMin").isIntegralNumber()).isTrue();
        assertThat(cfg.get("SessionTTLMin").asLong()).isEqualTo(1_000_000_000L);

        assertThat(self.get("Member").get("Addr").asText()).isEqualTo("127.0.0.1");
        assertThat(self.get("Stats").isObject()).isTrue();
        assertThat(self.get("Meta").isObject()).isTrue();
        assertThat(self.get("DebugConfig").isObject()).isTrue();
        assertThat(self.get("DebugConfig").get("Datacenter").asText()).isEqualTo("dc-test");
    }

    @Test
    void everyTopLevelValueOfSelfIsAnObject() {
        JsonNode self = http().get("/v1/agent/self").json();
        assertThat(self.isObject()).isTrue();
        assertThat(Http.fieldNames(self)).contains("Config", "DebugConfig", "Member", "Stats", "Meta");
        self.fields().forEachRemaining(e ->
                assertThat(e.getValue().isObject()).as("/v1/agent/self " + e.getKey() + " is an object").isTrue());
    }

    @Test
    void selfStatsValuesAreStringMaps() {
        // Go clients decode Stats as map[string]map[string]string.
        JsonNode stats = http().get("/v1/agent/self").json().get("Stats");
        stats.fields().forEachRemaining(section -> {
            assertThat(section.getValue().isObject()).as(section.getKey()).isTrue();
            section.getValue().fields().forEachRemaining(v ->
                    assertThat(v.getValue().isTextual()).as("Stats." + section.getKey() + "." + v.getKey()).isTrue());
        });
    }

    @Test
    void selfIgnoresDcAsConsulDoes() {
        // Consul's AgentSelf never reads ?dc: the local agent answers whatever datacenter is named.
        assertThat(http().get("/v1/agent/self?dc=dc-test").status()).isEqualTo(200);
        Reply other = http().get("/v1/agent/self?dc=dc1");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().path("Config").path("Datacenter").asText()).isEqualTo("dc-test");
    }

    @Test
    void leaderIsAJsonStringHostPort() {
        Reply r = http().get("/v1/status/leader");
        assertThat(r.status()).isEqualTo(200);
        JsonNode leader = r.json();
        assertThat(leader.isTextual()).isTrue();
        // The server port the dev agent bound: 8300 unless another process had it.
        String self = "127.0.0.1:" + AGENT.agent().config().serverPort();
        assertThat(leader.asText()).isEqualTo(self);
        assertThat(AGENT.client().status().leader()).isEqualTo(self);
    }

    @Test
    void peersIsAnArrayHoldingTheLeader() {
        Reply r = http().get("/v1/status/peers");
        assertThat(r.status()).isEqualTo(200);
        JsonNode peers = r.json();
        assertThat(peers.isArray()).isTrue();
        assertThat(peers).extracting(JsonNode::asText).containsExactly("127.0.0.1:" + AGENT.agent().config().serverPort());
    }

    @Test
    void indexPageRedirectsToTheUiOfADevAgent() {
        // A dev agent has the UI on, and Consul then sends / to /ui/ (docs/ui.md).
        Reply r = http().get("/");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/ui/"));
    }

    @Test
    void metricsCountParkedQueries() {
        JsonNode m = http().get("/v1/agent/metrics").json();
        assertThat(m.get("Gauges")).extracting(g -> g.get("Name").asText()).contains("consul.rpc.queries_blocking");
    }
}
