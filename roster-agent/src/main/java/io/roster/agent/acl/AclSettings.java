package io.roster.agent.acl;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code acl} stanza, as Consul 1.16 reads it: {@code enabled}, {@code default_policy}
 * ({@code allow}|{@code deny}), {@code down_policy} ({@code allow}|{@code deny}|{@code extend-cache}|
 * {@code async-cache}), {@code token_ttl}, {@code policy_ttl}, {@code enable_token_persistence},
 * {@code enable_key_list_policy} and {@code tokens { initial_management, agent, default,
 * agent_recovery, replication }} (with their older names {@code master}, {@code agent_master}), and
 * {@code enable_token_replication} (a secondary datacenter's servers copy the primary's global tokens).
 * Secrets are never printed by {@link #toString}.
 */
public record AclSettings(boolean enabled, String defaultPolicy, String downPolicy, Duration tokenTtl, Duration policyTtl,
                          boolean enableTokenPersistence, boolean enableKeyListPolicy, String initialManagement,
                          String agentToken, String defaultToken, String agentRecovery, String replication,
                          boolean enableTokenReplication) {
    /** ACLs off: Roster answers as before (every route open, {@code /v1/acl/*} says ACL support is disabled). */
    public static final AclSettings DISABLED = new AclSettings(false, "allow", "extend-cache", Duration.ofSeconds(30),
            Duration.ofSeconds(30), false, false, "", "", "", "", "", false);

    /** The settings without token replication ({@code acl.enable_token_replication = false}). */
    public AclSettings(boolean enabled, String defaultPolicy, String downPolicy, Duration tokenTtl, Duration policyTtl,
                       boolean enableTokenPersistence, boolean enableKeyListPolicy, String initialManagement,
                       String agentToken, String defaultToken, String agentRecovery, String replication) {
        this(enabled, defaultPolicy, downPolicy, tokenTtl, policyTtl, enableTokenPersistence, enableKeyListPolicy,
                initialManagement, agentToken, defaultToken, agentRecovery, replication, false);
    }

    public AclSettings {
        defaultPolicy = defaultPolicy == null || defaultPolicy.isEmpty() ? "allow" : defaultPolicy;
        downPolicy = downPolicy == null || downPolicy.isEmpty() ? "extend-cache" : downPolicy;
        tokenTtl = tokenTtl == null ? Duration.ofSeconds(30) : tokenTtl;
        policyTtl = policyTtl == null ? Duration.ofSeconds(30) : policyTtl;
        initialManagement = initialManagement == null ? "" : initialManagement;
        agentToken = agentToken == null ? "" : agentToken;
        defaultToken = defaultToken == null ? "" : defaultToken;
        agentRecovery = agentRecovery == null ? "" : agentRecovery;
        replication = replication == null ? "" : replication;
        if (!defaultPolicy.equals("allow") && !defaultPolicy.equals("deny")) {
            throw new IllegalArgumentException("Invalid acl.default_policy: \"" + defaultPolicy + "\" (use allow or deny)");
        }
        if (!java.util.Set.of("allow", "deny", "extend-cache", "async-cache").contains(downPolicy)) {
            throw new IllegalArgumentException("Invalid acl.down_policy: \"" + downPolicy
                    + "\" (use allow, deny, extend-cache or async-cache)");
        }
    }

    public boolean denyByDefault() {
        return enabled && defaultPolicy.equals("deny");
    }

    /** From the decoded {@code acl} map of a config file (keys as in {@code Schema.ACL}). */
    @SuppressWarnings("unchecked")
    public static AclSettings fromMap(Map<String, Object> acl) {
        Map<String, Object> tokens = acl.get("tokens") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        return new AclSettings(Boolean.TRUE.equals(acl.get("enabled")), (String) acl.get("default_policy"),
                (String) acl.get("down_policy"), duration(acl.get("token_ttl")), duration(acl.get("policy_ttl")),
                Boolean.TRUE.equals(acl.get("enable_token_persistence")), Boolean.TRUE.equals(acl.get("enable_key_list_policy")),
                first(tokens, "initial_management", "master"), (String) tokens.get("agent"), (String) tokens.get("default"),
                first(tokens, "agent_recovery", "agent_master"), (String) tokens.get("replication"),
                Boolean.TRUE.equals(acl.get("enable_token_replication")));
    }

    private static String first(Map<String, Object> m, String name, String older) {
        Object v = m.get(name);
        return v != null ? (String) v : (String) m.get(older);
    }

    private static Duration duration(Object v) {
        return v == null ? null : io.roster.api.Durations.parse((String) v);
    }

    /** The same settings with one agent token replaced ({@code /v1/agent/token/<kind>}). */
    public AclSettings withToken(String kind, String value) {
        return switch (kind) {
            case "agent" -> new AclSettings(enabled, defaultPolicy, downPolicy, tokenTtl, policyTtl, enableTokenPersistence,
                    enableKeyListPolicy, initialManagement, value, defaultToken, agentRecovery, replication, enableTokenReplication);
            case "default" -> new AclSettings(enabled, defaultPolicy, downPolicy, tokenTtl, policyTtl, enableTokenPersistence,
                    enableKeyListPolicy, initialManagement, agentToken, value, agentRecovery, replication, enableTokenReplication);
            case "agent_recovery" -> new AclSettings(enabled, defaultPolicy, downPolicy, tokenTtl, policyTtl, enableTokenPersistence,
                    enableKeyListPolicy, initialManagement, agentToken, defaultToken, value, replication, enableTokenReplication);
            case "replication" -> new AclSettings(enabled, defaultPolicy, downPolicy, tokenTtl, policyTtl, enableTokenPersistence,
                    enableKeyListPolicy, initialManagement, agentToken, defaultToken, agentRecovery, value, enableTokenReplication);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Override
    public String toString() {
        return "AclSettings[enabled=" + enabled + ", defaultPolicy=" + defaultPolicy + ", downPolicy=" + downPolicy
                + ", enableTokenReplication=" + enableTokenReplication + ", tokenTtl=" + tokenTtl + ", policyTtl=" + policyTtl + ", enableTokenPersistence=" + enableTokenPersistence
                + ", tokens=" + (initialManagement.isEmpty() ? "" : "initial_management ") + (agentToken.isEmpty() ? "" : "agent ")
                + (defaultToken.isEmpty() ? "" : "default ") + (agentRecovery.isEmpty() ? "" : "agent_recovery ")
                + (replication.isEmpty() ? "" : "replication ") + "<hidden>]";
    }
}
