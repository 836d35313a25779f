package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.QueryOptions;
import io.roster.api.RosterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl policy delete}: {@code DELETE /v1/acl/policy/<ID>}, by ID (or a unique prefix) or by name. */
@Command(name = "delete", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl policy delete [options] (-id ID | -name NAME)",
        description = {"Delete an ACL policy; tokens and roles that linked it lose what it granted."},
        footer = {"", "Examples:", "  roster acl policy delete -name app-kv", "  roster acl policy delete -id 35b8ecb0"})
final class AclPolicyDeleteCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The policy's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The policy's name.")
    String name;

    @Override
    int run() {
        if (!set(id) && !set(name)) {
            return fail("Must specify either the -id or -name parameters");
        }
        String full = idOrName("policy", id, name, this::policyId,
                n -> client().acl().policyReadByName(n, QueryOptions.DEFAULT).map(AclPolicy::id));
        if (full == null) {
            return 1;
        }
        try {
            client().acl().policyDelete(full);
        } catch (RosterException e) {
            return fail("Error deleting policy \"" + full + "\": " + describe(e));
        }
        out.println("Policy \"" + full + "\" deleted successfully");
        return 0;
    }
}
