package io.roster.cli;

import io.roster.api.AclRole;
import io.roster.api.QueryOptions;
import io.roster.api.RosterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl role delete}: {@code DELETE /v1/acl/role/<ID>}, by ID (or a unique prefix) or by name. */
@Command(name = "delete", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role delete [options] (-id ID | -name NAME)",
        description = {"Delete an ACL role; tokens that linked it lose what it granted."},
        footer = {"", "Examples:", "  roster acl role delete -name app", "  roster acl role delete -id 57147d87"})
final class AclRoleDeleteCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The role's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The role's name.")
    String name;

    @Override
    int run() {
        if (!set(id) && !set(name)) {
            return fail("Must specify either the -id or -name parameters");
        }
        String full = idOrName("role", id, name, this::roleId,
                n -> client().acl().roleReadByName(n, QueryOptions.DEFAULT).map(AclRole::id));
        if (full == null) {
            return 1;
        }
        try {
            client().acl().roleDelete(full);
        } catch (RosterException e) {
            return fail("Error deleting role \"" + full + "\": " + describe(e));
        }
        out.println("Role \"" + full + "\" deleted successfully");
        return 0;
    }
}
