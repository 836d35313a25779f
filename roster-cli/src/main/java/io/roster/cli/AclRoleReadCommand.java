package io.roster.cli;

import io.roster.api.AclRole;
import io.roster.api.RosterException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl role read}: one role, by ID (or a unique prefix) or by name. */
@Command(name = "read", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role read [options] (-id ID | -name NAME)",
        description = {"Show one ACL role: its policies and identities."},
        footer = {"", "Examples:", "  roster acl role read -name app", "  roster acl role read -id 57147d87 -format=json"})
final class AclRoleReadCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The role's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The role's name.")
    String name;

    @Override
    int run() {
        checkFormat();
        if (!set(id) && !set(name)) {
            return fail("Must specify either the -id or -name parameters");
        }
        String what = set(id) ? id : name;
        try {
            Optional<AclRole> r;
            if (set(id)) {
                String full;
                try {
                    full = roleId(id);
                } catch (IllegalArgumentException e) {
                    return fail("Error determining role ID: " + e.getMessage());
                }
                what = full;
                r = client().acl().roleRead(full, http.queryOptions());
            } else {
                r = client().acl().roleReadByName(name, http.queryOptions());
            }
            if (r.isEmpty()) {
                return fail("Error reading role \"" + what + "\": ACL not found");
            }
            return print(r.get(), x -> AclFormat.role(x, meta));
        } catch (RosterException e) {
            return fail("Error reading role \"" + what + "\": " + describe(e));
        }
    }
}
