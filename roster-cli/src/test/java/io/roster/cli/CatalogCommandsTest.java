package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.Node;
import io.roster.api.QueryOptions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roster catalog datacenters|nodes|services}: Consul's columns, filters and empty-result message. */
class CatalogCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @BeforeAll
    static void registerNodes() {
        AGENT.put("/v1/catalog/register", """
                {"Node": "web-1", "ID": "a1b2c3d4-0000-4000-8000-000000000001", "Address": "10.0.0.5",
                 "NodeMeta": {"rack": "r1"},
                 "Service": {"Service": "web", "ID": "web-a", "Port": 80, "Tags": ["v1", "blue"]}}""");
        AGENT.put("/v1/catalog/register", """
                {"Node": "web-1", "ID": "a1b2c3d4-0000-4000-8000-000000000001", "Address": "10.0.0.5", "NodeMeta": {"rack": "r1"},
                 "Service": {"Service": "web", "ID": "web-b", "Port": 81, "Tags": ["canary"]}}""");
        AGENT.put("/v1/catalog/register", """
                {"Node": "db-1", "ID": "e5f6a7b8-0000-4000-8000-000000000002", "Address": "10.0.0.6",
                 "NodeMeta": {"rack": "r2"},
                 "Service": {"Service": "db", "Port": 5432}}""");
    }

    @Test
    void datacentersOnePerLine() {
        Cli.Result r = Cli.run("catalog", "datacenters");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("dc1\n");
    }

    @Test
    void nodesInConsulsColumns() {
        Node self = AGENT.client().catalog().nodes(Map.of(), QueryOptions.DEFAULT).value().stream()
                .filter(n -> n.node().equals("cli-test-node")).findFirst().orElseThrow();
        String shortId = self.id().substring(0, self.id().indexOf('-'));
        Cli.Result r = Cli.run("catalog", "nodes");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(
                "Node           ID        Address    DC\n"
                + "cli-test-node  " + shortId + "  127.0.0.1  dc1\n"
                + "db-1           e5f6a7b8  10.0.0.6   dc1\n"
                + "web-1          a1b2c3d4  10.0.0.5   dc1\n");
    }

    @Test
    void nodesDetailedShowsFullIdTaggedAddressesAndMeta() {
        Cli.Result r = Cli.run("catalog", "nodes", "-detailed", "-node-meta=rack=r1");
        assertThat(r.out()).isEqualTo(
                "Node   ID                                    Address   DC   TaggedAddresses  Meta\n"
                + "web-1  a1b2c3d4-0000-4000-8000-000000000001  10.0.0.5  dc1                   rack=r1\n");
    }

    @Test
    void nodesFilteredByServiceOrMeta() {
        assertThat(Cli.run("catalog", "nodes", "-service=db").out()).isEqualTo(
                "Node  ID        Address   DC\ndb-1  e5f6a7b8  10.0.0.6  dc1\n");
        assertThat(Cli.run("catalog", "nodes", "-node-meta=rack=r2", "-near=_agent").out()).contains("db-1").doesNotContain("web-1");

        Cli.Result none = Cli.run("catalog", "nodes", "-service=nope");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("No nodes match the given query - try expanding your search.\n");

        Cli.Result bad = Cli.run("catalog", "nodes", "-node-meta=rack");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("invalid value \"rack\" for flag -node-meta: Missing \"=\" value in argument: rack\n");
        assertThat(Cli.run("catalog", "nodes", "extra").err()).isEqualTo("Too many arguments (expected 0, got 1)\n");
    }

    @Test
    void servicesSortedWithOptionalTags() {
        assertThat(Cli.run("catalog", "services").out()).isEqualTo("consul\ndb\nweb\n");
        assertThat(Cli.run("catalog", "services", "-tags").out()).isEqualTo(
                "consul      \n"
                + "db          \n"
                + "web         blue,canary,v1\n");
        assertThat(Cli.run("catalog", "services", "-node=web-1", "-tags").out()).isEqualTo("web      blue,canary,v1\n");
        assertThat(Cli.run("catalog", "services", "-node-meta=rack=r2").out()).isEqualTo("db\n");

        Cli.Result none = Cli.run("catalog", "services", "-node=nope");
        assertThat(none.code()).isZero();
        assertThat(none.err()).isEqualTo("No services match the given query - try expanding your search.\n");
    }
}
