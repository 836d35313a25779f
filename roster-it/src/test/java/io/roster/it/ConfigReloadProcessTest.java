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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A config directory as Pigsty writes it (the fixture {@code svc-postgres.json}, verbatim) loaded by
 * {@code bin/roster agent -dev -config-dir}, then changed and re-read by SIGHUP and
 * {@code /v1/agent/reload}; a broken file is refused and the running configuration kept.
 */
class ConfigReloadProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path FIXTURE = Fixtures.path("svc-postgres.json");
    private final HttpClient http = HttpClient.newHttpClient();
    private Process agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    private HttpResponse<String> call(int port, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode services(int port) throws Exception {
        return Json.mapper().readTree(call(port, "GET", "/v1/agent/services").body());
    }

    private void hup() throws Exception {
        Process k = new ProcessBuilder("kill", "-HUP", Long.toString(agent.pid())).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).isZero();
    }

    @Test
    void pigstyServiceLoadsAndReloadFollowsTheDirectory() throws Exception {
        assertThat(FIXTURE).exists();
        Path dir = Files.createTempDirectory("roster-conf");
        Files.copy(FIXTURE, dir.resolve("svc-postgres.json"));
        int port = Ports.free();
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        agent = new ProcessBuilder(HOME.resolve("bin/roster").toString(), "agent", "-dev", "-http-port=" + port,
                "-config-dir=" + dir, "-node=conf-node").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .untilAsserted(() -> assertThat(call(port, "GET", "/v1/status/leader").statusCode()).isEqualTo(200));

        JsonNode pg = services(port).get("postgres");
        assertThat(pg).as("agent log: %s", Files.readString(log)).isNotNull();
        assertThat(pg.get("Port").asInt()).isEqualTo(5432);
        assertThat(pg.get("Tags").toString()).isEqualTo("[\"primary\",\"pg-test\"]");
        assertThat(pg.get("Meta").get("instance").asText()).isEqualTo("pg-test-1");
        JsonNode check = Json.mapper().readTree(call(port, "GET", "/v1/agent/checks").body()).get("service:postgres");
        assertThat(check.get("Type").asText()).isEqualTo("tcp");
        assertThat(check.get("Interval").asText()).isEqualTo("15s");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Json.mapper().readTree(call(port, "GET", "/v1/catalog/service/postgres").body())).hasSize(1));

        // A new file, then SIGHUP: the new service appears.
        Files.writeString(dir.resolve("svc-extra.hcl"), "service {\n  name = \"extra\"\n  port = 9000\n}\n");
        hup();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(services(port).has("extra")).isTrue());

        // A broken file: reload answers 500 with one line naming it, and nothing changes.
        Files.writeString(dir.resolve("zz-broken.json"), "{\"service\": {\"name\": ");
        HttpResponse<String> r = call(port, "PUT", "/v1/agent/reload");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body().strip()).contains("zz-broken.json").doesNotContain("\n");
        hup();
        assertThat(services(port).has("extra")).isTrue();
        assertThat(services(port).has("postgres")).isTrue();
        assertThat(agent.isAlive()).isTrue();

        // Fixed directory without the extra service: reload removes it, keeps postgres.
        Files.delete(dir.resolve("zz-broken.json"));
        Files.delete(dir.resolve("svc-extra.hcl"));
        assertThat(call(port, "PUT", "/v1/agent/reload").statusCode()).isEqualTo(200);
        assertThat(services(port).has("extra")).isFalse();
        assertThat(services(port).has("postgres")).isTrue();
    }

    @Test
    void aBrokenConfigFileStopsTheAgentWithOneLine() throws Exception {
        Path dir = Files.createTempDirectory("roster-conf-bad");
        Files.writeString(dir.resolve("bad.json"), "{\"node_name\": \"x\", \"no_such_key\": 1}");
        Path out = dir.resolveSibling(dir.getFileName() + ".out");
        agent = new ProcessBuilder(HOME.resolve("bin/roster").toString(), "agent", "-dev", "-http-port=" + Ports.free(),
                "-config-dir=" + dir).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(agent.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(1);
        String text = Files.readString(out).strip();
        assertThat(text.lines().filter(l -> !l.startsWith("roster: building")).toList()).hasSize(1);
        assertThat(text).contains("bad.json").contains("no_such_key");
    }
}
