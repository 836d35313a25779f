package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code roster leave}: {@code PUT /v1/agent/leave}, a graceful leave and stop of the agent. */
@Command(name = "leave", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster leave [options]",
        description = {"Make the agent leave the cluster gracefully and stop.",
                "A server first removes itself from the Raft configuration, so the remaining servers keep their quorum."},
        footer = {"", "Example:", "  roster leave -http-addr=127.0.0.1:8500"})
final class LeaveCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        try {
            client().agent().leave();
        } catch (RosterException e) {
            return fail("Error leaving: " + describe(e));
        }
        out.println("Graceful leave complete");
        return 0;
    }
}
