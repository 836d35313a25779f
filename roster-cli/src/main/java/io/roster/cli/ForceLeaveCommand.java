package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster force-leave [-prune] NODE}: {@code PUT /v1/agent/force-leave/<node>}. */
@Command(name = "force-leave", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster force-leave [options] NODE",
        description = {"Force a failed member of the cluster into the \"left\" state.",
                "Its node is then removed from the catalog. An agent that is still alive will rejoin."},
        footer = {"", "Examples:", "  roster force-leave web-7", "  roster force-leave -prune web-7"})
final class ForceLeaveCommand extends ClientCommand {
    @Option(names = {"-prune", "--prune"}, description = "Remove the member from the member list at once.")
    boolean prune;
    @Option(names = {"-wan", "--wan"}, description = "In the WAN pool of servers (name the member <node>.<datacenter>).")
    boolean wan;
    @Parameters(arity = "0..*", paramLabel = "NODE", hidden = true)
    List<String> nodes = new ArrayList<>();

    @Override
    int run() {
        if (nodes.size() != 1) {
            throw usage("A single node name must be specified to force leave.");
        }
        try {
            client().agent().forceLeave(nodes.getFirst(), prune, wan);
        } catch (RosterException e) {
            return fail("Error force leaving: " + describe(e));
        }
        return 0;
    }
}
