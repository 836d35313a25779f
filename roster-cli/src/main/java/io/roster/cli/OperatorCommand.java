package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster operator}: cluster operator tools. Without a subcommand: exit 2. */
@Command(name = "operator", description = "Cluster operator tools (the Raft configuration).",
        subcommands = {OperatorRaftCommand.class},
        footer = {"", "Example:", "  roster operator raft list-peers"})
final class OperatorCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
