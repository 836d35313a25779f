package io.roster.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roster.api.AclLink;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * ACL tokens (by AccessorID, with a SecretID index), policies and roles (by ID, with a name index),
 * and the bootstrap marker, as Consul's {@code acl-tokens}, {@code acl-policies}, {@code acl-roles}
 * tables and its {@code acl-token-bootstrap} index. Owns its apply steps (with undo on the
 * {@link Tx}), its reads (each registering {@link #TOPIC} and reporting the table's index), its
 * snapshot rows and their restore. Callers hold the store's lock for every method.
 *
 * <p>Apply checks integrity only (unique names and secrets, links that point at something);
 * IDs, secrets, times, rule validation and link resolution are the leader's, before the log.
 */
final class AclTable {
    /** Woken by any token, policy or role change. */
    static final String TOPIC = "acl";

    final TreeMap<String, AclToken> tokens = new TreeMap<>();
    private final Map<String, String> bySecret = new TreeMap<>();
    final TreeMap<String, AclPolicy> policies = new TreeMap<>();
    private final Map<String, String> policyByName = new TreeMap<>();
    final TreeMap<String, AclRole> roles = new TreeMap<>();
    private final Map<String, String> roleByName = new TreeMap<>();
    /** The index of the bootstrap that made the first management token; 0 before it. */
    long bootstrapIndex;
    /** The highest index at which any row was written or deleted. */
    long index;

    // ------------------------------------------------------------------ reads (store lock held)

    long reportedIndex() {
        return Math.max(1, index);
    }

    AclToken tokenByAccessor(String id) {
        return tokens.get(id);
    }

    AclToken tokenBySecret(String secret) {
        String id = bySecret.get(secret);
        return id == null ? null : tokens.get(id);
    }

    AclPolicy policy(String id) {
        return policies.get(id);
    }

    AclPolicy policyByName(String name) {
        String id = policyByName.get(name);
        return id == null ? null : policies.get(id);
    }

    AclRole role(String id) {
        return roles.get(id);
    }

    AclRole roleByName(String name) {
        String id = roleByName.get(name);
        return id == null ? null : roles.get(id);
    }

    /** Tokens linking a policy or role (Consul's {@code ?policy=}, {@code ?role=}, {@code ?authmethod=}); null: any. */
    List<AclToken> listTokens(String policy, String role, String authMethod) {
        List<AclToken> out = new ArrayList<>();
        for (AclToken t : tokens.values()) {
            if (policy != null && !policy.isEmpty() && t.policies().stream().noneMatch(l -> l.id().equals(policy))) {
                continue;
            }
            if (role != null && !role.isEmpty() && t.roles().stream().noneMatch(l -> l.id().equals(role))) {
                continue;
            }
            if (authMethod != null && !authMethod.isEmpty() && !t.authMethod().equals(authMethod)) {
                continue;
            }
            out.add(withNames(t));
        }
        return out;
    }

    List<AclRole> listRoles(String policy) {
        List<AclRole> out = new ArrayList<>();
        for (AclRole r : roles.values()) {
            if (policy == null || policy.isEmpty() || r.policies().stream().anyMatch(l -> l.id().equals(policy))) {
                out.add(withNames(r));
            }
        }
        return out;
    }

    /** The token with its links' current names (a renamed policy shows its new name, as in Consul). */
    AclToken withNames(AclToken t) {
        if (t == null) {
            return null;
        }
        return t.withLinks(names(t.policies(), policies::get, AclPolicy::name), names(t.roles(), roles::get, AclRole::name));
    }

    AclRole withNames(AclRole r) {
        if (r == null) {
            return null;
        }
        return new AclRole(r.id(), r.name(), r.description(), names(r.policies(), policies::get, AclPolicy::name),
                r.serviceIdentities(), r.nodeIdentities(), r.hash(), r.createIndex(), r.modifyIndex());
    }

    /** Links to rows deleted since are left out, as Consul drops dangling links on read. */
    private static <T> List<AclLink> names(List<AclLink> links, Function<String, T> get, Function<T, String> name) {
        List<AclLink> out = new ArrayList<>(links.size());
        for (AclLink l : links) {
            T row = get.apply(l.id());
            if (row != null) {
                out.add(new AclLink(l.id(), name.apply(row)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ apply (store write lock held)

    ApplyResult bootstrap(Tx tx, AclToken token, long resetIndex) {
        if (bootstrapIndex != 0 && resetIndex != bootstrapIndex) {
            return new ApplyError("ACL bootstrap no longer allowed (reset index: " + bootstrapIndex + ")");
        }
        ApplyResult r = setToken(tx, token, false);
        if (r instanceof ApplyError) {
            return r;
        }
        long before = bootstrapIndex;
        bootstrapIndex = tx.index;
        tx.onRollback(() -> bootstrapIndex = before);
        return r;
    }

    /**
     * Creates or replaces a token. {@code mustExist}: an update, refused when there is no such
     * token. The SecretID of an existing token never changes.
     */
    ApplyResult setToken(Tx tx, AclToken t, boolean mustExist) {
        if (t.accessorId().isEmpty() || t.secretId().isEmpty()) {
            return new ApplyError("Missing token AccessorID or SecretID");
        }
        AclToken before = tokens.get(t.accessorId());
        if (mustExist && before == null) {
            return new ApplyError("Cannot find token " + t.accessorId());
        }
        if (before != null && !before.secretId().equals(t.secretId())) {
            return new ApplyError("Changing a token's SecretID is not permitted");
        }
        String owner = bySecret.get(t.secretId());
        if (owner != null && !owner.equals(t.accessorId())) {
            return new ApplyError("Invalid Token: SecretID is already in use");
        }
        if (before == null && tokens.containsKey(t.secretId())) {
            return new ApplyError("Invalid Token: SecretID is already in use");
        }
        for (AclLink l : t.policies()) {
            if (!policies.containsKey(l.id())) {
                return new ApplyError("No such ACL policy with ID \"" + l.id() + "\"");
            }
        }
        for (AclLink l : t.roles()) {
            if (!roles.containsKey(l.id())) {
                return new ApplyError("No such ACL role with ID \"" + l.id() + "\"");
            }
        }
        AclToken row = t.withIndexes(before == null ? tx.index : before.createIndex(), tx.index);
        tokens.put(row.accessorId(), row);
        bySecret.put(row.secretId(), row.accessorId());
        touched(tx, () -> {
            tokens.remove(row.accessorId());
            bySecret.remove(row.secretId());
            if (before != null) {
                tokens.put(before.accessorId(), before);
                bySecret.put(before.secretId(), before.accessorId());
            }
        });
        return new ApplyResult.Token(withNames(row));
    }

    /** Deletes tokens; unknown ones are skipped (a reap may race a delete). Returns how many went. */
    int deleteTokens(Tx tx, List<String> accessors) {
        int n = 0;
        for (String id : accessors) {
            AclToken before = tokens.remove(id);
            if (before == null) {
                continue;
            }
            bySecret.remove(before.secretId());
            n++;
            touched(tx, () -> {
                tokens.put(before.accessorId(), before);
                bySecret.put(before.secretId(), before.accessorId());
            });
        }
        return n;
    }

    ApplyResult setPolicy(Tx tx, AclPolicy p, boolean mustExist) {
        if (p.id().isEmpty() || p.name().isEmpty()) {
            return new ApplyError("Missing policy ID or Name");
        }
        AclPolicy before = policies.get(p.id());
        if (mustExist && before == null) {
            return new ApplyError("Cannot find policy " + p.id());
        }
        String other = policyByName.get(p.name());
        if (other != null && !other.equals(p.id())) {
            return new ApplyError("Invalid Policy: A Policy with Name \"" + p.name() + "\" already exists");
        }
        AclPolicy row = p.withIndexes(before == null ? tx.index : before.createIndex(), tx.index);
        policies.put(row.id(), row);
        if (before != null) {
            policyByName.remove(before.name());
        }
        policyByName.put(row.name(), row.id());
        touched(tx, () -> {
            policies.remove(row.id());
            policyByName.remove(row.name());
            if (before != null) {
                policies.put(before.id(), before);
                policyByName.put(before.name(), before.id());
            }
        });
        return new ApplyResult.Policy(row);
    }

    ApplyResult deletePolicy(Tx tx, String id) {
        if (AclPolicy.GLOBAL_MANAGEMENT_ID.equals(id)) {
            return new ApplyError("Delete operation not permitted on the builtin global-management policy");
        }
        AclPolicy before = policies.remove(id);
        if (before == null) {
            return ApplyResult.Bool.TRUE;
        }
        policyByName.remove(before.name());
        touched(tx, () -> {
            policies.put(before.id(), before);
            policyByName.put(before.name(), before.id());
        });
        return ApplyResult.Bool.TRUE;
    }

    ApplyResult setRole(Tx tx, AclRole r, boolean mustExist) {
        if (r.id().isEmpty() || r.name().isEmpty()) {
            return new ApplyError("Missing role ID or Name");
        }
        AclRole before = roles.get(r.id());
        if (mustExist && before == null) {
            return new ApplyError("Cannot find role " + r.id());
        }
        String other = roleByName.get(r.name());
        if (other != null && !other.equals(r.id())) {
            return new ApplyError("Invalid Role: A Role with Name \"" + r.name() + "\" already exists");
        }
        for (AclLink l : r.policies()) {
            if (!policies.containsKey(l.id())) {
                return new ApplyError("No such ACL policy with ID \"" + l.id() + "\"");
            }
        }
        AclRole row = r.withIndexes(before == null ? tx.index : before.createIndex(), tx.index);
        roles.put(row.id(), row);
        if (before != null) {
            roleByName.remove(before.name());
        }
        roleByName.put(row.name(), row.id());
        touched(tx, () -> {
            roles.remove(row.id());
            roleByName.remove(row.name());
            if (before != null) {
                roles.put(before.id(), before);
                roleByName.put(before.name(), before.id());
            }
        });
        return new ApplyResult.Role(withNames(row));
    }

    ApplyResult deleteRole(Tx tx, String id) {
        AclRole before = roles.remove(id);
        if (before != null) {
            roleByName.remove(before.name());
            touched(tx, () -> {
                roles.put(before.id(), before);
                roleByName.put(before.name(), before.id());
            });
        }
        return ApplyResult.Bool.TRUE;
    }

    private void touched(Tx tx, Runnable undo) {
        long indexBefore = index;
        index = Math.max(index, tx.index);
        tx.changes.topic(TOPIC);
        tx.onRollback(() -> {
            undo.run();
            index = indexBefore;
        });
    }

    // ------------------------------------------------------------------ snapshot rows and restore

    /**
     * One snapshot row of this table (since snapshot version 4): exactly one field set.
     * {@code Meta} carries the table's index and the bootstrap index.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(@JsonProperty("Token") AclToken token, @JsonProperty("Policy") AclPolicy policy,
               @JsonProperty("Role") AclRole role, @JsonProperty("Meta") Meta meta) {
        boolean valid() {
            int set = (token != null ? 1 : 0) + (policy != null ? 1 : 0) + (role != null ? 1 : 0) + (meta != null ? 1 : 0);
            return set == 1 && (token == null || !token.accessorId().isEmpty())
                    && (policy == null || !policy.id().isEmpty()) && (role == null || !role.id().isEmpty());
        }
    }

    record Meta(@JsonProperty("Index") long index, @JsonProperty("BootstrapIndex") long bootstrapIndex) {
    }

    /** The rows in a fixed order: meta, policies, roles, tokens, each by ID; none for an unused table. */
    List<Row> snapshotRows() {
        List<Row> out = new ArrayList<>();
        if (index == 0 && bootstrapIndex == 0 && tokens.isEmpty() && policies.isEmpty() && roles.isEmpty()) {
            return out; // an unused ACL system adds nothing to a snapshot
        }
        out.add(new Row(null, null, null, new Meta(index, bootstrapIndex)));
        policies.values().forEach(p -> out.add(new Row(null, p, null, null)));
        roles.values().forEach(r -> out.add(new Row(null, null, r, null)));
        tokens.values().forEach(t -> out.add(new Row(t, null, null, null)));
        return out;
    }

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (Row r : snapshotRows()) {
            out.row(Snapshot.Row.acl(r));
        }
    }

    private void clear() {
        tokens.clear();
        bySecret.clear();
        policies.clear();
        policyByName.clear();
        roles.clear();
        roleByName.clear();
        bootstrapIndex = 0;
        index = 0;
    }

    /** Replaces the table with restored rows (no undo, no watch: restore wakes everyone). */
    void restore(List<Row> rows) {
        clear();
        for (Row r : rows) {
            if (r.meta() != null) {
                index = r.meta().index();
                bootstrapIndex = r.meta().bootstrapIndex();
            } else if (r.policy() != null) {
                policies.put(r.policy().id(), r.policy());
                policyByName.put(r.policy().name(), r.policy().id());
            } else if (r.role() != null) {
                roles.put(r.role().id(), r.role());
                roleByName.put(r.role().name(), r.role().id());
            } else if (r.token() != null) {
                tokens.put(r.token().accessorId(), r.token());
                bySecret.put(r.token().secretId(), r.token().accessorId());
            }
        }
    }
}
