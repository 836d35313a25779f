package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.HostAndPort;
import io.roster.api.AclToken;
import io.roster.api.RosterClient;
import io.roster.it.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.AclClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.model.acl.ImmutablePolicy;
import org.kiwiproject.consul.model.acl.ImmutablePolicyLink;
import org.kiwiproject.consul.model.acl.ImmutableRole;
import org.kiwiproject.consul.model.acl.ImmutableRolePolicyLink;
import org.kiwiproject.consul.model.acl.ImmutableToken;
import org.kiwiproject.consul.model.acl.PolicyResponse;
import org.kiwiproject.consul.model.acl.RoleResponse;
import org.kiwiproject.consul.model.acl.TokenResponse;

/**
 * kiwiproject's {@code AclClient} (consul-client 1.12.1) unchanged against a real agent process
 * started with {@code acl { enabled = true, default_policy = "deny" }}: policies, tokens and
 * roles created, read (by ID and by name), listed, updated, cloned and deleted, and the tokens it
 * made doing what their policy says. Bootstrapped with Roster's own client, since kiwiproject has
 * no bootstrap call. Skipped (not passed) while the agent has no {@code /v1/acl} routes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KiwiprojectAclClientTest {
    @TempDir
    static Path dir;
    private static Process agent;
    private static Path log;
    private static int port;
    private static String management;
    private static Consul consul;

    @BeforeAll
    static void start() throws Exception {
        Path conf = dir.resolve("acl.hcl");
        Files.writeString(conf, "acl {\n  enabled = true\n  default_policy = \"deny\"\n}\n");
        port = Ports.free();
        log = dir.resolve("agent.log");
        // This JVM's java and class path (roster-cli is a dependency of this module): no build step before the agent starts.
        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        agent = new ProcessBuilder(javaBin, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.roster.cli.Main", "agent", "-dev", "-node=kiwi-acl",
                "-http-port=" + port, "-dns-port=" + Ports.free(), "-server-port=" + Ports.free(),
                "-serf-lan-port=" + Ports.free(), "-serf-wan-port=" + Ports.free(), "-config-file=" + conf)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RosterClient roster = RosterClient.create("127.0.0.1:" + port);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> !roster.status().leader().isEmpty());
        int status = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/acl/policies")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        Assumptions.assumeTrue(status != 404, "this agent has no /v1/acl routes (the server side of issue 18 is not merged)");
        AclToken boot = roster.acl().bootstrap();
        management = boot.secretId();
        consul = Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", port)).withAclToken(management).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (consul != null) {
            consul.destroy();
        }
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
            if (management != null) {
                assertThat(Files.readString(log)).as("the agent's log").doesNotContain(management);
            }
        }
    }

    @Test
    void policiesTokensAndRoles() {
        AclClient acl = consul.aclClient();
        String rules = "key_prefix \"kiwi/\" {\n  policy = \"write\"\n}\n";
        PolicyResponse policy = acl.createPolicy(ImmutablePolicy.builder().name("kiwi-kv").description("kiwi's keys").rules(rules).build());
        assertThat(policy.id()).hasSize(36);
        assertThat(policy.name()).isEqualTo("kiwi-kv");
        assertThat(acl.readPolicy(policy.id()).name()).isEqualTo("kiwi-kv");
        assertThat(acl.readPolicyByName("kiwi-kv").id()).isEqualTo(policy.id());
        assertThat(acl.listPolicies()).extracting(PolicyResponse::name).contains("global-management", "kiwi-kv");
        PolicyResponse renamed = acl.updatePolicy(policy.id(),
                ImmutablePolicy.builder().name("kiwi-kv2").description("kiwi's keys, v2").rules(rules).build());
        assertThat(renamed.id()).isEqualTo(policy.id());
        assertThat(acl.readPolicy(policy.id()).name()).isEqualTo("kiwi-kv2");

        TokenResponse token = acl.createToken(ImmutableToken.builder().description("kiwi app")
                .addPolicies(ImmutablePolicyLink.builder().id(policy.id()).build()).build());
        assertThat(token.accessorId()).hasSize(36);
        assertThat(token.secretId()).hasSize(36).isNotEqualTo(token.accessorId());
        assertThat(token.policies()).hasSize(1);
        assertThat(token.policies().get(0).name()).contains("kiwi-kv2");
        assertThat(acl.readToken(token.accessorId()).description()).isEqualTo("kiwi app");
        assertThat(acl.listTokens()).extracting(t -> t.accessorId()).contains(token.accessorId());

        // The token does what its policy says, through kiwiproject's KV client.
        Consul app = Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", port)).withAclToken(token.secretId())
                .withPing(false).build();
        try {
            assertThat(app.keyValueClient().putValue("kiwi/config", "1")).isTrue();
            assertThatThrownBy(() -> app.keyValueClient().putValue("other/config", "1")).isInstanceOf(ConsulException.class)
                    .hasMessageContaining("403");
            assertThat(app.aclClient().readSelfToken().accessorId()).isEqualTo(token.accessorId());
        } finally {
            app.destroy();
        }

        TokenResponse updated = acl.updateToken(token.accessorId(), ImmutableToken.builder().description("kiwi app (rotated)")
                .addPolicies(ImmutablePolicyLink.builder().name("kiwi-kv2").build()).build());
        assertThat(updated.accessorId()).isEqualTo(token.accessorId());
        assertThat(updated.description()).isEqualTo("kiwi app (rotated)");
        TokenResponse clone = acl.cloneToken(token.accessorId(), ImmutableToken.builder().description("kiwi clone").build());
        assertThat(clone.accessorId()).isNotEqualTo(token.accessorId());
        assertThat(clone.description()).isEqualTo("kiwi clone");
        assertThat(clone.policies()).hasSize(1);

        RoleResponse role = acl.createRole(ImmutableRole.builder().name("kiwi-role").description("kiwi")
                .addPolicies(ImmutableRolePolicyLink.builder().id(policy.id()).build()).build());
        assertThat(role.id()).hasSize(36);
        assertThat(acl.readRole(role.id()).name()).isEqualTo("kiwi-role");
        assertThat(acl.readRoleByName("kiwi-role").id()).isEqualTo(role.id());
        assertThat(acl.listRoles()).extracting(r -> r.name()).contains("kiwi-role");
        RoleResponse roleUpdated = acl.updateRole(role.id(), ImmutableRole.builder().name("kiwi-role").description("kiwi, v2")
                .addPolicies(ImmutableRolePolicyLink.builder().name("kiwi-kv2").build()).build());
        assertThat(roleUpdated.description()).isEqualTo("kiwi, v2");
        assertThat(roleUpdated.policies()).hasSize(1);

        acl.deleteRole(role.id());
        assertThat(acl.listRoles()).extracting(r -> r.name()).doesNotContain("kiwi-role");
        acl.deleteToken(clone.accessorId());
        acl.deleteToken(token.accessorId());
        assertThat(acl.listTokens()).extracting(t -> t.accessorId()).doesNotContain(token.accessorId(), clone.accessorId());
        acl.deletePolicy(policy.id());
        assertThat(acl.listPolicies()).extracting(PolicyResponse::id).doesNotContain(policy.id());
    }
}
