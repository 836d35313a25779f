package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster operator raft}: the Raft subsystem. Without a subcommand: exit 2. */
@Command(name = "raft", description = "Inspect and change the Raft peers of the servers.",
        subcommands = {OperatorRaftListPeersCommand.class, OperatorRaftRemovePeerCommand.class},
        footer = {"", "Example:", "  roster operator raft list-peers"})
final class OperatorRaftCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
