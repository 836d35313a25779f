package io.roster.agent.acl;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A client agent's tokens, resolved by a server ({@link Source}: the server RPC's
 * {@code ResolveToken}) and cached for {@code min(token_ttl, policy_ttl)}, as Consul's client
 * agents cache {@code ACL.TokenRead} and {@code ACL.PolicyResolve} answers. When no server
 * answers, {@code down_policy} decides (Consul's resolver): {@code allow} allows everything,
 * {@code deny} denies everything, {@code extend-cache} uses a cached entry past its TTL and gives a
 * token not in the cache the {@code default_policy}; {@code async-cache} does the same, and besides
 * answers an expired entry at once from the cache while it is refreshed in the background.
 * Unknown tokens ({@code ACL not found}) are not cached. Secrets are the cache's keys only: never
 * logged.
 */
public final class TokenCache {
    /** What a server says of a secret: its AccessorID and rules, or management. */
    public record Effective(String accessorId, boolean management, List<Rules.Rule> rules) {
    }

    /** The server side: null for an unknown or expired token; {@link Unreachable} when no server answered. */
    public interface Source {
        Effective fetch(String secret);
    }

    /** No server answered the question. */
    public static final class Unreachable extends RuntimeException {
        public Unreachable(String why) {
            super(why, null, false, false);
        }
    }

    private record Entry(Effective value, Instant expires) {
    }

    private final Source source;
    private final Supplier<Clock> clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    public TokenCache(Source source, Supplier<Clock> clock) {
        this.source = source;
        this.clock = clock;
    }

    /** The identity of {@code secret} ({@code ""}: anonymous) under {@code s}; throws {@code ACL not found}. */
    Identity resolve(String secret, AclSettings s) {
        boolean allow = s.defaultPolicy().equals("allow");
        Instant now = clock.get().instant();
        Entry e = entries.get(secret);
        if (e != null && now.isBefore(e.expires())) {
            return identity(e.value(), allow);
        }
        if (e != null && s.downPolicy().equals("async-cache")) {
            refreshLater(secret, s);
            return identity(e.value(), allow);
        }
        Effective fresh;
        try {
            fresh = fetch(secret, s);
        } catch (Unreachable u) {
            return down(e, s, allow);
        }
        if (fresh == null) {
            throw AclError.notFound();
        }
        return identity(fresh, allow);
    }

    /**
     * What this cache knows of {@code secret} for a client agent that asks (a secondary
     * datacenter's server passing on the primary's answer): fresh from the cache, else fetched;
     * when no server answers, a cached entry past its TTL, else {@link Unreachable} (the asker's
     * {@code down_policy} decides). Null: unknown.
     */
    Effective effective(String secret, AclSettings s) {
        Entry e = entries.get(secret);
        if (e != null && clock.get().instant().isBefore(e.expires())) {
            return e.value();
        }
        try {
            return fetch(secret, s);
        } catch (Unreachable u) {
            if (e != null) {
                return e.value();
            }
            throw u;
        }
    }

    private Effective fetch(String secret, AclSettings s) {
        Effective fresh = source.fetch(secret);
        if (fresh == null) {
            entries.remove(secret);
        } else {
            java.time.Duration ttl = s.tokenTtl().compareTo(s.policyTtl()) <= 0 ? s.tokenTtl() : s.policyTtl();
            entries.put(secret, new Entry(fresh, clock.get().instant().plus(ttl)));
        }
        return fresh;
    }

    private void refreshLater(String secret, AclSettings s) {
        if (!refreshing.add(secret)) {
            return;
        }
        Thread.ofVirtual().name("acl-refresh").start(() -> {
            try {
                fetch(secret, s);
            } catch (Unreachable u) {
                // keep the cached entry: extend-cache behaviour until a server answers
            } finally {
                refreshing.remove(secret);
            }
        });
    }

    private static Identity down(Entry cached, AclSettings s, boolean allow) {
        return switch (s.downPolicy()) {
            case "allow" -> new Identity("", Authorizer.MANAGE);
            case "deny" -> new Identity(cached == null ? "" : cached.value().accessorId(), Authorizer.of(List.of(), false));
            default -> cached != null ? identity(cached.value(), allow) : new Identity("", Authorizer.of(List.of(), allow));
        };
    }

    private static Identity identity(Effective e, boolean allow) {
        return new Identity(e.accessorId(), e.management() ? Authorizer.MANAGE : Authorizer.of(e.rules(), allow));
    }

    /** How many secrets are cached (tests, metrics). */
    public int size() {
        return entries.size();
    }
}
