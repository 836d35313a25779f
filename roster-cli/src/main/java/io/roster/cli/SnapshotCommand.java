package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster snapshot}: save, restore and inspect snapshots of the whole state. Without a subcommand: exit 2. */
@Command(name = "snapshot", description = "Save, restore and inspect snapshots of the state (KV, sessions, catalog).",
        subcommands = {SnapshotSaveCommand.class, SnapshotRestoreCommand.class, SnapshotInspectCommand.class},
        footer = {"", "Example:", "  roster snapshot save backup.snap", "  roster snapshot inspect backup.snap",
                "  roster snapshot restore backup.snap"})
final class SnapshotCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
