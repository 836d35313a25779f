package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code advertise_addr} different from {@code bind_addr}, on loopback addresses (Linux answers
 * for all of 127/8): what others are told (catalog node, tagged addresses, members, Raft peers and
 * leader, agent/self) is the advertised address, while the sockets are bound where bind and
 * client say, and HTTP listens on every client address.
 */
class AdvertiseAddressProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> procs = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : procs) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private HttpResponse<String> call(String host, int port, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(int port, String path) throws Exception {
        return Json.mapper().readTree(call("127.0.0.1", port, "GET", path, null).body());
    }

    private Path start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/roster").toString(), "agent"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("roster-advertise", ".log");
        procs.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        return log;
    }

    @Test
    void aServerBoundToTheWildcardAdvertisesItsAdvertiseAddress() throws Exception {
        int httpPort = Ports.free();
        int raft = Ports.free();
        int serf = Ports.free();
        Path log = start("-server", "-node=adv-server", "-data-dir=" + Files.createTempDirectory("roster-adv"),
                "-bootstrap-expect=1", "-bind=0.0.0.0", "-advertise=127.0.0.5", "-advertise-wan=127.0.0.9",
                "-client=127.0.0.1 127.0.0.3", "-http-port=" + httpPort, "-server-port=" + raft, "-serf-lan-port=" + serf,
                "-dns-port=-1");
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/status/leader").asText().equals("127.0.0.5:" + raft));
        assertThat(get(httpPort, "/v1/status/peers").toString()).isEqualTo("[\"127.0.0.5:" + raft + "\"]");
        // Raft listens on the wildcard, so writes through the advertised address work.
        assertThat(call("127.0.0.1", httpPort, "PUT", "/v1/kv/adv/key", "v").body().strip()).isEqualTo("true");

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/catalog/node/adv-server").path("Node").has("Address"));
        JsonNode node = get(httpPort, "/v1/catalog/node/adv-server").path("Node");
        assertThat(node.path("Address").asText()).as(Files.readString(log)).isEqualTo("127.0.0.5");
        // The leader's reconciliation writes the node from gossip first; the agent's sync adds its WAN address.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertThat(get(httpPort, "/v1/catalog/node/adv-server").path("Node").path("TaggedAddresses")
                        .toString()).isEqualTo("{\"lan\":\"127.0.0.5\",\"lan_ipv4\":\"127.0.0.5\",\"wan\":\"127.0.0.9\","
                                + "\"wan_ipv4\":\"127.0.0.9\"}"));

        JsonNode members = get(httpPort, "/v1/agent/members");
        assertThat(members).hasSize(1);
        assertThat(members.get(0).path("Addr").asText()).isEqualTo("127.0.0.5");
        assertThat(members.get(0).path("Port").asInt()).isEqualTo(serf);

        JsonNode self = get(httpPort, "/v1/agent/self");
        assertThat(self.path("Member").path("Addr").asText()).isEqualTo("127.0.0.5");
        JsonNode debug = self.path("DebugConfig");
        assertThat(debug.path("BindAddr").asText()).isEqualTo("0.0.0.0");
        assertThat(debug.path("AdvertiseAddrLAN").asText()).isEqualTo("127.0.0.5");
        assertThat(debug.path("AdvertiseAddrWAN").asText()).isEqualTo("127.0.0.9");
        assertThat(debug.path("ClientAddrs").toString()).isEqualTo("[\"127.0.0.1\",\"127.0.0.3\"]");

        // HTTP answers on both client addresses, and not on the advertised one.
        assertThat(call("127.0.0.3", httpPort, "GET", "/v1/status/leader", null).statusCode()).isEqualTo(200);
        try (java.net.Socket s = new java.net.Socket()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                    s.connect(new java.net.InetSocketAddress("127.0.0.5", httpPort), 2000)))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aDevAgentBindsGossipOnBindAddrAndAdvertisesAnother() throws Exception {
        int httpPort = Ports.free();
        int serf = Ports.free();
        Path log = start("-dev", "-node=adv-dev", "-bind=127.0.0.2", "-advertise=127.0.0.5", "-http-port=" + httpPort,
                "-serf-lan-port=" + serf, "-dns-port=-1");
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/catalog/node/adv-dev").path("Node").has("Address"));
        assertThat(get(httpPort, "/v1/catalog/node/adv-dev").path("Node").path("Address").asText()).isEqualTo("127.0.0.5");
        assertThat(get(httpPort, "/v1/status/leader").asText()).startsWith("127.0.0.5:");
        assertThat(get(httpPort, "/v1/agent/members").get(0).path("Addr").asText()).isEqualTo("127.0.0.5");
        // Gossip's TCP listener is on the bind address only.
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.2", serf), 2000);
        }
        try (java.net.Socket s = new java.net.Socket()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                    s.connect(new java.net.InetSocketAddress("127.0.0.5", serf), 2000)))
                    .as(Files.readString(log)).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aBindTemplateGivingTwoAddressesStopsTheAgentWithOneLine() throws Exception {
        // (What a wildcard bind detects depends on the host: AddressesTest covers it. A template that
        // yields two addresses for bind_addr is refused the same way on every host.)
        Path log = start("-dev", "-bind={{ GetAllInterfaces | include \"flag\" \"loopback\" | join \"address\" \" \" }}",
                "-http-port=" + Ports.free(), "-dns-port=-1");
        Process p = procs.get(procs.size() - 1);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2); // a bad flag, and no config file: a usage error
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("roster agent: bind_addr cannot contain multiple addresses (")
                .contains("127.0.0.1", "::1").endsWith("). Use 'addresses.{dns,http,https}' instead.");
    }
}
