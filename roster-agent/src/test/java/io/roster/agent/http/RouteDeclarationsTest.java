package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Walks the real route table of an agent: every route declares its ACL in Consul's rule names
 * (the ACL decorator depends on it: a route without one must fail the build), every route of the
 * agent's own scope is under {@code /v1/agent/}, {@code /v1/event/} or the keyring, and
 * docs/compatibility.md's list of Roster's routes is the table itself.
 */
class RouteDeclarationsTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static final String BEGIN = "<!-- routes:begin (generated from the route table; RouteDeclarationsTest checks it) -->";
    private static final String END = "<!-- routes:end -->";

    private static List<Route> routes() {
        return AGENT.agent().http().routes().routes();
    }

    @Test
    void everyRouteDeclaresAnAclInConsulsRuleNames() {
        List<Route> routes = routes();
        assertThat(routes).hasSizeGreaterThan(60);
        for (Route r : routes) {
            assertThat(r.acl()).as("ACL of %s %s", r.methods(), r.path()).isNotNull();
            // A rule on a per-name resource (key, service, node, session, event, query, agent) must
            // say where the name comes from, or the decorator could not enforce it.
            assertThat(r.acl().problem()).as("ACL of %s %s", r.methods(), r.path()).isNull();
            for (String rule : r.acl().rules()) {
                assertThat(rule.equals("management") || (Acl.RESOURCES.contains(rule.substring(0, Math.max(0, rule.indexOf(':'))))
                        && Acl.ACCESS.contains(rule.substring(rule.indexOf(':') + 1))))
                        .as("rule %s of %s %s", rule, r.methods(), r.path()).isTrue();
            }
            // A write method never needs only read access (a read-only token must not write).
            boolean writes = r.methods().stream().anyMatch(m -> !m.equals("GET") && !m.equals("HEAD"));
            if (writes && !r.acl().rules().isEmpty() && !r.path().startsWith("/v1/connect/")
                    && !r.path().startsWith("/v1/discovery-chain/") && !r.path().startsWith("/v1/agent/connect/")) {
                assertThat(r.acl().rules()).as("ACL of %s %s", r.methods(), r.path())
                        .anyMatch(rule -> rule.endsWith(":write") || rule.equals("management"));
            }
        }
    }

    @Test
    void aDeclarationWithoutANameSourceIsRefusedByTheWalk() {
        assertThat(Acl.of("key:read").problem()).isEqualTo("key:read names no source for its key name");
        assertThat(Acl.of("operator:read").problem()).isNull();
        assertThat(Acl.of("key:read").on(Acl.path("key")).problem()).isNull();
        assertThat(Acl.filtered("node:read").problem()).isNull();
    }

    @Test
    void theAgentsOwnRoutesAreTheOnesAClientAgentAnswersItself() {
        for (Route r : routes()) {
            boolean own = r.path().startsWith("/v1/agent/") || r.path().startsWith("/v1/event/")
                    || r.path().equals("/v1/operator/keyring") || r.path().equals("/");
            assertThat(r.scope()).as("scope of %s", r.path()).isEqualTo(own ? Route.Scope.AGENT : Route.Scope.CLUSTER);
        }
    }

    @Test
    void compatibilityDocListsExactlyTheRouteTable() throws IOException {
        Path doc = repoFile("docs/compatibility.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        String expected = render(routes());
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        String actual = b < 0 || e < b ? "(no generated section)" : text.substring(b + BEGIN.length(), e);
        if (!actual.equals(expected)) {
            Path out = Path.of("target", "routes.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, BEGIN + expected + END + "\n");
        }
        assertThat(actual).as("docs/compatibility.md between the routes markers (expected text in target/routes.md)")
                .isEqualTo(expected);
    }

    /** The table as markdown rows, by path then method. */
    static String render(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing(Route::path).thenComparing(r -> methods(r)));
        StringBuilder b = new StringBuilder("\n| methods | path | ACL required | answered by |\n|---|---|---|---|\n");
        for (Route r : sorted) {
            b.append("| ").append(methods(r)).append(" | `").append(r.path()).append("` | `").append(r.acl())
                    .append("` | ").append(r.scope() == Route.Scope.AGENT ? "each agent" : "servers (a client forwards)")
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String methods(Route r) {
        List<String> order = List.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH");
        List<String> out = new ArrayList<>();
        for (String m : order) {
            if (r.methods().contains(m)) {
                out.add(m);
            }
        }
        return String.join(", ", out);
    }

    private static Path repoFile(String name) {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new AssertionError(name + " not found above " + Path.of("").toAbsolutePath());
    }
}
