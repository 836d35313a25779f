package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code roster catalog datacenters}: one datacenter per line. */
@Command(name = "datacenters", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster catalog datacenters [options]",
        description = "List the known datacenters.",
        footer = {"", "Example:", "  roster catalog datacenters"})
final class CatalogDatacentersCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        try {
            for (String dc : client().catalog().datacenters()) {
                out.println(dc);
            }
        } catch (RosterException e) {
            return fail("Error listing datacenters: " + describe(e));
        }
        return 0;
    }
}
