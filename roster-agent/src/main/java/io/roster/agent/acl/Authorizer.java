package io.roster.agent.acl;

import io.roster.agent.acl.Rules.Access;
import io.roster.agent.acl.Rules.Rule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one token may do: its policies' rules merged (for the same resource, segment and kind,
 * {@code deny} wins, else the stronger grant), then looked up as Consul does: an exact rule
 * beats any prefix rule, the longest matching prefix beats shorter ones, and with no rule the
 * agent's {@code default_policy} decides. A management token may do everything.
 */
public final class Authorizer {
    /** Everything allowed: a management token, or ACLs off. */
    public static final Authorizer MANAGE = new Authorizer(Map.of(), true, true);

    private final Map<String, Access> exact;
    private final Map<String, Access> prefixes;
    private final Map<String, Access> single;
    private final boolean management;
    private final boolean defaultAllow;

    private Authorizer(Map<String, Access> rules, boolean management, boolean defaultAllow) {
        this.exact = new HashMap<>();
        this.prefixes = new HashMap<>();
        this.single = new HashMap<>();
        this.management = management;
        this.defaultAllow = defaultAllow;
    }

    /** The rules of every policy a token carries, merged, over the default policy. */
    public static Authorizer of(List<Rule> rules, boolean defaultAllow) {
        Authorizer a = new Authorizer(Map.of(), false, defaultAllow);
        for (Rule r : rules) {
            Map<String, Access> m = Rules.SINGLE.contains(r.resource()) ? a.single : r.prefix() ? a.prefixes : a.exact;
            String k = Rules.SINGLE.contains(r.resource()) ? r.resource() : r.resource() + '\0' + r.segment();
            m.merge(k, r.access(), Authorizer::merge);
        }
        return a;
    }

    private static Access merge(Access a, Access b) {
        if (a == Access.DENY || b == Access.DENY) {
            return Access.DENY;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    public boolean isManagement() {
        return management;
    }

    /** The access granted on {@code resource} {@code name} (null: no rule, the default decides). */
    Access granted(String resource, String name) {
        if (Rules.SINGLE.contains(resource)) {
            return single.get(resource);
        }
        Access a = exact.get(resource + '\0' + name);
        if (a != null) {
            return a;
        }
        String n = name == null ? "" : name;
        for (int len = n.length(); len >= 0; len--) {
            Access p = prefixes.get(resource + '\0' + n.substring(0, len));
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * Whether {@code level} ({@code read}, {@code list}, {@code write}) is allowed on the resource
     * {@code name} ({@code ""} for resource-wide ones: operator, keyring, acl, mesh, peering).
     * {@code write} implies {@code list} implies {@code read}; {@code deny} allows nothing.
     */
    public boolean allowed(String resource, String name, String level) {
        if (management) {
            return true;
        }
        Access need = switch (level) {
            case "read" -> Access.READ;
            case "list" -> Access.LIST;
            case "write" -> Access.WRITE;
            default -> throw new IllegalArgumentException("not an access level: " + level);
        };
        Access got = granted(resource, name);
        if (got == null) {
            return defaultAllow;
        }
        return got != Access.DENY && got.compareTo(need) >= 0;
    }
}
