package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.acl.AclSettings;
import io.roster.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ACL system over HTTP on a dev agent with {@code acl { enabled = true, default_policy = "deny",
 * tokens { initial_management = ... } }}: Consul's token, policy and role endpoints, the bootstrap
 * refusal, the three ways to present a token, Consul's 403 texts, filtered lists, and an
 * authorization matrix generated from the route table itself (every route and method, with no
 * token, a read-only token, a token that may write one KV prefix, and a management token).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class AclApiTest {
    /** Every secret the tests saw: none may appear in a log line. */
    static final Set<String> SECRETS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS =
            new ch.qos.logback.core.read.ListAppender<>();
    static ch.qos.logback.classic.Level rootLevel;

    static final String MGMT = "5c0d2a8e-0000-4000-8000-00000000a11c";

    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev(b -> b.acl(new AclSettings(true, "deny", "extend-cache", null, null,
            false, false, MGMT, "", "", "", "")));

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record R(int status, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    static R call(String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(AGENT.agent().httpAddress() + path))
                    .timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("X-Consul-Token", token);
            }
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new R(r.statusCode(), r.headers().map(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static R mgmt(String method, String path, String body) {
        return call(method, path, MGMT, body);
    }

    static JsonNode ok(R r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @BeforeAll
    static void captureEveryLogLine() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        LOGS.start();
        root.addAppender(LOGS);
        SECRETS.add(MGMT);
    }

    @org.junit.jupiter.api.AfterAll
    static void stopCapturing() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(LOGS);
        root.setLevel(rootLevel);
    }

    @BeforeAll
    static void leaderMadeTheBuiltinsAndTheInitialManagementToken() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(mgmt("GET", "/v1/acl/token/self", null).status()).isEqualTo(200));
    }

    /** A policy, and a token carrying it; returns {AccessorID, SecretID}. */
    static String[] tokenWith(String policyName, String rules) {
        R p = mgmt("PUT", "/v1/acl/policy", Json.writeString(Map.of("Name", policyName, "Rules", rules)));
        if (p.status() != 200) {
            assertThat(p.body()).contains("already exists");
        }
        JsonNode t = ok(mgmt("PUT", "/v1/acl/token", Json.writeString(Map.of("Description", policyName,
                "Policies", List.of(Map.of("Name", policyName))))));
        SECRETS.add(t.get("SecretID").asText());
        return new String[] {t.get("AccessorID").asText(), t.get("SecretID").asText()};
    }

    @Test
    void builtinsExistAndBootstrapIsRefusedWithTheResetIndex() {
        JsonNode self = ok(mgmt("GET", "/v1/acl/token/self", null));
        assertThat(self.get("Description").asText()).isEqualTo("Initial Management Token");
        assertThat(self.get("SecretID").asText()).isEqualTo(MGMT);
        assertThat(self.get("Policies").get(0).get("Name").asText()).isEqualTo("global-management");
        JsonNode gm = ok(mgmt("GET", "/v1/acl/policy/name/global-management", null));
        assertThat(gm.get("ID").asText()).isEqualTo("00000000-0000-0000-0000-000000000001");
        JsonNode anon = ok(mgmt("GET", "/v1/acl/token/00000000-0000-0000-0000-000000000002", null));
        assertThat(anon.get("SecretID").asText()).isEqualTo("anonymous");

        R again = call("PUT", "/v1/acl/bootstrap", null, null);
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.body().strip()).matches("Permission denied: ACL bootstrap no longer allowed \\(reset index: \\d+\\)");

        assertThat(mgmt("DELETE", "/v1/acl/policy/00000000-0000-0000-0000-000000000001", null).body())
                .contains("Delete operation not permitted on the builtin global-management policy");
    }

    @Test
    void tokensPoliciesAndRolesThroughTheirLifecycle() {
        JsonNode p = ok(mgmt("PUT", "/v1/acl/policy", Json.writeString(Map.of("Name", "life-kv", "Description", "d",
                "Rules", "key_prefix \"life/\" {\n  policy = \"write\"\n}"))));
        String pid = p.get("ID").asText();
        assertThat(p.get("Hash").asText()).isNotEmpty();
        assertThat(p.get("CreateIndex").asLong()).isPositive();
        assertThat(ok(mgmt("GET", "/v1/acl/policy/" + pid, null)).get("Rules").asText()).contains("life/");
        JsonNode list = ok(mgmt("GET", "/v1/acl/policies", null));
        assertThat(list.findValuesAsText("Name")).contains("life-kv", "global-management");
        assertThat(list.get(0).has("Rules")).as("the list is stubs").isFalse();

        R bad = mgmt("PUT", "/v1/acl/policy", Json.writeString(Map.of("Name", "bad", "Rules", "key \"x\" {\n policy = \"maybe\"\n}")));
        assertThat(bad.status()).isEqualTo(500);
        assertThat(bad.body().strip()).isEqualTo("Failed to parse ACL rules: line 1: Invalid key policy: \"maybe\"");
        assertThat(mgmt("PUT", "/v1/acl/policy", Json.writeString(Map.of("Name", "life-kv"))).body())
                .contains("Invalid Policy: A Policy with Name \"life-kv\" already exists");

        JsonNode role = ok(mgmt("PUT", "/v1/acl/role", Json.writeString(Map.of("Name", "life-role",
                "Policies", List.of(Map.of("Name", "life-kv"))))));
        assertThat(role.get("Policies").get(0).get("ID").asText()).isEqualTo(pid);
        assertThat(ok(mgmt("GET", "/v1/acl/role/name/life-role", null)).get("ID").asText()).isEqualTo(role.get("ID").asText());

        JsonNode tok = ok(mgmt("PUT", "/v1/acl/token", Json.writeString(Map.of("Description", "via role",
                "Roles", List.of(Map.of("Name", "life-role"))))));
        String accessor = tok.get("AccessorID").asText();
        String secret = tok.get("SecretID").asText();
        SECRETS.add(secret);
        assertThat(tok.get("Roles").get(0).get("Name").asText()).isEqualTo("life-role");
        assertThat(tok.get("CreateTime").asText()).isNotEmpty();

        // The token works through its role's policy, in the three ways a client may send it.
        assertThat(call("PUT", "/v1/kv/life/a", secret, "v").status()).isEqualTo(200);
        assertThat(call("GET", "/v1/kv/life/a?token=" + secret, null, null).status()).isEqualTo(200);
        R bearer;
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(AGENT.agent().httpAddress() + "/v1/kv/life/a"))
                    .header("Authorization", "Bearer " + secret).build(), HttpResponse.BodyHandlers.ofString());
            bearer = new R(r.statusCode(), r.headers().map(), r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(bearer.status()).isEqualTo(200);
        R denied = call("PUT", "/v1/kv/elsewhere", secret, "v");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body().strip()).isEqualTo("Permission denied: token with AccessorID '" + accessor
                + "' lacks permission 'key:write' on \"elsewhere\"");

        assertThat(ok(mgmt("GET", "/v1/acl/tokens?role=" + role.get("ID").asText(), null)).findValuesAsText("AccessorID"))
                .containsExactly(accessor);
        assertThat(ok(call("GET", "/v1/acl/token/self", secret, null)).get("AccessorID").asText()).isEqualTo(accessor);

        JsonNode updated = ok(mgmt("PUT", "/v1/acl/token/" + accessor, Json.writeString(Map.of("Description", "renamed",
                "Policies", List.of(Map.of("ID", pid))))));
        assertThat(updated.get("SecretID").asText()).isEqualTo(secret);
        assertThat(updated.get("Description").asText()).isEqualTo("renamed");
        assertThat(mgmt("PUT", "/v1/acl/token/" + accessor, Json.writeString(Map.of("SecretID", "3b5a0d1c-0000-4000-8000-000000000000")))
                .body()).contains("Changing a tokens SecretID is not permitted");

        JsonNode clone = ok(mgmt("PUT", "/v1/acl/token/" + accessor + "/clone", Json.writeString(Map.of("Description", "copy"))));
        assertThat(clone.get("AccessorID").asText()).isNotEqualTo(accessor);
        assertThat(clone.get("Policies").get(0).get("ID").asText()).isEqualTo(pid);

        assertThat(ok(mgmt("DELETE", "/v1/acl/token/" + accessor, null)).asBoolean()).isTrue();
        R gone = call("GET", "/v1/kv/life/a", secret, null);
        assertThat(gone.status()).isEqualTo(403);
        assertThat(gone.body().strip()).isEqualTo("ACL not found");
        assertThat(mgmt("GET", "/v1/acl/token/" + accessor, null).body().strip()).isEqualTo("ACL not found");
        assertThat(ok(mgmt("DELETE", "/v1/acl/role/" + role.get("ID").asText(), null)).asBoolean()).isTrue();
        assertThat(ok(mgmt("DELETE", "/v1/acl/token/" + clone.get("AccessorID").asText(), null)).asBoolean()).isTrue();
        assertThat(ok(mgmt("DELETE", "/v1/acl/policy/" + pid, null)).asBoolean()).isTrue();
    }

    @Test
    void anonymousAndUnknownTokensGetConsulsTexts() {
        R anon = call("GET", "/v1/kv/some/key", null, null);
        assertThat(anon.status()).isEqualTo(403);
        assertThat(anon.body().strip()).isEqualTo("Permission denied: token with AccessorID "
                + "'00000000-0000-0000-0000-000000000002' lacks permission 'key:read' on \"some/key\"");
        R unknown = call("GET", "/v1/kv/some/key", "7a7a7a7a-0000-4000-8000-000000000000", null);
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.body().strip()).isEqualTo("ACL not found");
        assertThat(call("GET", "/v1/operator/raft/configuration", null, null).body().strip())
                .isEqualTo("Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'operator:read'");
        assertThat(call("GET", "/v1/status/leader", null, null).status()).isEqualTo(200);
    }

    @Test
    void listsAreFilteredAndSayTheyWere() {
        mgmt("PUT", "/v1/kv/flt/app/one", "1");
        mgmt("PUT", "/v1/kv/flt/app/two", "2");
        mgmt("PUT", "/v1/kv/flt/other", "3");
        String[] t = tokenWith("flt-reader", "key_prefix \"flt/app/\" { policy = \"read\" }\nservice_prefix \"consul\" { policy = \"read\" }");
        R r = call("GET", "/v1/kv/flt/?recurse", t[1], null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().findValuesAsText("Key")).containsExactly("flt/app/one", "flt/app/two");
        assertThat(r.headers().get("X-Consul-Results-Filtered-By-ACLs")).containsExactly("true");
        R keys = call("GET", "/v1/kv/flt/app/?keys", t[1], null);
        assertThat(keys.json().toString()).isEqualTo("[\"flt/app/one\",\"flt/app/two\"]");
        assertThat(keys.headers()).doesNotContainKey("X-Consul-Results-Filtered-By-ACLs");
        JsonNode services = ok(call("GET", "/v1/catalog/services", t[1], null));
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).allMatch(n -> n.startsWith("consul"));
        assertThat(ok(call("GET", "/v1/catalog/nodes", t[1], null))).as("no node:read").isEmpty();
    }

    @Test
    void theAgentsDefaultTokenServesRequestsWithoutOne() {
        mgmt("PUT", "/v1/kv/dflt/k", "v");
        assertThat(call("GET", "/v1/kv/dflt/k", null, null).status()).isEqualTo(403);
        String[] t = tokenWith("dflt-reader", "key_prefix \"dflt/\" { policy = \"read\" }");
        R refused = call("PUT", "/v1/agent/token/default", t[1], Json.writeString(Map.of("Token", t[1])));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("lacks permission 'acl:write'").doesNotContain(t[1]);
        assertThat(mgmt("PUT", "/v1/agent/token/default", Json.writeString(Map.of("Token", t[1]))).status()).isEqualTo(200);
        try {
            assertThat(call("GET", "/v1/kv/dflt/k", null, null).status()).isEqualTo(200);
            assertThat(call("PUT", "/v1/kv/dflt/k", null, "w").body()).contains("token with AccessorID '" + t[0] + "'");
        } finally {
            assertThat(mgmt("PUT", "/v1/agent/token/acl_token", Json.writeString(Map.of("Token", ""))).status()).isEqualTo(200);
        }
        assertThat(call("GET", "/v1/kv/dflt/k", null, null).status()).isEqualTo(403);
        assertThat(mgmt("PUT", "/v1/agent/token/bogus", Json.writeString(Map.of("Token", "x"))).status()).isEqualTo(404);
    }

    @Test
    void aWokenBlockingQueryChecksItsTokenAgain() throws Exception {
        mgmt("PUT", "/v1/kv/blk/k", "1");
        String[] t = tokenWith("blk-reader", "key_prefix \"blk/\" { policy = \"read\" }");
        R first = call("GET", "/v1/kv/blk/k", t[1], null);
        assertThat(first.status()).isEqualTo(200);
        long index = Long.parseLong(first.headers().get("X-Consul-Index").get(0));
        java.util.concurrent.CompletableFuture<R> parked = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> call("GET", "/v1/kv/blk/k?index=" + index + "&wait=20s", t[1], null));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> AGENT.parked() > 0);
        assertThat(ok(mgmt("DELETE", "/v1/acl/token/" + t[0], null)).asBoolean()).isTrue();
        mgmt("PUT", "/v1/kv/blk/k", "2");
        R woken = parked.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(woken.status()).isEqualTo(403);
        assertThat(woken.body().strip()).isEqualTo("ACL not found");
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void noSecretInAnyLogLineOfTheRun() {
        List<String> lines = new ArrayList<>();
        for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(LOGS.list)) {
            StringBuilder b = new StringBuilder(e.getFormattedMessage());
            for (ch.qos.logback.classic.spi.IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                b.append(' ').append(t.getMessage());
            }
            lines.add(b.toString());
        }
        assertThat(lines).as("log lines captured").isNotEmpty();
        assertThat(SECRETS).hasSizeGreaterThan(3);
        for (String secret : SECRETS) {
            assertThat(lines).as("lines with a secret").noneMatch(l -> l.contains(secret));
        }
    }

    // ------------------------------------------------------------------ the matrix

    /** The sample value of a path parameter: a key inside the writer's prefix, anything else a plain name. */
    private static String sample(String param) {
        return param.equals("key") ? "mx/app/k" : "m1";
    }

    private static String concrete(String pattern) {
        return pattern.replaceAll("\\{([a-z_]+)(\\.\\.\\.)?}", "§$1§").replaceAll("§key§", sample("key"))
                .replaceAll("§[a-z_]+§", "m1");
    }

    private static String bodyFor(String path) {
        if (path.equals("/v1/txn")) {
            return "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"mx/other\",\"Value\":\"eA==\"}}]";
        }
        return "{\"Node\":\"m1\",\"Name\":\"m1\",\"Service\":{\"Service\":\"m1\"},\"ServiceID\":\"m1\",\"ID\":\"m1\"}";
    }

    /** Routes a management token must not run in a shared agent (they stop or wipe it). */
    private static final Set<String> DESTRUCTIVE = Set.of("PUT /v1/agent/leave", "POST /v1/agent/leave",
            "PUT /v1/snapshot", "POST /v1/snapshot", "PUT /v1/agent/reload", "POST /v1/agent/reload",
            "DELETE /v1/operator/raft/peer", "PUT /v1/agent/force-leave/{node...}");

    @Test
    void everyRouteOfTheTableUnderFourTokens() {
        String[] reader = tokenWith("mx-reader", String.join("\n",
                "key_prefix \"\" { policy = \"read\" }", "service_prefix \"\" { policy = \"read\"\n intentions = \"read\" }",
                "node_prefix \"\" { policy = \"read\" }", "session_prefix \"\" { policy = \"read\" }",
                "event_prefix \"\" { policy = \"read\" }", "query_prefix \"\" { policy = \"read\" }",
                "agent_prefix \"\" { policy = \"read\" }", "operator = \"read\"", "keyring = \"read\"", "acl = \"read\""));
        String[] writer = tokenWith("mx-writer", "key_prefix \"mx/app/\" { policy = \"write\" }");
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (Route r : AGENT.agent().http().routes().routes()) {
            Acl acl = r.acl();
            if (acl.kind() == Acl.Kind.NONE) {
                continue;
            }
            for (String method : r.methods()) {
                if (method.equals("HEAD")) {
                    continue;
                }
                String path = concrete(r.path());
                String body = method.equals("GET") || method.equals("DELETE") ? null : bodyFor(path);
                boolean writes = acl.kind() == Acl.Kind.MANAGEMENT || acl.needs().stream().anyMatch(n -> n.access().equals("write"));
                boolean kvRoute = path.startsWith("/v1/kv/");
                boolean open = acl.kind() == Acl.Kind.FILTERED || acl.kind() == Acl.Kind.TOKEN;
                // anonymous: everything but lists and token/self is refused
                expect(failures, method, path, null, body, !open, "00000000-0000-0000-0000-000000000002");
                // read-only: reads pass, every write is refused
                expect(failures, method, path, reader[1], body, writes, reader[0]);
                // one KV prefix: only KV under it passes (and the lists, filtered)
                expect(failures, method, path, writer[1], body, !open && !kvRoute, writer[0]);
                if (!DESTRUCTIVE.contains(method + " " + r.path())) {
                    expect(failures, method, path, MGMT, body, false, "");
                }
                checked++;
            }
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isGreaterThan(100);
    }

    private static void expect(List<String> failures, String method, String path, String token, String body,
                               boolean denied, String accessor) {
        R r = call(method, path, token, body);
        boolean was = r.status() == 403 && r.body().startsWith("Permission denied");
        if (was != denied) {
            failures.add(method + " " + path + " as " + (accessor.isEmpty() ? "management" : accessor) + ": "
                    + r.status() + " " + r.body().strip());
        }
        if (was && (!r.body().strip().startsWith("Permission denied: token with AccessorID '" + accessor + "' lacks permission '")
                || r.body().strip().contains("\n") || (token != null && r.body().contains(token)))) {
            failures.add(method + " " + path + ": bad 403 text " + r.body());
        }
    }
}
