package io.roster.cli;

import io.roster.api.RosterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl token delete}: {@code DELETE /v1/acl/token/<AccessorID>}. */
@Command(name = "delete", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token delete [options] -accessor-id ID",
        description = {"Delete an ACL token; requests that present it are then answered as the anonymous token's."},
        footer = {"", "Examples:", "  roster acl token delete -accessor-id 4d123dff"})
final class AclTokenDeleteCommand extends AclOutputCommand {
    @Option(names = {"-accessor-id", "--accessor-id"}, paramLabel = "ID", description = "AccessorID of the token (a unique prefix will do).")
    String accessorId;
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Deprecated spelling of -accessor-id.")
    String id;

    @Override
    int run() {
        String accessor = set(accessorId) ? accessorId : id;
        if (!set(accessor)) {
            return fail("Must specify the -accessor-id parameter");
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
            client().acl().tokenDelete(full);
        } catch (RosterException e) {
            return fail("Error deleting token \"" + full + "\": " + describe(e));
        }
        out.println("Token \"" + full + "\" deleted successfully");
        return 0;
    }
}
