package io.roster.agent.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.acl.Rules.Access;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Consul's rule language in HCL and JSON, its errors (one line, naming the line), and how rules combine. */
class RulesTest {
    private static final String HCL = """
            # the app's keys
            key_prefix "app/" {
              policy = "write"
            }
            key "app/secret" { policy = "deny" }
            service_prefix "" { policy = "read" }
            service "web" {
              policy = "write"
              intentions = "read"
            }
            node_prefix "" { policy = "read" }
            session_prefix "" { policy = "write" }
            event_prefix "deploy-" { policy = "write" }
            query "q1" { policy = "read" }
            agent "node1" { policy = "read" }
            operator = "read"
            keyring = "write"
            acl = "read"
            mesh = "read"
            peering = "deny"
            key_prefix "list/" { policy = "list" }
            """;

    private static final String JSON = """
            {
              "key_prefix": {"app/": {"policy": "write"}, "list/": {"policy": "list"}},
              "key": {"app/secret": {"policy": "deny"}},
              "service_prefix": {"": {"policy": "read"}},
              "service": {"web": {"policy": "write", "intentions": "read"}},
              "node_prefix": [{"": {"policy": "read"}}],
              "session_prefix": {"": {"policy": "write"}},
              "event_prefix": {"deploy-": {"policy": "write"}},
              "query": {"q1": {"policy": "read"}},
              "agent": {"node1": {"policy": "read"}},
              "operator": "read", "keyring": "write", "acl": "read", "mesh": "read", "peering": "deny"
            }
            """;

    @Test
    void hclAndJsonGiveTheSameRules() {
        Map<String, Access> hcl = Rules.describe(Rules.parse(HCL));
        Map<String, Access> json = Rules.describe(Rules.parse(JSON));
        assertThat(hcl).containsEntry("key_prefix \"app/\"", Access.WRITE).containsEntry("key \"app/secret\"", Access.DENY)
                .containsEntry("service \"web\"", Access.WRITE).containsEntry("operator", Access.READ)
                .containsEntry("peering", Access.DENY).containsEntry("key_prefix \"list/\"", Access.LIST)
                .containsEntry("intention \"web\"", Access.READ).hasSize(16);
        assertThat(json).isEqualTo(hcl);
    }

    @Test
    void emptyRulesGrantNothing() {
        assertThat(Rules.parse("")).isEmpty();
        assertThat(Rules.parse("  \n# only a comment\n")).isEmpty();
        assertThat(Authorizer.of(Rules.parse(""), false).allowed("key", "x", "read")).isFalse();
        assertThat(Authorizer.of(Rules.parse(""), true).allowed("key", "x", "write")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "key_prefix \"a/\" {\\n  policy = \"wrte\"\\n}|Failed to parse ACL rules: line 1: Invalid key policy: \"wrte\"",
        "operator = \"read\"\\nservice \"x\" { policy = \"list\" }|Failed to parse ACL rules: line 2: Invalid service policy: \"list\" (list is only valid for keys)",
        "\\n\\nbogus \"x\" { policy = \"read\" }|Failed to parse ACL rules: line 3: unknown rule \"bogus\"",
        "key \"x\" {\\n  policy = \"read\"\\n  color = \"blue\"\\n}|Failed to parse ACL rules: line 3: unknown field \"color\" in key \"x\"",
        "key \"x\" {\\n  policy = \"read\"\\n|Failed to parse ACL rules: line 3: unclosed block: expected '}'",
        "key \"x\" { }|Failed to parse ACL rules: line 1: key \"x\" has no policy",
        "operator \"x\" { policy = \"read\" }|Failed to parse ACL rules: line 1: operator takes a policy string: operator = \"read\"",
        "key = \"read\"|Failed to parse ACL rules: line 1: key needs a name and a block: key \"...\" { policy = \"read\" }",
        "node \"n\" { policy = \"read\" intentions = \"read\" }|Failed to parse ACL rules: line 1: intentions are only allowed in service rules",
        "key \"x { policy = \"read\" }|Failed to parse ACL rules: line 1: expected '{' after key \"x { policy = \"",
        "{\\n  \"key\": {\"x\": {\"policy\": \"reed\"}}\\n}|Failed to parse ACL rules: line 2: Invalid key policy: \"reed\"",
        "{\\n  \"key\": {\"x\": {\"policy\": \"read\"}},\\n  \"nope\": \"read\"\\n}|Failed to parse ACL rules: line 3: unknown rule \"nope\"",
        "{\\n  \"key\": {\"x\": {\"policy\": \"read\"}\\n|Failed to parse ACL rules: line 3: Unexpected end-of-input: expected close marker for Object",
    })
    void aBadRuleIsOneLineNamingItsLine(String text, String message) {
        String rules = text.replace("\\n", "\n");
        assertThatThrownBy(() -> Rules.parse(rules)).isInstanceOf(Rules.RuleException.class).hasMessage(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void exactBeatsPrefixLongestPrefixWinsDenyWinsAtEqualLength() {
        Authorizer a = Authorizer.of(Rules.parse(HCL), false);
        assertThat(a.allowed("key", "app/config", "write")).isTrue();
        assertThat(a.allowed("key", "app/secret", "read")).as("exact deny beats the prefix").isFalse();
        assertThat(a.allowed("key", "app/secret/x", "read")).as("an exact rule is not a prefix").isTrue();
        assertThat(a.allowed("key", "other", "read")).as("default deny").isFalse();
        assertThat(a.allowed("service", "web", "write")).isTrue();
        assertThat(a.allowed("service", "db", "write")).isFalse();
        assertThat(a.allowed("service", "db", "read")).isTrue();
        assertThat(a.allowed("event", "deploy-1", "write")).isTrue();
        assertThat(a.allowed("event", "other", "read")).isFalse();
        assertThat(a.allowed("operator", "", "read")).isTrue();
        assertThat(a.allowed("operator", "", "write")).isFalse();
        assertThat(a.allowed("peering", "", "read")).isFalse();
        assertThat(a.allowed("key", "list/a", "list")).isTrue();
        assertThat(a.allowed("key", "list/a", "read")).as("list implies read").isTrue();
        assertThat(a.allowed("key", "list/a", "write")).isFalse();
        assertThat(a.allowed("key", "app/x", "list")).as("write implies list").isTrue();

        Authorizer longest = Authorizer.of(Rules.parse("""
                key_prefix "" { policy = "write" }
                key_prefix "a/" { policy = "deny" }
                key_prefix "a/b/" { policy = "read" }
                """), false);
        assertThat(longest.allowed("key", "z", "write")).isTrue();
        assertThat(longest.allowed("key", "a/z", "read")).isFalse();
        assertThat(longest.allowed("key", "a/b/z", "read")).isTrue();
        assertThat(longest.allowed("key", "a/b/z", "write")).isFalse();

        // Two policies on the same prefix: deny wins; otherwise the stronger grant.
        Authorizer merged = Authorizer.of(List.of(new Rules.Rule("key", "p/", true, Access.WRITE),
                new Rules.Rule("key", "p/", true, Access.DENY), new Rules.Rule("node", "", true, Access.READ),
                new Rules.Rule("node", "", true, Access.WRITE)), true);
        assertThat(merged.allowed("key", "p/x", "read")).isFalse();
        assertThat(merged.allowed("node", "n", "write")).isTrue();
        assertThat(merged.allowed("service", "s", "write")).as("default allow").isTrue();
    }

    @Test
    void theDeniedTextIsConsuls() {
        assertThat(AclError.denied("a1b2", "key", "write", "foo").getMessage())
                .isEqualTo("Permission denied: token with AccessorID 'a1b2' lacks permission 'key:write' on \"foo\"");
        assertThat(AclError.denied("a1b2", "operator", "read", null).getMessage())
                .isEqualTo("Permission denied: token with AccessorID 'a1b2' lacks permission 'operator:read'");
        assertThat(AclError.denied("", "node", "read", "n1").getMessage())
                .isEqualTo("Permission denied: provided token lacks permission 'node:read' on \"n1\"");
    }
}
