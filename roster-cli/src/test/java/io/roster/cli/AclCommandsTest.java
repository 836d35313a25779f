package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code acl} commands end to end against a real agent process started with
 * {@code acl { enabled = true, default_policy = "deny" }}: bootstrap (once), a policy for an app's
 * KV prefix from {@code -rules @file}, a token for it that may write there and nowhere else, clone,
 * update by ID prefix, roles, {@code set-agent-token}, deletes, and the token taken from the
 * environment and from a token file. The walk is one test because each step needs the previous.
 *
 * <p>Skipped (not passed) while the agent answers {@code /v1/acl/*} with 404, i.e. on a branch
 * without the server side of issue 18.
 */
class AclCommandsTest {
    @TempDir
    static Path dir;
    static RosterProcess agent;
    static String address;
    final Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path conf = dir.resolve("acl.hcl");
        Files.writeString(conf, """
                acl {
                  enabled = true
                  default_policy = "deny"
                  enable_token_persistence = true
                }
                """);
        int http = Ports.free();
        address = "127.0.0.1:" + http;
        agent = RosterProcess.start(Map.of(), "agent", "-dev", "-node", "acl-cli-node", "-http-port", Integer.toString(http),
                "-dns-port", Integer.toString(Ports.free()), "-server-port", Integer.toString(Ports.free()),
                "-serf-lan-port", Integer.toString(Ports.free()), "-serf-wan-port", Integer.toString(Ports.free()),
                "-config-file", conf.toString());
        HttpClient c = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            assertThat(agent.process.isAlive()).as(agent.err()).isTrue();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v1/status/leader")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().length() > 2;
        });
        int acl = c.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v1/acl/policies")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        Assumptions.assumeTrue(acl != 404, "this agent has no /v1/acl routes (the server side of issue 18 is not merged)");
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.kill();
        }
    }

    @AfterEach
    void restore() {
        HttpOptions.env = System::getenv;
    }

    private Cli.Result roster(String... args) {
        return rosterWithStdin("", args);
    }

    private Cli.Result rosterWithStdin(String stdin, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.put("ROSTER_HTTP_ADDR", address);
        HttpOptions.env = e::get;
        return Cli.runWithStdin(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static String field(String out, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + ":\\s+(\\S+)$").matcher(out);
        assertThat(m.find()).as(label + " in\n" + out).isTrue();
        return m.group(1);
    }

    @Test
    void fromBootstrapToAnAppTokenAndBack() throws IOException {
        Cli.Result boot = roster("acl", "bootstrap");
        assertThat(boot.code()).as(boot.toString()).isZero();
        assertThat(boot.out()).contains("Description:      Bootstrap Token (Global Management)")
                .contains("Policies:\n   00000000-0000-0000-0000-000000000001 - global-management");
        String management = field(boot.out(), "SecretID");

        Cli.Result again = roster("acl", "bootstrap");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).startsWith("Failed ACL bootstrapping: Unexpected response code: 403 (")
                .contains("ACL bootstrap no longer allowed").doesNotContain(management);

        // Without a token, default deny.
        Cli.Result anonymous = roster("kv", "put", "app/config", "1");
        assertThat(anonymous.code()).isEqualTo(1);
        assertThat(anonymous.err()).contains("403").contains("Permission denied");

        env.put("CONSUL_HTTP_TOKEN", management);
        Path rules = dir.resolve("app-kv.hcl");
        String hcl = "key_prefix \"app/\" {\n  policy = \"write\"\n}\n";
        Files.writeString(rules, hcl);
        Cli.Result policy = roster("acl", "policy", "create", "-name", "app-kv", "-description", "the app's keys", "-rules", "@" + rules);
        assertThat(policy.code()).as(policy.toString()).isZero();
        assertThat(policy.out()).contains("Name:         app-kv\n").contains("Rules:\n" + hcl);
        String policyId = field(policy.out(), "ID");

        Cli.Result bad = roster("acl", "policy", "create", "-name", "broken", "-rules", "key_prefix \"x\" { policy = \"sometimes\" }");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("Failed to create new policy: Unexpected response code: ");

        Cli.Result list = roster("acl", "policy", "list");
        assertThat(list.out()).contains("global-management:\n   ID:           00000000-0000-0000-0000-000000000001")
                .contains("app-kv:\n   ID:           " + policyId + "\n   Description:  the app's keys");
        JsonNode read = Json.mapper().readTree(roster("acl", "policy", "read", "-name", "app-kv", "-format=json").out());
        assertThat(read.get("ID").asText()).isEqualTo(policyId);
        assertThat(read.get("Rules").asText()).isEqualTo(hcl);
        assertThat(roster("acl", "policy", "read", "-id", policyId.substring(0, 8)).out()).contains("ID:           " + policyId);
        Cli.Result noPolicy = roster("acl", "policy", "read", "-name", "nosuch");
        assertThat(noPolicy.code()).isEqualTo(1);
        assertThat(noPolicy.err()).isEqualTo("Error reading policy \"nosuch\": Unexpected response code: 403 (ACL not found)\n"); // Consul answers a missing name with 403
        assertThat(roster("acl", "policy", "read").err()).isEqualTo("Must specify either the -id or -name parameters\n");

        Cli.Result token = roster("acl", "token", "create", "-description", "app", "-policy-name", "app-kv");
        assertThat(token.code()).as(token.toString()).isZero();
        assertThat(token.out()).contains("Policies:\n   " + policyId + " - app-kv");
        String appAccessor = field(token.out(), "AccessorID");
        String appSecret = field(token.out(), "SecretID");

        env.remove("CONSUL_HTTP_TOKEN");
        assertThat(roster("kv", "put", "-token", appSecret, "app/config", "1").code()).isZero();
        Cli.Result outside = roster("kv", "put", "-token", appSecret, "other/config", "1");
        assertThat(outside.code()).isEqualTo(1);
        assertThat(outside.err()).contains("Permission denied").doesNotContain(appSecret);
        Cli.Result self = roster("acl", "token", "read", "-self", "-token", appSecret);
        assertThat(self.code()).as(self.toString()).isZero();
        assertThat(field(self.out(), "AccessorID")).isEqualTo(appAccessor);

        // The management token from a token file this time.
        Path file = dir.resolve("management.token");
        Files.writeString(file, management + "\n");
        env.put("CONSUL_HTTP_TOKEN_FILE", file.toString());
        Cli.Result updated = roster("acl", "token", "update", "-accessor-id", appAccessor.substring(0, 8), "-description", "app (rotated)");
        assertThat(updated.code()).as(updated.toString()).isZero();
        assertThat(updated.out()).contains("Description:      app (rotated)").contains(policyId + " - app-kv");

        Cli.Result clone = roster("acl", "token", "clone", "-accessor-id", appAccessor, "-description", "app copy");
        assertThat(clone.code()).as(clone.toString()).isZero();
        String cloneAccessor = field(clone.out(), "AccessorID");
        assertThat(cloneAccessor).isNotEqualTo(appAccessor);
        assertThat(clone.out()).contains("Description:      app copy").contains(policyId + " - app-kv");

        Cli.Result expiring = roster("acl", "token", "create", "-description", "short", "-service-identity", "web:dc1",
                "-expires-ttl", "1h", "-meta");
        assertThat(expiring.code()).as(expiring.toString()).isZero();
        assertThat(expiring.out()).contains("Expiration Time:  ").contains("Service Identities:\n   web (Datacenters: dc1)")
                .containsPattern("(?m)^Create Index:     [1-9][0-9]*$");
        JsonNode expiringJson = Json.mapper().readTree(roster("acl", "token", "read", "-accessor-id",
                field(expiring.out(), "AccessorID"), "-format=json").out());
        assertThat(expiringJson.get("ExpirationTime").asText()).isNotEmpty();
        assertThat(expiringJson.get("ServiceIdentities").get(0).get("ServiceName").asText()).isEqualTo("web");

        String widened = "key_prefix \"app/\" {\n  policy = \"write\"\n}\nkey_prefix \"shared/\" {\n  policy = \"read\"\n}\n";
        Cli.Result fromStdin = rosterWithStdin(widened, "acl", "policy", "update", "-name", "app-kv", "-rules", "-");
        assertThat(fromStdin.code()).as(fromStdin.toString()).isZero();
        assertThat(fromStdin.out()).contains("Rules:\n" + widened).contains("Description:  the app's keys");

        Cli.Result tokens = roster("acl", "token", "list");
        assertThat(tokens.out()).contains("AccessorID:       " + appAccessor).contains("AccessorID:       " + cloneAccessor)
                .contains("Legacy:           false");

        Cli.Result role = roster("acl", "role", "create", "-name", "app-role", "-policy-id", policyId.substring(0, 8),
                "-service-identity", "web:dc1");
        assertThat(role.code()).as(role.toString()).isZero();
        assertThat(role.out()).contains("Policies:\n   " + policyId + " - app-kv").contains("web (Datacenters: dc1)");
        String roleId = field(role.out(), "ID");
        assertThat(roster("acl", "role", "list").out()).contains("app-role:\n   ID:           " + roleId);
        Cli.Result roleUpdate = roster("acl", "role", "update", "-id", roleId, "-description", "the app's role");
        assertThat(roleUpdate.out()).contains("Description:  the app's role").contains("web (Datacenters: dc1)");
        assertThat(roster("acl", "role", "read", "-name", "app-role", "-format", "json").out()).contains("\"Name\": \"app-role\"");
        assertThat(roster("acl", "role", "read", "-id", roleId.substring(0, 8)).out()).contains("ID:           " + roleId);
        assertThat(roster("acl", "role", "read", "-name", "nosuch").err()).startsWith("Error reading role \"nosuch\": ");
        assertThat(roster("acl", "role", "read", "-id", "zz").err()).startsWith("Error determining role ID: ");
        Cli.Result roleToken = roster("acl", "token", "create", "-role-name", "app-role");
        assertThat(roleToken.out()).contains("Roles:\n   " + roleId + " - app-role");
        assertThat(roster("acl", "role", "delete", "-name", "app-role").out()).isEqualTo("Role \"" + roleId + "\" deleted successfully\n");
        Cli.Result roleGone = roster("acl", "role", "delete", "-name", "app-role");
        assertThat(roleGone.code()).isEqualTo(1);
        // A missing name is Roster's 403 "ACL not found", passed on as Consul's CLI passes an error on.
        assertThat(roleGone.err()).isEqualTo("Error determining role ID: Unexpected response code: 403 (ACL not found)\n");

        assertThat(roster("acl", "set-agent-token", "agent", management).out()).isEqualTo("ACL token \"agent\" set successfully\n");

        assertThat(roster("acl", "token", "delete", "-accessor-id", cloneAccessor).out())
                .isEqualTo("Token \"" + cloneAccessor + "\" deleted successfully\n");
        Cli.Result gone = roster("acl", "token", "read", "-accessor-id", cloneAccessor);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).startsWith("Error reading token \"" + cloneAccessor + "\": ");

        Cli.Result noPrefix = roster("acl", "policy", "delete", "-id", "zzzz");
        assertThat(noPrefix.code()).isEqualTo(1);
        assertThat(noPrefix.err()).startsWith("Error determining policy ID: ");
        assertThat(roster("acl", "policy", "delete", "-name", "app-kv").out()).isEqualTo("Policy \"" + policyId + "\" deleted successfully\n");
        // With its policy gone the app token grants nothing.
        env.clear();
        assertThat(roster("kv", "put", "-token", appSecret, "app/config", "2").code()).isEqualTo(1);
        assertThat(agent.err() + agent.out()).doesNotContain(management).doesNotContain(appSecret);
    }
}
