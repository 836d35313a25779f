package io.roster.cli;

import io.roster.api.RosterClient.RaftConfiguration;
import io.roster.api.RosterClient.RaftServer;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code roster operator raft list-peers}: the Raft configuration as Consul prints it, aligned
 * columns {@code Node ID Address State Voter RaftProtocol}, State {@code leader} or
 * {@code follower}.
 */
@Command(name = "list-peers", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster operator raft list-peers [options]",
        description = {"List the Raft peers of the servers and which one is the leader.",
                "With -stale any server answers, which helps when there is no leader."},
        footer = {"", "Examples:", "  roster operator raft list-peers", "  roster operator raft list-peers -stale"})
final class OperatorRaftListPeersCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        RaftConfiguration conf;
        try {
            conf = client().operator().raftConfiguration(http.queryOptions());
        } catch (RosterException e) {
            return fail("Error getting peers: Failed to retrieve raft configuration: " + describe(e));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Node", "ID", "Address", "State", "Voter", "RaftProtocol"));
        for (RaftServer s : conf.servers()) {
            String protocol = s.protocolVersion() == null || s.protocolVersion().isEmpty() ? "<=1" : s.protocolVersion();
            rows.add(List.of(nz(s.node()), nz(s.id()), nz(s.address()), s.leader() ? "leader" : "follower",
                    Boolean.toString(s.voter()), protocol));
        }
        out.println(GoFormat.columnize(rows));
        return 0;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
