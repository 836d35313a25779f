package io.roster.cli;

import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclServiceIdentity;
import io.roster.api.AclToken;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster acl token update}: reads the token, changes what the flags say and writes it back
 * ({@code PUT /v1/acl/token/<AccessorID>}). {@code -policy-*}, {@code -role-*},
 * {@code -service-identity} and {@code -node-identity} replace that kind of link; their
 * {@code -append-} twins add to it; a kind no flag names is kept.
 */
@Command(name = "update", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token update [options] -accessor-id ID",
        description = {"Change an ACL token's description, policies, roles or identities (not its secret or locality)."},
        footer = {"", "Examples:", "  roster acl token update -accessor-id 4d123dff -description \"app (rotated)\"",
                "  roster acl token update -accessor-id 4d123dff -append-policy-name app-read",
                "  roster acl token update -accessor-id 4d123dff -policy-name app-kv -role-name db-updater"})
final class AclTokenUpdateCommand extends AclOutputCommand {
    @Option(names = {"-accessor-id", "--accessor-id"}, paramLabel = "ID", description = "AccessorID of the token (a unique prefix will do).")
    String accessorId;
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Deprecated spelling of -accessor-id.")
    String id;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A new description (default: keep it).")
    String description;
    @Option(names = {"-policy-id", "--policy-id"}, paramLabel = "ID", description = "Policy to link, replacing the token's policies. Repeatable.")
    List<String> policyIds = new ArrayList<>();
    @Option(names = {"-policy-name", "--policy-name"}, paramLabel = "NAME", description = "Policy to link, replacing the token's policies. Repeatable.")
    List<String> policyNames = new ArrayList<>();
    @Option(names = {"-append-policy-id", "--append-policy-id"}, paramLabel = "ID", description = "Policy to add to the token's. Repeatable.")
    List<String> appendPolicyIds = new ArrayList<>();
    @Option(names = {"-append-policy-name", "--append-policy-name"}, paramLabel = "NAME", description = "Policy to add to the token's. Repeatable.")
    List<String> appendPolicyNames = new ArrayList<>();
    @Option(names = {"-role-id", "--role-id"}, paramLabel = "ID", description = "Role to link, replacing the token's roles. Repeatable.")
    List<String> roleIds = new ArrayList<>();
    @Option(names = {"-role-name", "--role-name"}, paramLabel = "NAME", description = "Role to link, replacing the token's roles. Repeatable.")
    List<String> roleNames = new ArrayList<>();
    @Option(names = {"-append-role-id", "--append-role-id"}, paramLabel = "ID", description = "Role to add to the token's. Repeatable.")
    List<String> appendRoleIds = new ArrayList<>();
    @Option(names = {"-append-role-name", "--append-role-name"}, paramLabel = "NAME", description = "Role to add to the token's. Repeatable.")
    List<String> appendRoleNames = new ArrayList<>();
    @Option(names = {"-service-identity", "--service-identity"}, paramLabel = "NAME[:DC,...]",
            description = "Service identity, replacing the token's. Repeatable.")
    List<String> serviceIdentities = new ArrayList<>();
    @Option(names = {"-append-service-identity", "--append-service-identity"}, paramLabel = "NAME[:DC,...]",
            description = "Service identity to add (or to replace the one of the same name). Repeatable.")
    List<String> appendServiceIdentities = new ArrayList<>();
    @Option(names = {"-node-identity", "--node-identity"}, paramLabel = "NODE:DC", description = "Node identity, replacing the token's. Repeatable.")
    List<String> nodeIdentities = new ArrayList<>();
    @Option(names = {"-append-node-identity", "--append-node-identity"}, paramLabel = "NODE:DC", description = "Node identity to add. Repeatable.")
    List<String> appendNodeIdentities = new ArrayList<>();

    @Override
    int run() {
        checkFormat();
        String accessor = set(accessorId) ? accessorId : id;
        if (!set(accessor)) {
            return fail("Cannot update a token without specifying the -accessor-id parameter");
        }
        if ((set(policyIds) || set(policyNames)) && (set(appendPolicyIds) || set(appendPolicyNames))) {
            return fail("Cannot combine the use of policy-id/policy-name flags with append- variants. "
                    + "To set or overwrite existing policies, use -policy-id or -policy-name. "
                    + "To append to existing policies, use -append-policy-id or -append-policy-name.");
        }
        if ((set(roleIds) || set(roleNames)) && (set(appendRoleIds) || set(appendRoleNames))) {
            return fail("Cannot combine the use of role-id/role-name flags with append- variants. "
                    + "To set or overwrite existing roles, use -role-id or -role-name. "
                    + "To append to existing roles, use -append-role-id or -append-role-name.");
        }
        if (set(serviceIdentities) && set(appendServiceIdentities)) {
            return fail("Cannot combine the use of service-identity flag with append-service-identity. "
                    + "To set or overwrite existing service identities, use -service-identity. "
                    + "To append to existing service identities, use -append-service-identity.");
        }
        if (set(nodeIdentities) && set(appendNodeIdentities)) {
            return fail("Cannot combine the use of node-identity flag with append-node-identity. "
                    + "To set or overwrite existing node identities, use -node-identity. "
                    + "To append to existing node identities, use -append-node-identity.");
        }
        String full;
        try {
            full = tokenId(accessor);
        } catch (IllegalArgumentException e) {
            return fail("Error determining token ID: " + e.getMessage());
        } catch (RosterException e) {
            return fail("Error determining token ID: " + describe(e));
        }
        AclToken t;
        try {
            Optional<AclToken> r = client().acl().tokenRead(full, http.queryOptions());
            if (r.isEmpty()) {
                return fail("Error when retrieving current token: ACL not found");
            }
            t = r.get();
        } catch (RosterException e) {
            return fail("Error when retrieving current token: " + describe(e));
        }
        try {
            List<AclLink> policies = merged(t.policies(), policyIds, policyNames, appendPolicyIds, appendPolicyNames, true);
            List<AclLink> roles = merged(t.roles(), roleIds, roleNames, appendRoleIds, appendRoleNames, false);
            List<AclServiceIdentity> services = t.serviceIdentities();
            if (set(serviceIdentities)) {
                services = AclFormat.serviceIdentities(serviceIdentities);
            } else if (set(appendServiceIdentities)) {
                services = new ArrayList<>(services);
                for (AclServiceIdentity s : AclFormat.serviceIdentities(appendServiceIdentities)) {
                    services.removeIf(x -> x.serviceName().equals(s.serviceName()));
                    services.add(s);
                }
            }
            List<AclNodeIdentity> nodes = t.nodeIdentities();
            if (set(nodeIdentities)) {
                nodes = AclFormat.nodeIdentities(nodeIdentities);
            } else if (set(appendNodeIdentities)) {
                nodes = new ArrayList<>(nodes);
                for (AclNodeIdentity n : AclFormat.nodeIdentities(appendNodeIdentities)) {
                    if (!nodes.contains(n)) {
                        nodes.add(n);
                    }
                }
            }
            AclToken updated = new AclToken(t.accessorId(), t.secretId(), set(description) ? description : t.description(),
                    policies, roles, services, nodes, t.local(), t.authMethod(), t.expirationTime(), null, t.createTime(),
                    null, 0, 0);
            return print(client().acl().tokenUpdate(updated), x -> AclFormat.token(x, meta));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (RosterException e) {
            return fail("Failed to update token " + full + ": " + describe(e));
        }
    }

    private List<AclLink> merged(List<AclLink> current, List<String> ids, List<String> names,
                                 List<String> appendIds, List<String> appendNames, boolean policies) {
        boolean replace = set(ids) || set(names);
        List<AclLink> out = replace ? new ArrayList<>() : new ArrayList<>(current);
        for (String n : replace ? names : appendNames) {
            if (out.stream().noneMatch(l -> l.name().equals(n))) {
                out.add(new AclLink(null, n));
            }
        }
        for (String id : replace ? ids : appendIds) {
            String full;
            try {
                full = policies ? policyId(id) : roleId(id);
            } catch (IllegalArgumentException | RosterException e) {
                throw new IllegalArgumentException("Error resolving " + (policies ? "policy" : "role") + " ID " + id + ": "
                        + (e instanceof RosterException r ? describe(r) : e.getMessage()));
            }
            if (out.stream().noneMatch(l -> l.id().equals(full))) {
                out.add(new AclLink(full, null));
            }
        }
        return out;
    }
}
