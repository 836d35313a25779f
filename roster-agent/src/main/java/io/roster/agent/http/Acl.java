package io.roster.agent.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * What a route needs of a token, in Consul's ACL rule names (the "ACL Required" column of Consul's
 * API docs), and where each rule's resource name comes from: {@code key:read} on the path's key,
 * {@code node:write} on the body's {@code Node}, {@code agent:read} on this agent's node,
 * {@code operator:read} (resource-wide, no name). Kinds:
 * <ul>
 *   <li>rules: every {@link Need} must be allowed, for every name its {@link Name} gives (a name
 *       source that gives no name skips that need: a register without a service needs no
 *       {@code service:write});</li>
 *   <li>{@code filtered}: a list route; any valid token may call it and the endpoint drops what
 *       the token may not read ({@link AclFilter}, {@code X-Consul-Results-Filtered-By-ACLs});</li>
 *   <li>{@code management}: a management token ({@code /v1/snapshot});</li>
 *   <li>{@code token}: any valid token ({@code /v1/acl/token/self});</li>
 *   <li>{@code none}: any caller, no token read at all ({@code /v1/status/leader}).</li>
 * </ul>
 * Every route declares one and every segmented resource ({@code key}, {@code service},
 * {@code node}, {@code session}, {@code event}, {@code query}, {@code agent}) says where its name
 * comes from ({@code RouteDeclarationsTest} walks the table), so the ACL decorator has nothing to guess.
 */
public record Acl(Kind kind, List<Need> needs) {
    /** Consul's ACL resources ({@code acl}, {@code agent}, {@code event}, ...). */
    static final Set<String> RESOURCES = Set.of("acl", "agent", "event", "intention", "key", "keyring", "mesh",
            "node", "operator", "peering", "query", "service", "session");
    /** Resources whose rules are per name (exact or prefix): a route must say where the name comes from. */
    static final Set<String> NAMED = Set.of("agent", "event", "key", "node", "query", "service", "session");
    static final Set<String> ACCESS = Set.of("read", "write", "list");

    public enum Kind { NONE, RULES, FILTERED, MANAGEMENT, TOKEN }

    /**
     * Where a rule's resource name comes from, given the call and this agent's node name; the
     * names it returns must each be allowed (none: the need does not apply to this call).
     */
    public record Name(String describe, BiFunction<Call, String, List<String>> names) {
        @Override
        public String toString() {
            return describe;
        }
    }

    /** One rule a route needs: {@code resource:access}, on the names from {@code name} (null: resource-wide). */
    public record Need(String resource, String access, Name name) {
        @Override
        public String toString() {
            return resource + ":" + access;
        }
    }

    private static final Acl NONE = new Acl(Kind.NONE, List.of());
    private static final Acl MANAGEMENT = new Acl(Kind.MANAGEMENT, List.of());
    private static final Acl TOKEN = new Acl(Kind.TOKEN, List.of());

    public Acl {
        needs = List.copyOf(needs);
        for (Need n : needs) {
            if (!RESOURCES.contains(n.resource()) || !ACCESS.contains(n.access())) {
                throw new IllegalArgumentException("not a Consul ACL rule: " + n);
            }
        }
        if ((kind == Kind.RULES || kind == Kind.FILTERED) && needs.isEmpty()) {
            throw new IllegalArgumentException("use Acl.none() for a route that needs no token");
        }
    }

    /** The rules as Consul's docs write them, each {@code resource:access} ({@code management} for that kind). */
    public List<String> rules() {
        if (kind == Kind.MANAGEMENT) {
            return List.of("management");
        }
        return needs.stream().map(Need::toString).toList();
    }

    /** Resource-wide rules ({@code operator:read}); a named resource needs {@link #on} before use. */
    static Acl of(String... rules) {
        if (rules.length == 0) {
            throw new IllegalArgumentException("use Acl.none() for a route that needs no token");
        }
        List<Need> out = new ArrayList<>();
        for (String r : rules) {
            int c = r.indexOf(':');
            if (c < 0) {
                throw new IllegalArgumentException("not a Consul ACL rule: " + r);
            }
            out.add(new Need(r.substring(0, c), r.substring(c + 1), null));
        }
        return new Acl(Kind.RULES, out);
    }

    /** A list route: the endpoint filters by these rules ({@link AclFilter}). */
    static Acl filtered(String... rules) {
        return new Acl(Kind.FILTERED, of(rules).needs);
    }

    /** Every rule's name from {@code name}. */
    Acl on(Name name) {
        return new Acl(kind, needs.stream().map(n -> new Need(n.resource(), n.access(), name)).toList());
    }

    /** One more rule, with its own name source. */
    Acl and(String rule, Name name) {
        List<Need> out = new ArrayList<>(needs);
        out.add(new Need(rule.substring(0, rule.indexOf(':')), rule.substring(rule.indexOf(':') + 1), name));
        return new Acl(kind, out);
    }

    /** Any caller, no token needed. */
    static Acl none() {
        return NONE;
    }

    /** A management token (Consul: {@code /v1/snapshot}). */
    static Acl management() {
        return MANAGEMENT;
    }

    /** Any valid token, whatever it may do ({@code /v1/acl/token/self}). */
    static Acl token() {
        return TOKEN;
    }

    /** The one-line problem of this declaration, or null when the decorator can enforce it. */
    String problem() {
        for (Need n : needs) {
            if (kind == Kind.RULES && NAMED.contains(n.resource()) && n.name() == null) {
                return n + " names no source for its " + n.resource() + " name";
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ name sources

    /** A path parameter ({@code key}, {@code service}, {@code node}); "" when the route has none there. */
    static Name path(String param) {
        return new Name("path " + param, (call, agent) -> {
            String v = call.pathParam(param);
            return List.of(v == null ? "" : v);
        });
    }

    /** This agent's node name. */
    static final Name AGENT_NODE = new Name("agent node", (call, agent) -> List.of(agent));

    /** A computed name (a lookup by ID in the store or the agent's local state), described for the docs. */
    static Name lookup(String describe, BiFunction<Call, String, List<String>> f) {
        return new Name(describe, f);
    }

    /** As Consul's docs write it: {@code key:read}, {@code node:read,service:read}, {@code none}, with the name sources. */
    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case MANAGEMENT -> "management";
            case TOKEN -> "any token";
            case FILTERED -> String.join(",", rules()) + " (results filtered)";
            case RULES -> {
                StringBuilder b = new StringBuilder();
                for (Need n : needs) {
                    if (!b.isEmpty()) {
                        b.append(',');
                    }
                    b.append(n);
                    if (n.name() != null) {
                        b.append(" on ").append(n.name().describe());
                    }
                }
                yield b.toString();
            }
        };
    }
}
