package io.roster.agent.acl;

import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclServiceIdentity;
import io.roster.api.AclToken;
import io.roster.state.AclReads;
import io.roster.state.WatchSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Resolves the secret a request presents into an {@link Identity}, from the replicated ACL tables
 * of this server's store: the token (unknown or expired: {@code 403 ACL not found}), its policies,
 * its roles' policies, its service and node identities. No secret is the anonymous token. The
 * agent recovery token ({@code acl.tokens.agent_recovery}) is local to this agent and never
 * stored. On a client agent (no ACL tables) a server resolves the token over the server RPC and
 * {@link TokenCache} keeps the answer ({@link #resolveThrough}). Rules are parsed when a policy
 * is written; a stored policy that does not parse (written
 * by a newer server) grants nothing.
 */
public final class AclResolver {
    private final AclReads acl;
    private final AtomicReference<AclSettings> settings;
    private final String agentNode;
    private volatile Clock clock;
    private volatile TokenCache remote;
    /** A secondary datacenter's server: the primary's servers resolve the secrets this one does not hold. */
    private volatile TokenCache primary;

    public AclResolver(AclReads acl, AtomicReference<AclSettings> settings, String agentNode, Clock clock) {
        this.acl = acl;
        this.settings = settings;
        this.agentNode = agentNode;
        this.clock = clock;
    }

    /**
     * A client agent (no ACL tables of its own): tokens are resolved by a server over the server
     * RPC through {@code source}, cached per {@code token_ttl}/{@code policy_ttl} and
     * {@code down_policy} ({@link TokenCache}). The agent recovery token stays local.
     */
    public AclResolver resolveThrough(TokenCache.Source source) {
        this.remote = new TokenCache(source, () -> clock);
        return this;
    }

    /**
     * A server of a secondary datacenter ({@code primary_datacenter} names another) without
     * {@code enable_token_replication}: it holds no tokens, so every secret (the anonymous one
     * too) is resolved by a server of the primary over the server RPC ({@code source}), cached
     * and subject to {@code down_policy} as on a client agent, and so are its own client agents'
     * questions ({@link #effective}); as Consul's secondaries do. The agent recovery token stays local.
     */
    public AclResolver resolveThroughPrimary(TokenCache.Source source) {
        this.primary = new TokenCache(source, () -> clock);
        return this;
    }

    /** The clock of token expiry and of the client's cache (tests drive it: no timing assertions). */
    public void useClock(Clock c) {
        this.clock = c;
    }

    /** The shared settings (the agent tokens set at run time change them). */
    public AtomicReference<AclSettings> settingsRef() {
        return settings;
    }

    public boolean enabled() {
        return settings.get().enabled();
    }

    public AclSettings settings() {
        return settings.get();
    }

    /** The identity for {@code secret} ({@code ""}: anonymous); ACLs off: {@link Identity#OPEN}. */
    public Identity resolve(String secret) {
        AclSettings s = settings.get();
        if (!s.enabled()) {
            return Identity.OPEN;
        }
        boolean allow = s.defaultPolicy().equals("allow");
        if ((secret == null || secret.isEmpty()) && !s.defaultToken().isEmpty()) {
            secret = s.defaultToken(); // Consul: the agent's default token for requests that carry none
        }
        if (secret == null) {
            secret = "";
        }
        boolean recovery = !secret.isEmpty() && !s.agentRecovery().isEmpty()
                && java.security.MessageDigest.isEqual(secret.getBytes(), s.agentRecovery().getBytes());
        TokenCache r = remote != null ? remote : primary;
        if (r != null && !recovery) {
            return r.resolve(secret, s);
        }
        if (secret.isEmpty()) {
            AclToken anon = acl.token(WatchSet.NONE, AclToken.ANONYMOUS_ID).value();
            return anon == null ? new Identity(AclToken.ANONYMOUS_ID, Authorizer.of(List.of(), allow)) : identity(anon, allow);
        }
        if (recovery) {
            // Consul: agent:write on this agent's node and node:read everywhere, for maintenance when servers are away.
            return new Identity("", Authorizer.of(List.of(new Rules.Rule("agent", agentNode, false, Rules.Access.WRITE),
                    new Rules.Rule("node", "", true, Rules.Access.READ)), false));
        }
        AclToken t = acl.tokenBySecret(WatchSet.NONE, secret).value();
        if (t == null || expired(t)) {
            throw AclError.notFound();
        }
        return identity(t, allow);
    }

    /** Whether a token's {@code ExpirationTime} has passed (reaping follows on the leader). */
    public boolean expired(AclToken t) {
        if (t.expirationTime().isEmpty()) {
            return false;
        }
        try {
            return !Instant.parse(t.expirationTime()).isAfter(clock.instant());
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /**
     * A server's answer to a client agent's {@code ResolveToken}: the token of {@code secret}
     * ({@code ""}: anonymous) with its effective rules, null when unknown or expired. The client
     * applies its own default token, default policy and recovery token.
     */
    public TokenCache.Effective effective(String secret) {
        if (!settings.get().enabled()) {
            return new TokenCache.Effective("", true, List.of());
        }
        TokenCache p = primary;
        if (p != null) {
            return p.effective(secret == null ? "" : secret, settings.get());
        }
        AclToken t;
        if (secret == null || secret.isEmpty()) {
            t = acl.token(WatchSet.NONE, AclToken.ANONYMOUS_ID).value();
            if (t == null) {
                return new TokenCache.Effective(AclToken.ANONYMOUS_ID, false, List.of());
            }
        } else {
            t = acl.tokenBySecret(WatchSet.NONE, secret).value();
            if (t == null || expired(t)) {
                return null;
            }
        }
        List<Rules.Rule> rules = rules(t);
        return new TokenCache.Effective(t.accessorId(), rules == null, rules == null ? List.of() : rules);
    }

    private Identity identity(AclToken t, boolean defaultAllow) {
        List<Rules.Rule> rules = rules(t);
        return new Identity(t.accessorId(), rules == null ? Authorizer.MANAGE : Authorizer.of(rules, defaultAllow));
    }

    /** The token's rules, from its policies, roles and identities; null for a management token. */
    private List<Rules.Rule> rules(AclToken t) {
        List<Rules.Rule> rules = new ArrayList<>();
        List<AclLink> policies = new ArrayList<>(t.policies());
        List<AclServiceIdentity> services = new ArrayList<>(t.serviceIdentities());
        List<AclNodeIdentity> nodes = new ArrayList<>(t.nodeIdentities());
        for (AclLink l : t.roles()) {
            AclRole r = acl.role(WatchSet.NONE, l.id()).value();
            if (r != null) {
                policies.addAll(r.policies());
                services.addAll(r.serviceIdentities());
                nodes.addAll(r.nodeIdentities());
            }
        }
        for (AclLink l : policies) {
            if (AclPolicy.GLOBAL_MANAGEMENT_ID.equals(l.id())) {
                return null;
            }
            AclPolicy p = acl.policy(WatchSet.NONE, l.id()).value();
            if (p != null) {
                try {
                    rules.addAll(Rules.parse(p.rules()));
                } catch (IllegalArgumentException e) {
                    // grants nothing; the writer validated it, so only a newer server's rules get here
                }
            }
        }
        for (AclServiceIdentity si : services) {
            rules.add(new Rules.Rule("service", si.serviceName(), false, Rules.Access.WRITE));
            rules.add(new Rules.Rule("service", si.serviceName() + "-sidecar-proxy", false, Rules.Access.WRITE));
            rules.add(new Rules.Rule("service", "", true, Rules.Access.READ));
            rules.add(new Rules.Rule("node", "", true, Rules.Access.READ));
        }
        for (AclNodeIdentity ni : nodes) {
            rules.add(new Rules.Rule("node", ni.nodeName(), false, Rules.Access.WRITE));
            rules.add(new Rules.Rule("service", "", true, Rules.Access.READ));
        }
        return rules;
    }
}
