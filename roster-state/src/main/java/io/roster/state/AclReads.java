package io.roster.state;

import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import java.util.List;
import java.util.function.Supplier;

/**
 * The ACL tables' consistent reads: each runs under the store's read lock, registers the
 * {@code acl} topic on the watch set (so a blocking query wakes on any token, policy or role
 * change) and reports the tables' index (never 0). Tokens come with their links' current names.
 */
public final class AclReads {
    private final Store store;
    private final AclTable table;

    AclReads(Store store, AclTable table) {
        this.store = store;
        this.table = table;
    }

    private <T> Store.Read<T> read(WatchSet ws, Supplier<T> q) {
        return store.read(() -> {
            ws.watchTopic(AclTable.TOPIC);
            return new Store.Read<>(q.get(), table.reportedIndex());
        });
    }

    /** A token by AccessorID; null when there is none. */
    public Store.Read<AclToken> token(WatchSet ws, String accessorId) {
        return read(ws, () -> table.withNames(table.tokenByAccessor(accessorId)));
    }

    /** A token by SecretID; null when there is none. */
    public Store.Read<AclToken> tokenBySecret(WatchSet ws, String secretId) {
        return read(ws, () -> table.withNames(table.tokenBySecret(secretId)));
    }

    /** Every token, filtered by linked policy ID, role ID and auth method (each null or empty: any). */
    public Store.Read<List<AclToken>> tokens(WatchSet ws, String policy, String role, String authMethod) {
        return read(ws, () -> table.listTokens(policy, role, authMethod));
    }

    public Store.Read<AclPolicy> policy(WatchSet ws, String id) {
        return read(ws, () -> table.policy(id));
    }

    public Store.Read<AclPolicy> policyByName(WatchSet ws, String name) {
        return read(ws, () -> table.policyByName(name));
    }

    public Store.Read<List<AclPolicy>> policies(WatchSet ws) {
        return read(ws, () -> List.copyOf(table.policies.values()));
    }

    public Store.Read<AclRole> role(WatchSet ws, String id) {
        return read(ws, () -> table.withNames(table.role(id)));
    }

    public Store.Read<AclRole> roleByName(WatchSet ws, String name) {
        return read(ws, () -> table.withNames(table.roleByName(name)));
    }

    /** Every role, or those linking the policy {@code policy} (ID). */
    public Store.Read<List<AclRole>> roles(WatchSet ws, String policy) {
        return read(ws, () -> table.listRoles(policy));
    }

    /** The index of the bootstrap that made the first management token; 0 before it. */
    public long bootstrapIndex() {
        return read(WatchSet.NONE, () -> table.bootstrapIndex).value();
    }
}
