package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code roster reload}: {@code PUT /v1/agent/reload}, the same as sending the agent SIGHUP. */
@Command(name = "reload", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster reload [options]",
        description = {"Make the agent read its configuration files again.", "The same as sending the agent SIGHUP."},
        footer = {"", "Example:", "  roster reload"})
final class ReloadCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        try {
            client().agent().reload();
        } catch (RosterException e) {
            return fail("Error reloading: " + describe(e));
        }
        out.println("Configuration reload triggered");
        return 0;
    }
}
