package io.roster.cli;

import io.roster.api.AclToken;
import io.roster.api.RosterException;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code roster acl token list}: {@code GET /v1/acl/tokens}, each token as a block separated by a blank line. */
@Command(name = "list", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token list [options]",
        description = {"List every ACL token the caller may read."},
        footer = {"", "Examples:", "  roster acl token list", "  roster acl token list -format=json"})
final class AclTokenListCommand extends AclOutputCommand {
    @Override
    int run() {
        checkFormat();
        List<AclToken> tokens;
        try {
            tokens = client().acl().tokenList(null, null, null, http.queryOptions());
        } catch (RosterException e) {
            return fail("Failed to retrieve the token list: " + describe(e));
        }
        return print(tokens, l -> AclFormat.tokenList(l, meta));
    }
}
