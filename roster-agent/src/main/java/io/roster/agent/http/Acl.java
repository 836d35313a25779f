package io.roster.agent.http;

import java.util.List;
import java.util.Set;

/**
 * What a route needs of a token, in Consul's ACL rule names (the "ACL Required" column of Consul's
 * API docs): {@code key:read}, {@code service:write}, {@code operator:read}, ... ; several rules
 * when Consul lists several ({@code node:read,service:read}); {@code management} for a
 * management token; {@code none} for routes any caller may use ({@code /v1/status/leader}). Every
 * route declares one (a test walks the table), so the ACL decorator that comes next has nothing
 * to guess.
 */
public record Acl(List<String> rules) {
    /** Consul's ACL resources ({@code acl}, {@code agent}, {@code event}, ...). */
    static final Set<String> RESOURCES = Set.of("acl", "agent", "event", "intention", "key", "keyring", "mesh",
            "node", "operator", "peering", "query", "service", "session");
    static final Set<String> ACCESS = Set.of("read", "write", "list");

    private static final Acl NONE = new Acl(List.of());
    private static final Acl MANAGEMENT = new Acl(List.of("management"));

    public Acl {
        rules = List.copyOf(rules);
        for (String r : rules) {
            if (r.equals("management")) {
                continue;
            }
            int c = r.indexOf(':');
            if (c < 0 || !RESOURCES.contains(r.substring(0, c)) || !ACCESS.contains(r.substring(c + 1))) {
                throw new IllegalArgumentException("not a Consul ACL rule: " + r);
            }
        }
    }

    /** The rules, each {@code resource:access}. */
    static Acl of(String... rules) {
        if (rules.length == 0) {
            throw new IllegalArgumentException("use Acl.none() for a route that needs no token");
        }
        return new Acl(List.of(rules));
    }

    /** Any caller, no token needed. */
    static Acl none() {
        return NONE;
    }

    /** A management token (Consul: {@code /v1/snapshot}). */
    static Acl management() {
        return MANAGEMENT;
    }

    /** As Consul's docs write it: {@code key:read}, {@code node:read,service:read}, {@code none}. */
    @Override
    public String toString() {
        return rules.isEmpty() ? "none" : String.join(",", rules);
    }
}
