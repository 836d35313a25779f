package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster operator raft remove-peer}: {@code DELETE /v1/operator/raft/peer}. */
@Command(name = "remove-peer", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster operator raft remove-peer [options] (-address=<host:port> | -id=<id>)",
        description = {"Remove a server from the Raft configuration.",
                "For a server that is gone for good and did not leave gracefully; a live server should run 'roster leave'.",
                "The IDs and addresses are those 'roster operator raft list-peers' prints."},
        footer = {"", "Example:", "  roster operator raft remove-peer -address=10.0.0.3:8300"})
final class OperatorRaftRemovePeerCommand extends ClientCommand {
    @Option(names = "-address", paramLabel = "<host:port>", description = "The Raft address of the server to remove.")
    String address;

    @Option(names = "-id", paramLabel = "<id>", description = "The Raft ID of the server to remove.")
    String id;

    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        boolean byAddress = address != null && !address.isEmpty();
        boolean byId = id != null && !id.isEmpty();
        if (byAddress == byId) {
            throw usage("Exactly one of -address or -id must be given");
        }
        try {
            client().operator().raftRemovePeer(byId ? id : address, byId);
        } catch (RosterException e) {
            return fail("Error removing peer: " + describe(e));
        }
        out.println(byId ? "Removed peer with id \"" + id + "\"" : "Removed peer with address \"" + address + "\"");
        return 0;
    }
}
