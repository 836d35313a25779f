package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.acl.AclSettings;
import io.roster.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ACLs on a 3-server Raft cluster (Apache Ratis over gRPC on 127.0.0.1): a policy and a token
 * written through the leader are enforced by every server, and still after the leader is stopped
 * and another is elected, which also takes over the leader's ACL duties (a new token works).
 */
class AclClusterTest {
    static final String MGMT = "5c0d2a8e-0000-4000-8000-0000000c1a57";

    @RegisterExtension
    static final RosterExtension CLUSTER = RosterExtension.cluster(3).withoutDns()
            .configure(b -> b.acl(new AclSettings(true, "deny", "extend-cache", null, null, false, false, MGMT, "", "", "", "")));

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record R(int status, String body) {
    }

    static R call(Agent a, String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(a.httpAddress() + path)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("X-Consul-Token", token);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new R(r.statusCode(), r.body());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path, e);
        }
    }

    private static String[] token(Agent leader, String policy, String rules) throws Exception {
        assertThat(call(leader, "PUT", "/v1/acl/policy", MGMT, Json.writeString(Map.of("Name", policy, "Rules", rules))).status())
                .isEqualTo(200);
        R t = call(leader, "PUT", "/v1/acl/token", MGMT, Json.writeString(Map.of("Policies", List.of(Map.of("Name", policy)))));
        assertThat(t.status()).as(t.body()).isEqualTo(200);
        var n = Json.mapper().readTree(t.body());
        return new String[] {n.get("AccessorID").asText(), n.get("SecretID").asText()};
    }

    /** On every live server: the token may write under app/ and nothing else; no token may do nothing. */
    private static void enforcedEverywhere(List<Agent> servers, String[] t) {
        for (Agent a : servers) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(call(a, "GET", "/v1/kv/app/k?stale", t[1], null).status()).as(a.config().nodeName()).isEqualTo(200));
            R other = call(a, "GET", "/v1/kv/other?stale", t[1], null);
            assertThat(other.status()).isEqualTo(403);
            assertThat(other.body().strip()).isEqualTo("Permission denied: token with AccessorID '" + t[0]
                    + "' lacks permission 'key:read' on \"other\"");
            assertThat(call(a, "GET", "/v1/kv/app/k?stale", null, null).status()).isEqualTo(403);
        }
    }

    @Test
    void enforcementSurvivesALeaderChange() throws Exception {
        Agent leader = CLUSTER.leader();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> call(leader, "GET", "/v1/acl/token/self", MGMT, null).status() == 200);
        String[] t = token(leader, "cl-app", "key_prefix \"app/\" { policy = \"write\" }");
        assertThat(call(leader, "PUT", "/v1/kv/app/k", t[1], "v").status()).isEqualTo(200);
        enforcedEverywhere(CLUSTER.agents(), t);

        int old = CLUSTER.agents().indexOf(leader);
        CLUSTER.stop(old);
        Agent next = CLUSTER.leader();
        assertThat(next).isNotSameAs(leader);
        List<Agent> live = CLUSTER.agents().stream().filter(a -> a != leader).toList();
        enforcedEverywhere(live, t);
        assertThat(call(next, "PUT", "/v1/kv/app/k", t[1], "w").status()).isEqualTo(200);
        assertThat(call(next, "PUT", "/v1/kv/other", t[1], "w").status()).isEqualTo(403);
        // The new leader writes ACLs too: a token made now is enforced by the remaining servers.
        String[] t2 = token(next, "cl-app2", "key_prefix \"app/\" { policy = \"read\" }");
        for (Agent a : live) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(call(a, "GET", "/v1/kv/app/k?stale", t2[1], null).status()).isEqualTo(200));
            assertThat(call(a, "PUT", "/v1/kv/app/k", t2[1], "x").status()).isEqualTo(403);
        }
    }
}
