package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The route table's matching rules, on its own (no agent): specificity, parameters, 404/405, decorators. */
class RouteTableTest {
    private record Decl(Set<String> methods, String pattern) {
    }

    private static final List<Decl> DECLS = List.of(
            new Decl(Set.of("GET"), "/v1/agent/service/{id...}"),
            new Decl(Set.of("PUT"), "/v1/agent/service/register"),
            new Decl(Set.of("PUT"), "/v1/agent/service/deregister/{id...}"),
            new Decl(Set.of("GET"), "/v1/kv"),
            new Decl(Set.of("GET"), "/v1/kv/{key...}"),
            new Decl(Set.of("PUT"), "/v1/kv/{key...}"),
            new Decl(Set.of("GET"), "/v1/catalog/{what}/x"),
            new Decl(Set.of("GET"), "/v1/catalog/nodes/{name}"),
            new Decl(Set.of("GET"), "/v1/catalog/nodes/{name}/services"),
            new Decl(Set.of("GET", "PUT"), "/v1/{path...}"),
            new Decl(Set.of("GET"), "/"));

    /** A table of {@link #DECLS} in the given order; each handler answers its own pattern. */
    private static RouteTable table(List<Decl> decls) {
        RouteTable.Builder b = RouteTable.builder();
        for (Decl d : decls) {
            b.add(d.methods(), d.pattern(), Acl.none(), Route.Scope.CLUSTER, call -> { });
        }
        return b.build();
    }

    private static String winner(RouteTable t, String method, String path) {
        RouteTable.Match m = t.match(method, path);
        return m.found() ? m.route().path() + " " + m.params() : m.allowed().isEmpty() ? "404" : "405 " + m.allowed();
    }

    @Test
    void mostSpecificMatchWinsWhateverTheDeclarationOrder() {
        List<String[]> cases = List.of(
                new String[] {"GET", "/v1/agent/service/web", "/v1/agent/service/{id...} {id=web}"},
                new String[] {"PUT", "/v1/agent/service/register", "/v1/agent/service/register {}"},
                new String[] {"PUT", "/v1/agent/service/deregister/a/b", "/v1/agent/service/deregister/{id...} {id=a/b}"},
                new String[] {"GET", "/v1/kv", "/v1/kv {}"},
                new String[] {"GET", "/v1/kv/", "/v1/kv/{key...} {key=}"},
                new String[] {"GET", "/v1/kv/a//b/", "/v1/kv/{key...} {key=a//b/}"},
                new String[] {"GET", "/v1/catalog/nodes/x", "/v1/catalog/nodes/{name} {name=x}"},
                new String[] {"GET", "/v1/catalog/nodes/n1/services", "/v1/catalog/nodes/{name}/services {name=n1}"},
                // a literal beats a parameter at the same position
                new String[] {"GET", "/v1/catalog/nodes/x/services", "/v1/catalog/nodes/{name}/services {name=x}"},
                new String[] {"GET", "/v1/catalog/zz/x", "/v1/catalog/{what}/x {what=zz}"},
                // an empty segment is no {name}: the tail takes it
                new String[] {"GET", "/v1/catalog/nodes/", "/v1/{path...} {path=catalog/nodes/}"},
                new String[] {"GET", "/v1/status/leader", "/v1/{path...} {path=status/leader}"},
                new String[] {"GET", "/", "/ {}"},
                new String[] {"GET", "/v2/kv", "404"},
                new String[] {"GET", "", "404"},
                new String[] {"DELETE", "/v1/kv/x", "405 [GET, PUT]"},
                new String[] {"PUT", "/v1/kv", "405 [GET]"},
                new String[] {"DELETE", "/v1/status/leader", "405 [GET, PUT]"});
        RouteTable declared = table(DECLS);
        Random random = new Random(17);
        for (int round = 0; round < 50; round++) {
            List<Decl> shuffled = new ArrayList<>(DECLS);
            Collections.shuffle(shuffled, random);
            RouteTable t = round == 0 ? declared : table(shuffled);
            for (String[] c : cases) {
                assertThat(winner(t, c[0], c[1])).as("%s %s, order %s", c[0], c[1], shuffled).isEqualTo(c[2]);
            }
        }
    }

    @Test
    void aMethodAndPatternDeclaredTwiceIsRefused() {
        RouteTable.Builder b = RouteTable.builder().add(Set.of("GET", "HEAD"), "/v1/kv/{key...}", Acl.of("key:read"),
                Route.Scope.CLUSTER, call -> { });
        assertThatThrownBy(() -> b.add(Set.of("HEAD"), "/v1/kv/{k...}", Acl.of("key:read"), Route.Scope.CLUSTER, call -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared twice");
        b.add(Set.of("PUT"), "/v1/kv/{key...}", Acl.of("key:write"), Route.Scope.CLUSTER, call -> { });
        assertThat(b.build().routes()).hasSize(2);
    }

    @Test
    void malformedPatternsAndAclsAreRefused() {
        assertThatThrownBy(() -> PathPattern.parse("/v1/{rest...}/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPattern.parse("/v1/a{b}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPattern.parse("v1/kv")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Acl.of("kv:read")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Acl.of("key:delete")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTable.builder().add(Set.of("GET"), "/x", null, Route.Scope.AGENT, call -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declares no ACL");
    }

    @Test
    void decoratorsWrapInTheOrderApplied() {
        List<String> ran = new ArrayList<>();
        RouteTable t = RouteTable.builder()
                .add(Set.of("GET"), "/a", Acl.none(), Route.Scope.AGENT, call -> ran.add("handler"))
                .add(Set.of("GET"), "/b", Acl.none(), Route.Scope.CLUSTER, call -> ran.add("handler"))
                .build()
                .decorate(r -> r.scope() == Route.Scope.CLUSTER, (r, next) -> call -> {
                    ran.add("inner " + r.path());
                    next.handle(call);
                })
                .decorate((r, next) -> call -> {
                    ran.add("outer " + r.path());
                    next.handle(call);
                });
        for (String p : List.of("/a", "/b")) {
            RouteTable.Match m = t.match("GET", p);
            try {
                m.route().handler().handle(null);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        assertThat(ran).containsExactly("outer /a", "handler", "outer /b", "inner /b", "handler");
        assertThat(t.match("GET", "/b").route().acl().toString()).isEqualTo("none");
        assertThat(t.match("GET", "/b").params()).isEqualTo(Map.of());
    }
}
