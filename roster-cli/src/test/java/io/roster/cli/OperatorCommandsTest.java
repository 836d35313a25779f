package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roster operator raft list-peers|remove-peer}, and {@code roster version}. */
class OperatorCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @Test
    void listPeersShowsOneLeader() {
        Cli.Result r = Cli.run("operator", "raft", "list-peers");
        assertThat(r.code()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("Node +ID +Address +State +Voter +RaftProtocol");
        assertThat(lines[1]).matches("\\S+ +\\S+ +\\S+ +leader +true +3");
        // columns line up: each header starts where its cells start
        assertThat(lines[1].indexOf(" leader ") + 1).isEqualTo(lines[0].indexOf("State"));
        assertThat(Cli.run("operator", "raft", "list-peers", "-stale").out()).isEqualTo(r.out());
    }

    @Test
    void listPeersErrors() {
        Cli.Result r = Cli.run("operator", "raft", "list-peers", "-http-addr=127.0.0.1:1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error getting peers: Failed to retrieve raft configuration: ").hasLineCount(1);
        assertThat(Cli.run("operator", "raft", "list-peers", "extra").code()).isEqualTo(2);
        assertThat(Cli.run("operator").code()).isEqualTo(2);
        assertThat(Cli.run("operator", "raft").code()).isEqualTo(2);
    }

    @Test
    void removePeerNeedsExactlyOneTargetAndNamesAnUnknownOne() {
        Cli.Result none = Cli.run("operator", "raft", "remove-peer");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Exactly one of -address or -id must be given");
        assertThat(Cli.run("operator", "raft", "remove-peer", "-address=a:1", "-id=x").code()).isEqualTo(2);
        Cli.Result unknown = Cli.run("operator", "raft", "remove-peer", "-address=127.0.0.1:1");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error removing peer: Unexpected response code: 500 "
                + "(address \"127.0.0.1:1\" was not found in the Raft configuration)\n");
        // A dev agent is the only server: it cannot remove itself.
        String self = AGENT.client().status().leader();
        Cli.Result only = Cli.run("operator", "raft", "remove-peer", "-address=" + self);
        assertThat(only.code()).isEqualTo(1);
        assertThat(only.err()).contains("cannot remove the only server of the cluster");
    }

    @Test
    void versionAndItsHelp() {
        assertThat(Cli.run("version").out()).isEqualTo("Roster v" + Version.ROSTER + "\nConsul API compatibility: v" + Version.CONSUL_API + "\n");
        Cli.Result h = Cli.run("version", "-h");
        assertThat(h.code()).isZero();
        assertThat(h.out()).startsWith("Usage: roster version").contains("Example:");
    }
}
