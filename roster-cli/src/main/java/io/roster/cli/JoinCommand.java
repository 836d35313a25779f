package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster join ADDRESS...}: {@code PUT /v1/agent/join/<address>} for each address. */
@Command(name = "join", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster join [options] ADDRESS...",
        description = {"Tell the agent to join the LAN gossip pool through other agents.",
                "An address is host or host:port of an agent's LAN gossip port (default port 8301)."},
        footer = {"", "Example:", "  roster join 10.0.0.5 10.0.0.6:8301", "  roster join -wan 10.1.0.5"})
final class JoinCommand extends ClientCommand {
    @Option(names = {"-wan", "--wan"}, description = "Join the WAN pool of servers (a server only; default port 8302).")
    boolean wan;
    @Parameters(arity = "0..*", paramLabel = "ADDRESS", hidden = true)
    List<String> addresses = new ArrayList<>();

    @Override
    int run() {
        if (addresses.isEmpty()) {
            throw usage("At least one address to join must be specified.");
        }
        int joined = 0;
        RosterException last = null;
        for (String a : addresses) {
            try {
                client().agent().join(a, wan);
                joined++;
            } catch (RosterException e) {
                last = e;
            }
        }
        if (joined == 0) {
            return fail("Error joining address: " + describe(last));
        }
        out.println("Successfully joined cluster by contacting " + joined + " nodes.");
        return 0;
    }
}
