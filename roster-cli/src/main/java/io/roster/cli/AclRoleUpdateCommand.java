package io.roster.cli;

import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclRole;
import io.roster.api.AclServiceIdentity;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster acl role update}: reads the role, adds the policies and identities the flags name
 * (or, with {@code -no-merge}, replaces the role with what the flags say) and writes it back.
 */
@Command(name = "update", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role update [options] -id ID",
        description = {"Change an ACL role: add policies and identities, rename it, or replace it with -no-merge."},
        footer = {"", "Examples:", "  roster acl role update -id 57147d87 -policy-name app-read",
                "  roster acl role update -id 57147d87 -name app-v2 -no-merge -service-identity app"})
final class AclRoleUpdateCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The role's ID (a unique prefix will do; required).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "A new name for the role.")
    String name;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A new description.")
    String description;
    @Option(names = {"-policy-id", "--policy-id"}, paramLabel = "ID", description = "ID (or unique prefix) of a policy to link. Repeatable.")
    List<String> policyIds = new ArrayList<>();
    @Option(names = {"-policy-name", "--policy-name"}, paramLabel = "NAME", description = "Name of a policy to link. Repeatable.")
    List<String> policyNames = new ArrayList<>();
    @Option(names = {"-service-identity", "--service-identity"}, paramLabel = "NAME[:DC,...]",
            description = "A service identity to link. Repeatable.")
    List<String> serviceIdentities = new ArrayList<>();
    @Option(names = {"-node-identity", "--node-identity"}, paramLabel = "NODE:DC", description = "A node identity to link. Repeatable.")
    List<String> nodeIdentities = new ArrayList<>();
    @Option(names = {"-no-merge", "--no-merge"}, description = "Replace the role's links with what the flags say instead of adding to them.")
    boolean noMerge;

    @Override
    int run() {
        checkFormat();
        if (!set(id)) {
            return fail("Cannot update a role without specifying the -id parameter");
        }
        String full;
        try {
            full = roleId(id);
        } catch (IllegalArgumentException e) {
            return fail("Error determining role ID: " + e.getMessage());
        } catch (RosterException e) {
            return fail("Error determining role ID: " + describe(e));
        }
        AclRole current;
        try {
            Optional<AclRole> r = client().acl().roleRead(full, http.queryOptions());
            if (r.isEmpty()) {
                return fail("Error when retrieving current role: ACL not found");
            }
            current = r.get();
        } catch (RosterException e) {
            return fail("Error when retrieving current role: " + describe(e));
        }
        try {
            List<AclLink> policies = noMerge ? new ArrayList<>() : new ArrayList<>(current.policies());
            for (String n : policyNames) {
                if (policies.stream().noneMatch(l -> l.name().equals(n))) {
                    policies.add(new AclLink(null, n));
                }
            }
            for (String p : policyIds) {
                String pid;
                try {
                    pid = policyId(p);
                } catch (IllegalArgumentException e) {
                    return fail("Error resolving policy ID " + p + ": " + e.getMessage());
                }
                if (policies.stream().noneMatch(l -> l.id().equals(pid))) {
                    policies.add(new AclLink(pid, null));
                }
            }
            List<AclServiceIdentity> services = noMerge ? new ArrayList<>() : new ArrayList<>(current.serviceIdentities());
            for (AclServiceIdentity s : AclFormat.serviceIdentities(serviceIdentities)) {
                services.removeIf(x -> x.serviceName().equals(s.serviceName()));
                services.add(s);
            }
            List<AclNodeIdentity> nodes = noMerge ? new ArrayList<>() : new ArrayList<>(current.nodeIdentities());
            for (AclNodeIdentity n : AclFormat.nodeIdentities(nodeIdentities)) {
                if (!nodes.contains(n)) {
                    nodes.add(n);
                }
            }
            String desc = set(description) ? description : noMerge ? "" : current.description();
            AclRole updated = new AclRole(current.id(), set(name) ? name : current.name(), desc, policies, services, nodes, null, 0, 0);
            return print(client().acl().roleUpdate(updated), x -> AclFormat.role(x, meta));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (RosterException e) {
            return fail("Failed to update role " + full + ": " + describe(e));
        }
    }
}
