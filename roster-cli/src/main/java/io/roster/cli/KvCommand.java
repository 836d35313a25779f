package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster kv}: the KV store's subcommands. Without one, picocli answers "Missing required subcommand" (exit 2). */
@Command(name = "kv", description = "Read and write the key-value store.",
        subcommands = {KvGetCommand.class, KvPutCommand.class, KvDeleteCommand.class, KvExportCommand.class, KvImportCommand.class,
                KvHistoryCommand.class},
        footer = {"", "Example:", "  roster kv put redis/config/connections 5",
                "  roster kv get -detailed redis/config/connections"})
final class KvCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
