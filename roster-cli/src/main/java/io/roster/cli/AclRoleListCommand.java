package io.roster.cli;

import io.roster.api.AclRole;
import io.roster.api.RosterException;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code roster acl role list}: {@code GET /v1/acl/roles}. */
@Command(name = "list", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role list [options]",
        description = {"List every ACL role with its policies and identities."},
        footer = {"", "Examples:", "  roster acl role list", "  roster acl role list -format=json"})
final class AclRoleListCommand extends AclOutputCommand {
    @Override
    int run() {
        checkFormat();
        List<AclRole> roles;
        try {
            roles = client().acl().roleList(null, http.queryOptions());
        } catch (RosterException e) {
            return fail("Failed to retrieve the role list: " + describe(e));
        }
        return print(roles, l -> AclFormat.roleList(l, meta));
    }
}
