package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roster members|info|reload|maint}: the agent's own endpoints. */
class AgentOpsCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @Test
    void membersInConsulsColumns() {
        Cli.Result r = Cli.run("members");
        assertThat(r.code()).as(r.toString()).isZero();
        // A dev agent gossips on a port the OS picks: 5 digits on Linux (32768-60999).
        String addr = AGENT.agent().gossip().address();
        assertThat(addr).hasSize("127.0.0.1:".length() + 5);
        assertThat(r.out()).isEqualTo(
                "Node           Address          Status  Type    Build   Protocol  DC   Partition  Segment\n"
                + "cli-test-node  " + addr + "  alive   server  " + Version.CONSUL_API + "  2         dc1  default    <all>\n");
        assertThat(Cli.run("members", "-detailed").out())
                .startsWith("Node           Address          Status  Tags\ncli-test-node  " + addr + "  alive   ")
                .contains("dc=dc1").contains("role=consul").contains("segment=<all>");
    }

    @Test
    void membersMatchingNoStatusExitTwoAsConsul() {
        Cli.Result r = Cli.run("members", "-status=failed|left");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(Cli.run("members", "-status=ali").code()).isZero();
        assertThat(Cli.run("members", "-status=(").err()).startsWith("Failed to compile status regexp: ");
    }

    @Test
    void infoPrintsSortedSections() {
        Cli.Result r = Cli.run("info");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("agent:\n\tcheck_monitors = ").contains("\nbuild:\n\tprerelease = \n")
                .contains("\truntime:".substring(1) + "\n\tarch = ").contains("\tversion = " + Version.CONSUL_API + "\n");
    }

    @Test
    void reloadTriggersAReload() {
        Cli.Result r = Cli.run("reload");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("Configuration reload triggered\n");
    }

    @Test
    void maintenanceOfTheNodeAndOfAService() {
        AGENT.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 80}");
        assertThat(Cli.run("maint").out()).isEmpty();

        assertThat(Cli.run("maint", "-enable", "-reason", "kernel upgrade").out()).isEqualTo("Node maintenance is now enabled\n");
        assertThat(Cli.run("maint", "-enable", "-service=web").out()).isEqualTo("Service maintenance is now enabled for \"web\"\n");
        assertThat(AGENT.client().agent().checks()).containsKeys("_node_maintenance", "_service_maintenance:web");
        assertThat(Cli.run("maint").out()).isEqualTo("""
                Node:
                  Name:   cli-test-node
                  Reason: kernel upgrade

                Service:
                  ID:     web
                  Reason: Maintenance mode is enabled for this service, but no reason was provided. This is a default message.

                """);

        assertThat(Cli.run("maint", "-disable").out()).isEqualTo("Node maintenance is now disabled\n");
        assertThat(Cli.run("maint", "-disable", "-service=web").out()).isEqualTo("Service maintenance is now disabled for \"web\"\n");
        assertThat(Cli.run("maint").out()).isEmpty();

        Cli.Result unknown = Cli.run("maint", "-enable", "-service=nope");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("Error enabling service maintenance: Unexpected response code: 404");
        AGENT.client().agent().serviceDeregister("web");
    }

    @Test
    void maintenanceUsageMistakes() {
        assertThat(Cli.run("maint", "-enable", "-disable")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Only one of -enable or -disable may be provided\n");
        });
        assertThat(Cli.run("maint", "-reason=x").err()).isEqualTo("Reason may only be provided with -enable\n");
        assertThat(Cli.run("maint", "-service=web").err()).isEqualTo("Service requires either -enable or -disable\n");
    }

    @Test
    void gossipCommands() {
        Cli.Result key = Cli.run("keygen");
        assertThat(key.code()).isZero();
        assertThat(java.util.Base64.getDecoder().decode(key.out().strip())).hasSize(32);

        Cli.Result fired = Cli.run("event", "-name=deploy", "v1");
        assertThat(fired.code()).as(fired.toString()).isZero();
        assertThat(fired.out()).startsWith("Event ID: ");
        String id = fired.out().strip().substring("Event ID: ".length());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Cli.run("watch", "-type=event", "-name=deploy").out().contains(id));
        assertThat(Cli.run("event", "v1").code()).isEqualTo(2);
        assertThat(Cli.run("event", "-name=x", "-tag=a").err()).contains("Cannot provide tag filter without service filter");

        assertThat(Cli.run("force-leave", "nobody")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("Error force leaving: Unexpected response code: 500");
        });
        assertThat(Cli.run("force-leave").code()).isEqualTo(2);
        assertThat(Cli.run("join", "127.0.0.1:1")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("Error joining address: ");
        });
        assertThat(Cli.run("keyring", "-list")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("encryption is not enabled");
        });
        assertThat(Cli.run("keyring").code()).isEqualTo(2);
    }
}
