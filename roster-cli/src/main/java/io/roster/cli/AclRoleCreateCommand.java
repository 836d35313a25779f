package io.roster.cli;

import io.roster.api.AclLink;
import io.roster.api.AclRole;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl role create}: {@code PUT /v1/acl/role}, a name for a set of policies and identities. */
@Command(name = "create", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role create [options] -name NAME",
        description = {"Create an ACL role linking policies, service identities or node identities (at least one)."},
        footer = {"", "Examples:", "  roster acl role create -name app -policy-name app-kv",
                "  roster acl role create -name web -description \"web servers\" -service-identity web -node-identity web-1:dc1"})
final class AclRoleCreateCommand extends AclOutputCommand {
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The role's name (required).")
    String name;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A description of the role.")
    String description;
    @Option(names = {"-policy-id", "--policy-id"}, paramLabel = "ID", description = "ID (or unique prefix) of a policy to link. Repeatable.")
    List<String> policyIds = new ArrayList<>();
    @Option(names = {"-policy-name", "--policy-name"}, paramLabel = "NAME", description = "Name of a policy to link. Repeatable.")
    List<String> policyNames = new ArrayList<>();
    @Option(names = {"-service-identity", "--service-identity"}, paramLabel = "NAME[:DC,...]",
            description = "A service identity: SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2. Repeatable.")
    List<String> serviceIdentities = new ArrayList<>();
    @Option(names = {"-node-identity", "--node-identity"}, paramLabel = "NODE:DC",
            description = "A node identity: NODENAME:DATACENTER. Repeatable.")
    List<String> nodeIdentities = new ArrayList<>();

    @Override
    int run() {
        checkFormat();
        if (!set(name)) {
            return fail("Missing required '-name' flag");
        }
        if (policyIds.isEmpty() && policyNames.isEmpty() && serviceIdentities.isEmpty() && nodeIdentities.isEmpty()) {
            return fail("Cannot create a role without specifying -policy-name, -policy-id, -service-identity, or -node-identity at least once");
        }
        try {
            List<AclLink> policies = new ArrayList<>();
            for (String n : policyNames) {
                policies.add(new AclLink(null, n));
            }
            for (String id : policyIds) {
                try {
                    policies.add(new AclLink(policyId(id), null));
                } catch (IllegalArgumentException e) {
                    return fail("Error resolving policy ID " + id + ": " + e.getMessage());
                }
            }
            AclRole r = new AclRole(null, name, description, policies, AclFormat.serviceIdentities(serviceIdentities),
                    AclFormat.nodeIdentities(nodeIdentities), null, 0, 0);
            return print(client().acl().roleCreate(r), x -> AclFormat.role(x, meta));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (RosterException e) {
            return fail("Failed to create new role: " + describe(e));
        }
    }
}
