package io.roster.cli;

import io.roster.api.QueryResult;
import io.roster.api.RosterException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code roster snapshot save}: writes the agent's snapshot to {@code FILE.unverified}, checks it
 * (a {@code roster-snapshot} header, complete rows), then renames it to {@code FILE}, as Consul
 * does; prints {@code Saved and verified snapshot to index N} with the index the agent answered.
 */
@Command(name = "save", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster snapshot save [options] FILE",
        description = {"Save a snapshot of the state (KV, sessions, catalog) to a file.",
                "The snapshot is read from the leader unless -stale is given."},
        footer = {"", "Examples:", "  roster snapshot save backup.snap", "  roster snapshot save -stale backup.snap"})
final class SnapshotSaveCommand extends ClientCommand {
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (args.isEmpty()) {
            throw usage("Missing FILE argument");
        }
        maxArgs(args, 1);
        Path file = Path.of(args.get(0));
        QueryResult<byte[]> snap;
        try {
            snap = client().snapshot().save(http.queryOptions());
        } catch (RosterException e) {
            return fail("Error saving snapshot: " + describe(e));
        }
        Path unverified = Path.of(args.get(0) + ".unverified");
        try {
            Files.write(unverified, snap.value());
        } catch (IOException e) {
            return fail("Error writing unverified snapshot file: " + Main.oneLine(String.valueOf(e.getMessage())));
        }
        try (InputStream in = Files.newInputStream(unverified)) {
            SnapshotFile.read(in);
        } catch (IOException e) {
            return fail("Error verifying snapshot file: " + Main.oneLine(String.valueOf(e.getMessage())));
        }
        try {
            Files.move(unverified, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return fail("Error renaming unverified snapshot file: " + Main.oneLine(String.valueOf(e.getMessage())));
        }
        out.println("Saved and verified snapshot to index " + snap.index());
        return 0;
    }
}
