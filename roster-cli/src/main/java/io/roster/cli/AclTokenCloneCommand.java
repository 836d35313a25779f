package io.roster.cli;

import io.roster.api.RosterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl token clone}: {@code PUT /v1/acl/token/<AccessorID>/clone}, a new token with the same links. */
@Command(name = "clone", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token clone [options] -accessor-id ID",
        description = {"Copy an ACL token: new AccessorID and SecretID, same policies, roles and identities."},
        footer = {"", "Examples:", "  roster acl token clone -accessor-id 4d123dff -description \"app, second copy\""})
final class AclTokenCloneCommand extends AclOutputCommand {
    @Option(names = {"-accessor-id", "--accessor-id"}, paramLabel = "ID", description = "AccessorID of the token to copy (a unique prefix will do).")
    String accessorId;
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Deprecated spelling of -accessor-id.")
    String id;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "Description of the copy (default: the original's).")
    String description;

    @Override
    int run() {
        checkFormat();
        String accessor = set(accessorId) ? accessorId : id;
        if (!set(accessor)) {
            return fail("Cannot clone a token without specifying the -accessor-id parameter");
        }
        String full;
        try {
            full = tokenId(accessor);
        } catch (IllegalArgumentException e) {
            return fail("Error determining token ID: " + e.getMessage());
        } catch (RosterException e) {
            return fail("Error determining token ID: " + describe(e));
        }
        try {
            return print(client().acl().tokenClone(full, description), t -> AclFormat.token(t, meta));
        } catch (RosterException e) {
            return fail("Error cloning token: " + describe(e));
        }
    }
}
