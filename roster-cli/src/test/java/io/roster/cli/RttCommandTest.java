package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code roster rtt}: Consul's line for two nodes with coordinates 3 ms + two heights apart, and its errors. */
class RttCommandTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    private static String coord(String node, double x) {
        return "{\"Node\":\"" + node + "\",\"Coord\":{\"Vec\":[" + x + ",0,0,0,0,0,0,0],\"Error\":0.2,\"Adjustment\":0,"
                + "\"Height\":0.0001}}";
    }

    @BeforeAll
    static void coordinates() {
        for (String n : new String[] {"rtt-a", "rtt-b"}) {
            AGENT.put("/v1/catalog/register", "{\"Node\":\"" + n + "\",\"Address\":\"10.5.0.1\"}");
        }
        AGENT.put("/v1/coordinate/update", coord("rtt-a", 0.001));
        AGENT.put("/v1/coordinate/update", coord("rtt-b", 0.004));
        AGENT.agent().http().coordinateUpdates().flush();
        await().atMost(Duration.ofSeconds(20)).until(() -> AGENT.client().getJson("/v1/coordinate/nodes").size() >= 2);
    }

    @Test
    void estimatesBetweenTwoNodes() {
        Cli.Result r = Cli.run("rtt", "rtt-a", "rtt-b");
        assertThat(r.code()).isZero();
        // 3 ms apart plus 0.1 ms of height on each side.
        assertThat(r.out()).isEqualTo("Estimated rtt-a <-> rtt-b rtt: 3.200 ms (using LAN coordinates)\n");
    }

    @Test
    void aNodeWithoutCoordinateAndUsageErrors() {
        Cli.Result missing = Cli.run("rtt", "rtt-a", "nobody");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Could not find a coordinate for node \"nobody\"\n");
        Cli.Result none = Cli.run("rtt");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("One or two node names must be specified");
        assertThat(Cli.run("rtt", "a", "b", "c").code()).isEqualTo(2);
    }

    @Test
    void wanEstimatesBetweenServersFromTheWanPoolsCoordinates() throws Exception {
        com.fasterxml.jackson.databind.JsonNode config = AGENT.client().agent().self().path("Config");
        String self = config.path("NodeName").asText() + "." + config.path("Datacenter").asText();
        // The dev agent is the only WAN member: the server asked, against itself.
        await().atMost(Duration.ofSeconds(20)).until(() -> Cli.run("rtt", "-wan", self).code() == 0);
        Cli.Result r = Cli.run("rtt", "-wan", self);
        assertThat(r.out()).matches("Estimated \\Q" + self + " <-> " + self + "\\E rtt: \\d+\\.\\d{3} ms \\(using WAN coordinates\\)\n");
        assertThat(Cli.run("rtt", "-wan", self, self).out()).isEqualTo(r.out());
        Cli.Result missing = Cli.run("rtt", "-wan", "nobody.dc9", self);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Could not find a coordinate for node \"nobody.dc9\"\n");
        Cli.Result plain = Cli.run("rtt", "-wan", "rtt-a", self);
        assertThat(plain.code()).isEqualTo(1);
        assertThat(plain.err()).isEqualTo("Node names must be specified as <node name>.<datacenter> with -wan\n");
    }
}
