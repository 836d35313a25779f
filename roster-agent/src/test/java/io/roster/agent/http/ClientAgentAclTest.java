package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.acl.AclSettings;
import io.roster.api.Json;
import io.roster.api.testing.TestPorts;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * ACLs on a client agent (neither server nor dev): a real server and a real client agent in this
 * JVM. The client has no ACL tables; it resolves each token through the server RPC's
 * {@code ResolveToken}, caches it for {@code token_ttl}, authorizes its own routes with the result,
 * forwards the caller's token with cluster routes, carries an agent token set at run time on its
 * anti-entropy, and follows {@code down_policy} once the server is gone. Cache expiry is driven
 * by a clock the test moves (no timing assertions).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientAgentAclTest {
    static final String MGMT = "7d4c1a9e-0000-4000-8000-00000000c11e";
    static Agent srv;
    static Agent client;
    static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Tokens the tests made: name → SecretID. */
    static final Map<String, String> SECRETS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static int port() throws IOException {
        return TestPorts.free();
    }

    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS =
            new ch.qos.logback.core.read.ListAppender<>();
    static ch.qos.logback.classic.Level rootLevel;

    @BeforeAll
    static void cluster() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        LOGS.start();
        root.addAppender(LOGS);
        AclSettings serverAcl = new AclSettings(true, "deny", "extend-cache", null, null, false, false, MGMT, "", "", "", "");
        srv = new Agent(AgentConfig.builder().server(true).nodeName("srv").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .serverPort(port()).serfLanPort(port()).httpPort(0).dnsPort(-1)
                .dataDir(Files.createTempDirectory("roster-acl-srv")).bootstrapExpect(1).acl(serverAcl).build()).start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> srv.server().replicator().isLeader() && srv.registered());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> call(srv, "GET", "/v1/acl/token/self", MGMT, null).status() == 200);
        AclSettings clientAcl = new AclSettings(true, "deny", "extend-cache", Duration.ofSeconds(30), Duration.ofSeconds(60),
                false, false, "", "", "", "", "");
        client = new Agent(AgentConfig.builder().nodeName("c1").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(0).serfLanPort(port()).dataDir(Files.createTempDirectory("roster-acl-c1"))
                .retryJoin(List.of(srv.gossip().address())).acl(clientAcl).build()).start();
        client.http().aclResolver().useClock(CLOCK);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> client.servers().servers().size() == 1);
        SECRETS.put("app", token("app-kv", "key_prefix \"app/\" { policy = \"write\" }\nagent_prefix \"\" { policy = \"read\" }"));
        SECRETS.put("web", token("web", "service \"web\" { policy = \"write\" }"));
        SECRETS.put("down", token("down", "agent_prefix \"\" { policy = \"read\" }"));
        SECRETS.put("async", token("async", "agent_prefix \"\" { policy = \"read\" }"));
        SECRETS.put("fresh", token("fresh", "agent_prefix \"\" { policy = \"read\" }"));
        SECRETS.put("agent", token("agent-c1", "node \"c1\" { policy = \"write\" }\nservice_prefix \"\" { policy = \"write\" }"));
    }

    @AfterAll
    static void stop() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(LOGS);
        root.setLevel(rootLevel);
        if (client != null) {
            client.close();
        }
        if (srv != null) {
            srv.close();
        }
    }

    record R(int status, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    static R call(Agent a, String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(a.httpAddress() + path)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("X-Consul-Token", token);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new R(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A policy and a token carrying it, made through the client (forwarded to the server); its SecretID. */
    static String token(String name, String rules) {
        R p = call(client, "PUT", "/v1/acl/policy", MGMT, Json.writeString(Map.of("Name", name, "Rules", rules)));
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        R t = call(client, "PUT", "/v1/acl/token", MGMT, Json.writeString(Map.of("Description", name,
                "Policies", List.of(Map.of("Name", name)))));
        assertThat(t.status()).as(t.body()).isEqualTo(200);
        return t.json().get("SecretID").asText();
    }

    @Test
    @Order(1)
    void theClientsOwnRoutesAreAuthorizedWithTokensTheServerResolved() {
        assertThat(call(client, "GET", "/v1/agent/self", null, null).body()).startsWith("Permission denied");
        assertThat(call(client, "GET", "/v1/agent/self", null, null).status()).isEqualTo(403);
        assertThat(call(client, "GET", "/v1/agent/self", MGMT, null).status()).isEqualTo(200);
        assertThat(call(client, "GET", "/v1/agent/self", SECRETS.get("app"), null).status()).isEqualTo(200);
        R web = call(client, "GET", "/v1/agent/self", SECRETS.get("web"), null);
        assertThat(web.status()).isEqualTo(403);
        assertThat(web.body()).contains("lacks permission 'agent:read'").doesNotContain(SECRETS.get("web"));
        R unknown = call(client, "GET", "/v1/agent/self", "0b7e1a3c-dead-4bee-8f00-000000000000", null);
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.body().strip()).isEqualTo("ACL not found");

        String reg = "{\"Name\":\"web\",\"Port\":8080}";
        assertThat(call(client, "PUT", "/v1/agent/service/register", SECRETS.get("app"), reg).status()).isEqualTo(403);
        assertThat(call(client, "PUT", "/v1/agent/service/register", SECRETS.get("web"), reg).status()).isEqualTo(200);
        // The list of the client's own services is filtered by what the token may read.
        assertThat(call(client, "GET", "/v1/agent/services", SECRETS.get("web"), null).json().has("web")).isTrue();
        assertThat(call(client, "GET", "/v1/agent/services", SECRETS.get("app"), null).json().has("web")).isFalse();
    }

    @Test
    @Order(2)
    void aKvWriteThroughTheClientCarriesTheScopedToken() {
        R ok = call(client, "PUT", "/v1/kv/app/db", SECRETS.get("app"), "postgres://db/app");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(srv.store().kvGet(WatchSet.NONE, "app/db").value()).isNotNull();
        R denied = call(client, "PUT", "/v1/kv/other/db", SECRETS.get("app"), "x");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).contains("lacks permission 'key:write' on \"other/db\"");
        assertThat(srv.store().kvGet(WatchSet.NONE, "other/db").value()).isNull();
        // Without a token a forwarded read runs as the anonymous token on the server, or as the
        // client's default token once one is set (at run time: at once).
        assertThat(call(client, "GET", "/v1/kv/app/db?raw", null, null).status()).isEqualTo(403);
        assertThat(call(client, "PUT", "/v1/agent/token/default", MGMT, Json.writeString(Map.of("Token", SECRETS.get("app"))))
                .status()).isEqualTo(200);
        R read = call(client, "GET", "/v1/kv/app/db?raw", null, null);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("postgres://db/app");
        assertThat(call(client, "GET", "/v1/kv/app/db?raw", SECRETS.get("web"), null).status()).as("a caller's own token wins")
                .isEqualTo(403);
        assertThat(call(client, "PUT", "/v1/agent/token/default", MGMT, Json.writeString(Map.of("Token", ""))).status()).isEqualTo(200);
        assertThat(call(client, "GET", "/v1/kv/app/db?raw", null, null).status()).isEqualTo(403);
    }

    private static org.xbill.DNS.Message dig(String name) throws IOException {
        org.xbill.DNS.SimpleResolver r = new org.xbill.DNS.SimpleResolver("127.0.0.1");
        r.setPort(client.dns().port());
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(org.xbill.DNS.Name.fromString(name),
                org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN)));
    }

    @Test
    @Order(3)
    void theClientsDnsAnswersAsTheClientsDefaultTokenSetAtRunTime() throws Exception {
        // The client's DNS asks the server over the RPC; without a default token: anonymous (deny), nothing found.
        assertThat(dig("consul.service.consul.").getRcode()).isEqualTo(org.xbill.DNS.Rcode.NXDOMAIN);
        assertThat(call(client, "PUT", "/v1/agent/token/default", MGMT, Json.writeString(Map.of("Token", MGMT))).status())
                .isEqualTo(200);
        org.xbill.DNS.Message m = dig("consul.service.consul.");
        assertThat(m.getRcode()).isEqualTo(org.xbill.DNS.Rcode.NOERROR);
        assertThat(m.getSection(org.xbill.DNS.Section.ANSWER)).extracting(r -> r.rdataToString()).containsExactly("127.0.0.1");
        assertThat(call(client, "PUT", "/v1/agent/token/default", MGMT, Json.writeString(Map.of("Token", ""))).status())
                .isEqualTo(200);
        assertThat(dig("consul.service.consul.").getRcode()).isEqualTo(org.xbill.DNS.Rcode.NXDOMAIN);
    }

    @Test
    @Order(4)
    void anAgentTokenSetAtRunTimeCarriesTheAntiEntropyAtOnce() throws Exception {
        // No agent token: the anonymous token (default deny) may not write the catalog.
        assertThatThrownBy(() -> client.antiEntropy().syncNow()).hasMessageContaining("Permission denied");
        R set = call(client, "PUT", "/v1/agent/token/agent", MGMT, Json.writeString(Map.of("Token", SECRETS.get("agent"))));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        client.antiEntropy().syncNow();
        var n = srv.store().node(WatchSet.NONE, "c1").value();
        assertThat(n).isNotNull();
        assertThat(n.services()).anyMatch(s -> s.service().equals("web"));
    }

    @Test
    @Order(5)
    void aCachedTokenIsUsedUntilItsTtlThenAskedAgain() {
        String app = SECRETS.get("app");
        assertThat(call(client, "GET", "/v1/agent/self", app, null).status()).isEqualTo(200); // cached now
        String accessor = call(srv, "GET", "/v1/acl/token/self", app, null).json().get("AccessorID").asText();
        assertThat(call(srv, "DELETE", "/v1/acl/token/" + accessor, MGMT, null).status()).isEqualTo(200);
        assertThat(call(srv, "GET", "/v1/agent/self", app, null).status()).isEqualTo(403); // the server knows at once
        // Within token_ttl (30s; policy_ttl is 60s, the shorter wins) the client answers from its cache, as Consul's does.
        CLOCK.advance(Duration.ofSeconds(29));
        assertThat(call(client, "GET", "/v1/agent/self", app, null).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(2));
        R gone = call(client, "GET", "/v1/agent/self", app, null);
        assertThat(gone.status()).isEqualTo(403);
        assertThat(gone.body().strip()).isEqualTo("ACL not found");
    }

    static void downPolicy(String p) {
        AtomicReference<AclSettings> ref = client.http().aclResolver().settingsRef();
        AclSettings s = ref.get();
        ref.set(new AclSettings(s.enabled(), s.defaultPolicy(), p, s.tokenTtl(), s.policyTtl(), s.enableTokenPersistence(),
                s.enableKeyListPolicy(), s.initialManagement(), s.agentToken(), s.defaultToken(), s.agentRecovery(), s.replication()));
    }

    @Test
    @Order(6)
    void asyncCacheAnswersAnExpiredEntryAtOnceAndRefreshesItBehind() {
        downPolicy("async-cache");
        String async = SECRETS.get("async");
        assertThat(call(client, "GET", "/v1/agent/self", async, null).status()).isEqualTo(200); // cached now
        String accessor = call(srv, "GET", "/v1/acl/token/self", async, null).json().get("AccessorID").asText();
        assertThat(call(srv, "DELETE", "/v1/acl/token/" + accessor, MGMT, null).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(31));
        // Past its TTL: answered from the cache, and asked again in the background...
        assertThat(call(client, "GET", "/v1/agent/self", async, null).status()).isEqualTo(200);
        // ...whose answer (the token is gone) the next requests see.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                call(client, "GET", "/v1/agent/self", async, null).body().strip().equals("ACL not found"));
        downPolicy("extend-cache");
    }

    @Test
    @Order(7)
    void withTheServerGoneDownPolicyDecides() {
        String down = SECRETS.get("down");
        String never = SECRETS.get("fresh"); // a valid token (agent:read) this client never resolved
        assertThat(call(client, "GET", "/v1/agent/self", down, null).status()).isEqualTo(200); // cached now
        srv.close();
        srv = null;
        CLOCK.advance(Duration.ofMinutes(5)); // every cached entry is past its TTL
        // extend-cache (the default): the cached token still works; one not cached gets default_policy (deny).
        assertThat(call(client, "GET", "/v1/agent/self", down, null).status()).isEqualTo(200);
        R unknown = call(client, "GET", "/v1/agent/self", never, null);
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.body()).startsWith("Permission denied");
        // async-cache: the same with the server gone.
        downPolicy("async-cache");
        assertThat(call(client, "GET", "/v1/agent/self", down, null).status()).isEqualTo(200);
        assertThat(call(client, "GET", "/v1/agent/self", never, null).status()).isEqualTo(403);
        // deny: everything is refused, the cached token too.
        downPolicy("deny");
        R refused = call(client, "GET", "/v1/agent/self", down, null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).startsWith("Permission denied").doesNotContain(down);
        assertThat(call(client, "GET", "/v1/agent/self", MGMT, null).status()).isEqualTo(403);
        // allow: everything is allowed, a token nobody knows too.
        downPolicy("allow");
        assertThat(call(client, "GET", "/v1/agent/self", never, null).status()).isEqualTo(200);
        assertThat(call(client, "GET", "/v1/agent/self", null, null).status()).isEqualTo(200);
        downPolicy("extend-cache");
    }

    @Test
    @Order(8)
    void noSecretInAnyLogLineOfTheRun() {
        assertThat(LOGS.list).as("log lines captured").isNotEmpty();
        List<String> secrets = new java.util.ArrayList<>(SECRETS.values());
        secrets.add(MGMT);
        for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(LOGS.list)) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage());
            for (String secret : secrets) {
                assertThat(line).as("a log line of " + e.getLoggerName()).doesNotContain(secret);
            }
        }
    }
}
