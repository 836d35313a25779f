package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclServiceIdentity;
import io.roster.api.AclToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code acl} commands' output and argument parsing, pinned to the layout of Consul's
 * {@code command/acl/*} formatters (labels, padding, indentation, Go's time and hash printing).
 */
class AclFormatTest {
    @TempDir
    Path dir;

    static final AclToken TOKEN = new AclToken("3f2a6a4e-0c9b-4a56-9f0f-6b7f8a1c2d3e", "8c1b2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "app token", List.of(new AclLink("a1b2c3d4-0000-0000-0000-000000000001", "app-kv")),
            List.of(new AclLink("r1", "db-updater")), List.of(new AclServiceIdentity("web", List.of()),
                    new AclServiceIdentity("db", List.of("dc1", "dc2"))),
            List.of(new AclNodeIdentity("node-1", "dc1")), false, null, "2026-12-02T06:00:00Z", null,
            "2026-12-02T05:30:00.1234Z", "AQID/w==", 12, 13);

    @Test
    void tokenPrettyHasConsulsLabelsAndOrder() {
        assertThat(AclFormat.token(TOKEN, false)).isEqualTo("""
                AccessorID:       3f2a6a4e-0c9b-4a56-9f0f-6b7f8a1c2d3e
                SecretID:         8c1b2d3e-4f50-6172-8394-a5b6c7d8e9f0
                Description:      app token
                Local:            false
                Create Time:      2026-12-02 05:30:00.1234 +0000 UTC
                Expiration Time:  2026-12-02 06:00:00 +0000 UTC
                Policies:
                   a1b2c3d4-0000-0000-0000-000000000001 - app-kv
                Roles:
                   r1 - db-updater
                Service Identities:
                   web (Datacenters: all)
                   db (Datacenters: dc1, dc2)
                Node Identities:
                   node-1 (Datacenter: dc1)
                """);
    }

    @Test
    void metaAddsTheHashInHexAndTheIndexes() {
        assertThat(AclFormat.token(TOKEN, true)).contains("""
                Expiration Time:  2026-12-02 06:00:00 +0000 UTC
                Hash:             010203ff
                Create Index:     12
                Modify Index:     13
                Policies:
                """);
    }

    @Test
    void tokenListSeparatesTokensWithABlankLineAndSaysLegacy() {
        AclToken plain = new AclToken("acc-2", "sec-2", "", null, null, null, null, true, null, null, null,
                "2026-12-02T05:30:00+02:00", null, 1, 1);
        String s = AclFormat.tokenList(List.of(plain, plain), false);
        assertThat(s).isEqualTo("""
                AccessorID:       acc-2
                SecretID:         sec-2
                Description:     \s
                Local:            true
                Create Time:      2026-12-02 05:30:00 +0200 +0200
                Legacy:           false

                AccessorID:       acc-2
                SecretID:         sec-2
                Description:     \s
                Local:            true
                Create Time:      2026-12-02 05:30:00 +0200 +0200
                Legacy:           false
                """);
    }

    @Test
    void policyPrettyEndsWithItsRulesAsWritten() {
        AclPolicy p = new AclPolicy("pid", "app-kv", "the app's keys", "key_prefix \"app/\" {\n  policy = \"write\"\n}",
                List.of("dc1", "dc2"), null, 5, 6);
        assertThat(AclFormat.policy(p, false)).isEqualTo("""
                ID:           pid
                Name:         app-kv
                Description:  the app's keys
                Datacenters:  dc1, dc2
                Rules:
                key_prefix "app/" {
                  policy = "write"
                }""");
        assertThat(AclFormat.policyList(List.of(p.stub(), p.stub()), true)).isEqualTo("""
                app-kv:
                   ID:           pid
                   Description:  the app's keys
                   Datacenters:  dc1, dc2
                   Hash:        \s
                   Create Index: 5
                   Modify Index: 6
                app-kv:
                   ID:           pid
                   Description:  the app's keys
                   Datacenters:  dc1, dc2
                   Hash:        \s
                   Create Index: 5
                   Modify Index: 6
                """);
    }

    @Test
    void roleAndRoleList() {
        AclRole r = new AclRole("rid", "app", "", List.of(new AclLink("pid", "app-kv")), List.of(new AclServiceIdentity("web", null)),
                null, null, 1, 2);
        assertThat(AclFormat.role(r, false)).isEqualTo("""
                ID:           rid
                Name:         app
                Description: \s
                Policies:
                   pid - app-kv
                Service Identities:
                   web (Datacenters: all)
                """);
        assertThat(AclFormat.roleList(List.of(r), false)).isEqualTo("""
                app:
                   ID:           rid
                   Description: \s
                   Policies:
                      pid - app-kv
                   Service Identities:
                      web (Datacenters: all)
                """);
    }

    @Test
    void jsonIsGoMarshalIndentWithPascalCaseFields() {
        String j = AclFormat.json(TOKEN);
        assertThat(j).startsWith("{\n    \"AccessorID\": \"3f2a6a4e-0c9b-4a56-9f0f-6b7f8a1c2d3e\",\n    \"SecretID\": ")
                .contains("\n    \"Policies\": [\n        {\n            \"ID\": \"a1b2c3d4-0000-0000-0000-000000000001\",\n            \"Name\": \"app-kv\"\n        }\n    ],")
                .contains("\"ServiceIdentities\"").contains("\"CreateIndex\": 12").endsWith("}");
        assertThatThrownBy(() -> AclFormat.format("yaml")).hasMessage("Unknown format: yaml");
    }

    @Test
    void goTimeStripsTrailingZerosAndKeepsUnparseableText() {
        assertThat(AclFormat.goTime("2026-01-02T03:04:05.120Z")).isEqualTo("2026-01-02 03:04:05.12 +0000 UTC");
        assertThat(AclFormat.goTime("2026-01-02T03:04:05.000000001-04:00")).isEqualTo("2026-01-02 03:04:05.000000001 -0400 -0400");
        assertThat(AclFormat.goTime("")).isEqualTo("0001-01-01 00:00:00 +0000 UTC");
        assertThat(AclFormat.goTime("yesterday")).isEqualTo("yesterday");
    }

    @Test
    void identitiesParseAsConsulsFlagsDo() {
        assertThat(AclFormat.serviceIdentities(List.of("web", "db:dc1, dc2")))
                .containsExactly(new AclServiceIdentity("web", List.of()), new AclServiceIdentity("db", List.of("dc1", "dc2")));
        assertThatThrownBy(() -> AclFormat.serviceIdentities(List.of(":dc1"))).hasMessage("Service identity \":dc1\" must not be empty");
        assertThat(AclFormat.nodeIdentities(List.of("node-1:dc1"))).containsExactly(new AclNodeIdentity("node-1", "dc1"));
        for (String bad : List.of("node-1", "node-1:", ":dc1", "a:b:c")) {
            assertThatThrownBy(() -> AclFormat.nodeIdentities(List.of(bad)))
                    .hasMessage("Node identity \"" + bad + "\" must be of the form NODENAME:DATACENTER");
        }
    }

    @Test
    void rulesComeLiteralFromAFileOrFromStdin() throws IOException {
        String hcl = "key_prefix \"app/\" { policy = \"write\" }\n";
        Path f = dir.resolve("app.hcl");
        Files.writeString(f, hcl);
        assertThat(AclFormat.rules("@" + f, InputStreamOf.empty())).isEqualTo(hcl);
        assertThat(AclFormat.rules("-", new ByteArrayInputStream(hcl.getBytes(StandardCharsets.UTF_8)))).isEqualTo(hcl);
        assertThat(AclFormat.rules(hcl, InputStreamOf.empty())).isEqualTo(hcl);
        assertThat(AclFormat.rules(null, InputStreamOf.empty())).isEmpty();
        assertThatThrownBy(() -> AclFormat.rules("@" + dir.resolve("missing.hcl"), InputStreamOf.empty()))
                .hasMessageStartingWith("Failed to read file: ");
    }

    @Test
    void partialIdsResolveToTheOneTheyName() {
        List<String> ids = List.of("a1b2c3d4-0000-0000-0000-000000000001", "a1b2ffff-0000-0000-0000-000000000002");
        assertThat(AclFormat.fromPartial("a1b2c", "policy", () -> ids)).isEqualTo(ids.get(0));
        assertThatThrownBy(() -> AclFormat.fromPartial("a1b2", "policy", () -> ids)).hasMessage("Partial policy ID is not unique");
        assertThatThrownBy(() -> AclFormat.fromPartial("ffff", "token", () -> ids)).hasMessage("No such token ID with prefix: ffff");
        // A whole UUID is taken as is, without listing (a caller who may read one token need not list them all).
        assertThat(AclFormat.fromPartial("00000000-0000-0000-0000-000000000009", "token", () -> {
            throw new AssertionError("listed");
        })).isEqualTo("00000000-0000-0000-0000-000000000009");
    }

    @Test
    void usageMistakesAreCaughtBeforeAnyRequest() {
        Cli.Result r = Cli.run("acl", "token", "create", "-http-addr", "127.0.0.1:1", "-description", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, -service-identity, or -node-identity");
        r = Cli.run("acl", "token", "list", "-http-addr", "127.0.0.1:1", "-format", "yaml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("Unknown format: yaml");
        r = Cli.run("acl", "set-agent-token", "-http-addr", "127.0.0.1:1", "bogus", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Unknown token type");
        r = Cli.run("acl", "token", "create", "-http-addr", "127.0.0.1:1", "-node-identity", "nodc");
        assertThat(r.err()).startsWith("Node identity \"nodc\" must be of the form NODENAME:DATACENTER");
    }

    /** An empty standard input. */
    static final class InputStreamOf {
        static ByteArrayInputStream empty() {
            return new ByteArrayInputStream(new byte[0]);
        }
    }
}
