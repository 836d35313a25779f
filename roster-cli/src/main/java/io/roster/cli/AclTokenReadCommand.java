package io.roster.cli;

import io.roster.api.AclToken;
import io.roster.api.RosterException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl token read}: one token by AccessorID (or a unique prefix), or the caller's own with {@code -self}. */
@Command(name = "read", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token read [options] (-accessor-id ID | -self)",
        description = {"Show one ACL token: its SecretID, links and identities."},
        footer = {"", "Examples:", "  roster acl token read -accessor-id 4d123dff", "  roster acl token read -self -format=json"})
final class AclTokenReadCommand extends AclOutputCommand {
    @Option(names = {"-accessor-id", "--accessor-id"}, paramLabel = "ID", description = "AccessorID of the token (a unique prefix will do).")
    String accessorId;
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Deprecated spelling of -accessor-id.")
    String id;
    @Option(names = {"-self", "--self"}, description = "Read the token this command sends (-token, CONSUL_HTTP_TOKEN...).")
    boolean self;

    @Override
    int run() {
        checkFormat();
        String accessor = set(accessorId) ? accessorId : id;
        if (!self && !set(accessor)) {
            return fail("Must specify the -accessor-id parameter");
        }
        AclToken t;
        if (self) {
            try {
                t = client().acl().tokenReadSelf(http.queryOptions());
            } catch (RosterException e) {
                return fail("Error reading token: " + describe(e));
            }
        } else {
            String full;
            try {
                full = tokenId(accessor);
            } catch (IllegalArgumentException e) {
                return fail("Error determining token ID: " + e.getMessage());
            } catch (RosterException e) {
                return fail("Error determining token ID: " + describe(e));
            }
            try {
                Optional<AclToken> r = client().acl().tokenRead(full, http.queryOptions());
                if (r.isEmpty()) {
                    return fail("Error reading token \"" + full + "\": ACL not found");
                }
                t = r.get();
            } catch (RosterException e) {
                return fail("Error reading token \"" + full + "\": " + describe(e));
            }
        }
        return print(t, x -> AclFormat.token(x, meta));
    }
}
