package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.acl.AclSettings;
import io.roster.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ACLs across datacenters (issue 22 item 5), in one JVM on loopback: {@code dc1} is the primary
 * (its {@code initial_management} token is the only one configured anywhere), {@code dc2} a
 * secondary with {@code enable_token_replication} and {@code dc3} one without, both with the
 * management token as {@code acl.tokens.replication}; a client agent of {@code dc3}. Policies,
 * roles and global tokens written anywhere live in the primary and reach the secondaries by
 * replication; local tokens stay where they were made; a secondary without token replication
 * resolves every token through the primary.
 */
class AclMultiDatacenterTest {
    private static final String MGMT = "4d3c2b1a-0000-4000-8000-00000000beef";
    private static final List<Agent> AGENTS = new ArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Agent dc1;
    private static Agent dc2;
    private static Agent dc3;
    private static Agent client3;

    private static AclSettings acl(String initial, String replication, boolean tokenReplication) {
        return new AclSettings(true, "deny", "extend-cache", null, null, false, false, initial, "", "", "", replication,
                tokenReplication);
    }

    @BeforeAll
    static void start() throws Exception {
        dc1 = start(AgentConfig.builder().dev(true).datacenter("dc1").nodeName("one").httpPort(0).dnsPort(-1)
                .primaryDatacenter("dc1").acl(acl(MGMT, "", false)));
        dc2 = start(AgentConfig.builder().dev(true).datacenter("dc2").nodeName("two").httpPort(0).dnsPort(-1)
                .primaryDatacenter("dc1").acl(acl("", MGMT, true)));
        dc3 = start(AgentConfig.builder().dev(true).datacenter("dc3").nodeName("three").httpPort(0).dnsPort(-1)
                .primaryDatacenter("dc1").acl(acl("", MGMT, false)));
        dc2.wan().join(List.of(dc1.wan().address()));
        dc3.wan().join(List.of(dc1.wan().address()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> dc1.wan().members().size() == 3
                && dc2.wan().members().size() == 3 && dc3.wan().members().size() == 3);
        client3 = start(AgentConfig.builder().datacenter("dc3").nodeName("client-three").bindAddr("127.0.0.1")
                .clientAddr("127.0.0.1").httpPort(0).dnsPort(-1).serfLanPort(0).serfWanPort(-1)
                .primaryDatacenter("dc1").acl(acl("", "", false)).retryJoin(List.of(dc3.gossip().address())));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !client3.servers().servers().isEmpty());
        // The management token exists in dc1 (initial_management) and reaches dc2 by replication.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> call(dc1, "GET", "/v1/acl/token/self", MGMT, null).status == 200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> call(dc2, "GET", "/v1/acl/replication", "", null)
                .json().path("ReplicatedTokenIndex").asLong() > 0);
    }

    private static Agent start(AgentConfig.Builder b) throws Exception {
        Agent a = new Agent(b.build()).start();
        AGENTS.add(a);
        return a;
    }

    @AfterAll
    static void stop() {
        for (int i = AGENTS.size() - 1; i >= 0; i--) {
            AGENTS.get(i).close();
        }
    }

    record Reply(int status, String text) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text, e);
            }
        }
    }

    static Reply call(Agent a, String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(a.httpAddress() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!token.isEmpty()) {
            b.header("X-Consul-Token", token);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A policy (written in {@code where}) and a global token carrying it; returns the token's JSON. */
    private static JsonNode policyAndToken(Agent where, String name, String rules, boolean local) {
        Reply p = call(where, "PUT", "/v1/acl/policy", MGMT, Http.json(java.util.Map.of("Name", name, "Rules", rules)));
        assertThat(p.status).as(p.text).isEqualTo(200);
        String id = p.json().get("ID").asText();
        // A local token names the policy in its own datacenter's tables: wait for the copy (Consul's order too).
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(where, "GET", "/v1/acl/policy/" + id, MGMT, null).status == 200);
        Reply t = call(where, "PUT", "/v1/acl/token", MGMT, Http.json(java.util.Map.of("Description", name,
                "Policies", List.of(java.util.Map.of("Name", name)), "Local", local)));
        assertThat(t.status).as(t.text).isEqualTo(200);
        return t.json();
    }

    @Test
    void replicationStatusIsConsulsInTheSecondariesAndOffInThePrimary() {
        JsonNode s2 = call(dc2, "GET", "/v1/acl/replication", "", null).json();
        assertThat(s2.get("Enabled").asBoolean()).isTrue();
        assertThat(s2.get("Running").asBoolean()).isTrue();
        assertThat(s2.get("SourceDatacenter").asText()).isEqualTo("dc1");
        assertThat(s2.get("ReplicationType").asText()).isEqualTo("tokens");
        assertThat(s2.get("ReplicatedIndex").asLong()).isPositive();
        assertThat(s2.get("LastSuccess").asText()).isNotEqualTo("0001-01-01T00:00:00Z");
        assertThat(Http.fieldNames(s2)).containsExactlyInAnyOrder("Enabled", "Running", "SourceDatacenter", "ReplicationType",
                "ReplicatedIndex", "ReplicatedRoleIndex", "ReplicatedTokenIndex", "LastSuccess", "LastError", "LastErrorMessage");
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode s3 = call(dc3, "GET", "/v1/acl/replication", "", null).json();
            assertThat(s3.get("ReplicationType").asText()).isEqualTo("policies");
            assertThat(s3.get("ReplicatedIndex").asLong()).isPositive();
            assertThat(s3.get("ReplicatedTokenIndex").asLong()).isZero();
        });
        JsonNode s1 = call(dc1, "GET", "/v1/acl/replication", "", null).json();
        assertThat(s1.get("Enabled").asBoolean()).isFalse();
    }

    @Test
    void aPolicyWrittenInASecondaryLivesInThePrimaryAndComesBackByReplication() {
        Reply p = call(dc2, "PUT", "/v1/acl/policy", MGMT, Http.json(java.util.Map.of("Name", "from-dc2",
                "Rules", "key_prefix \"dc2/\" { policy = \"read\" }")));
        assertThat(p.status).as(p.text).isEqualTo(200);
        String id = p.json().get("ID").asText();
        // Written by the primary: there at once.
        assertThat(call(dc1, "GET", "/v1/acl/policy/" + id, MGMT, null).json().get("Name").asText()).isEqualTo("from-dc2");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(dc2, "GET", "/v1/acl/policy/" + id, MGMT, null).status == 200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(dc3, "GET", "/v1/acl/policy/" + id, MGMT, null).status == 200);
        assertThat(call(dc2, "GET", "/v1/acl/policy/" + id, MGMT, null).json().get("Rules").asText()).contains("dc2/");
        // Deleted through a secondary: gone in the primary, then in both secondaries.
        assertThat(call(dc3, "DELETE", "/v1/acl/policy/" + id, MGMT, null).status).isEqualTo(200);
        assertThat(call(dc1, "GET", "/v1/acl/policy/" + id, MGMT, null).status).isEqualTo(403);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(dc2, "GET", "/v1/acl/policy/" + id, MGMT, null).status == 403
                && call(dc3, "GET", "/v1/acl/policy/" + id, MGMT, null).status == 403);
    }

    @Test
    void aGlobalTokenMadeInASecondaryWorksEverywhereAndItsDeleteReachesEveryone() {
        JsonNode t = policyAndToken(dc2, "app-everywhere", "key_prefix \"app/\" { policy = \"write\" }", false);
        String accessor = t.get("AccessorID").asText();
        String secret = t.get("SecretID").asText();
        assertThat(t.get("Local").asBoolean()).isFalse();
        assertThat(call(dc1, "GET", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(200);
        for (Agent a : List.of(dc1, dc2, dc3, client3)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(a, "PUT", "/v1/kv/app/x", secret, "v").status == 200);
            assertThat(call(a, "PUT", "/v1/kv/other/x", secret, "v").status).as("other/ denied").isEqualTo(403);
        }
        // dc2 holds a copy (token replication); dc3 does not (it asks the primary).
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> dc2.server().store().acl()
                .token(io.roster.state.WatchSet.NONE, accessor).value() != null);
        assertThat(dc3.server().store().acl().token(io.roster.state.WatchSet.NONE, accessor).value()).isNull();
        assertThat(call(dc3, "GET", "/v1/acl/token/" + accessor, MGMT, null).json().get("AccessorID").asText()).isEqualTo(accessor);

        assertThat(call(dc2, "DELETE", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(200);
        assertThat(call(dc1, "GET", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(403);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> dc2.server().store().acl()
                .token(io.roster.state.WatchSet.NONE, accessor).value() == null);
        assertThat(call(dc2, "GET", "/v1/kv/app/x", secret, null).status).isEqualTo(403);
        assertThat(call(dc2, "GET", "/v1/kv/app/x", secret, null).text.strip()).isEqualTo("ACL not found");
    }

    @Test
    void aLocalTokenStaysInItsDatacenter() {
        JsonNode t = policyAndToken(dc2, "dc2-local", "key_prefix \"local/\" { policy = \"write\" }", true);
        String accessor = t.get("AccessorID").asText();
        String secret = t.get("SecretID").asText();
        assertThat(t.get("Local").asBoolean()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(dc2, "PUT", "/v1/kv/local/x", secret, "v").status == 200);
        assertThat(call(dc1, "GET", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(403);
        assertThat(call(dc1, "PUT", "/v1/kv/local/x", secret, "v").status).isEqualTo(403);
        // Replication rounds after a later primary write leave it alone.
        long before = call(dc2, "GET", "/v1/acl/replication", "", null).json().get("ReplicatedIndex").asLong();
        assertThat(call(dc1, "PUT", "/v1/acl/policy", MGMT, Http.json(java.util.Map.of("Name", "later",
                "Rules", "node_prefix \"\" { policy = \"read\" }"))).status).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(dc2, "GET", "/v1/acl/replication", "", null)
                .json().get("ReplicatedIndex").asLong() > before);
        assertThat(call(dc2, "GET", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(200);
        // Deleted where it lives.
        assertThat(call(dc2, "DELETE", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(200);
        assertThat(call(dc2, "GET", "/v1/acl/token/" + accessor, MGMT, null).status).isEqualTo(403);
    }

    @Test
    void aSecondaryWithoutTokenReplicationRefusesLocalTokensAndIsNeverBootstrapped() {
        Reply local = call(dc3, "PUT", "/v1/acl/token", MGMT, Http.json(java.util.Map.of("Description", "x", "Local", true)));
        assertThat(local.status).as(local.text).isEqualTo(500);
        assertThat(local.text.strip()).isEqualTo("Local tokens are disabled");
        Reply boot = call(dc2, "PUT", "/v1/acl/bootstrap", "", null);
        assertThat(boot.status).isEqualTo(401);
        assertThat(boot.text.strip()).isEqualTo("ACL support disabled");
        // Token reads in dc3 are the primary's.
        Reply self = call(dc3, "GET", "/v1/acl/token/self", MGMT, null);
        assertThat(self.status).as(self.text).isEqualTo(200);
        assertThat(self.json().get("Description").asText()).isEqualTo("Initial Management Token");
    }
}
