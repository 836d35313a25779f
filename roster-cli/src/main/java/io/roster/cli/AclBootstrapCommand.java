package io.roster.cli;

import io.roster.api.RosterException;
import picocli.CommandLine.Command;

/**
 * {@code roster acl bootstrap}: {@code PUT /v1/acl/bootstrap}, printing the initial management
 * token (its SecretID is shown here and by {@code acl token read}, never logged).
 */
@Command(name = "bootstrap", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl bootstrap [options]",
        description = {"Create the initial management token (once per cluster).",
                "A second bootstrap is refused with the reset index to write to the data directory's acl-bootstrap-reset file."},
        footer = {"", "Examples:", "  roster acl bootstrap", "  roster acl bootstrap -format=json"})
final class AclBootstrapCommand extends AclOutputCommand {
    @Override
    int run() {
        checkFormat();
        try {
            return print(client().acl().bootstrap(), t -> AclFormat.token(t, meta));
        } catch (RosterException e) {
            return fail("Failed ACL bootstrapping: " + describe(e));
        }
    }
}
