package io.roster.cli;

import io.roster.api.RosterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code roster snapshot restore}: sends a snapshot file to the agent, which replaces the whole
 * state with it on every server; prints {@code Restored snapshot}. The agent refuses a file that is
 * not a complete Roster snapshot (exit 1, nothing changed).
 */
@Command(name = "restore", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster snapshot restore [options] FILE",
        description = {"Restore a snapshot of the state (KV, sessions, catalog) from a file.",
                "The current state is replaced, not merged; this cannot be undone."},
        footer = {"", "Example:", "  roster snapshot restore backup.snap"})
final class SnapshotRestoreCommand extends ClientCommand {
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (args.isEmpty()) {
            throw usage("Missing FILE argument");
        }
        maxArgs(args, 1);
        byte[] data;
        try {
            data = Files.readAllBytes(Path.of(args.get(0)));
        } catch (IOException e) {
            return fail("Error opening snapshot file: " + Main.oneLine(String.valueOf(e.getMessage())));
        }
        try {
            client().snapshot().restore(data, http.writeParams());
        } catch (RosterException e) {
            return fail("Error restoring snapshot: " + describe(e));
        }
        out.println("Restored snapshot");
        return 0;
    }
}
