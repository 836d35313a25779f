package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The installable distribution, used as an operator would: {@code bin/dist} builds the tarball
 * (from the jars this build made), it is unpacked in a temporary directory, and Pigsty's way of
 * running Consul works unchanged with the {@code consul} name: {@code consul agent -config-dir=<dir>}
 * (Pigsty's files, with loopback addresses and free ports), {@code consul members},
 * {@code consul reload} after a new {@code svc-*.json}. The JDK's warnings never reach stderr.
 */
class DistributionProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path PIGSTY = Fixtures.path("pigsty");
    private static final Path SVC = Fixtures.path("svc-postgres.json");
    private final HttpClient http = HttpClient.newHttpClient();
    private Process agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null && agent.isAlive()) {
            agent.destroy();
            if (!agent.waitFor(15, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    /** Runs a command to its end (at most 3 minutes) and returns its exit code; output goes to {@code out}. */
    private static int run(Path out, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 3 minutes");
        }
        return p.exitValue();
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body());
    }

    @Test
    void theTarballRunsPigstysConsulCommandsUnchanged() throws Exception {
        Path work = Files.createTempDirectory("roster-dist");
        Path out = work.resolve("dist.out");
        assertThat(run(out, Map.of(), HOME.resolve("bin/dist").toString(), "--no-build")).as(Files.readString(out)).isZero();
        List<String> printed = Files.readAllLines(out);
        Path tarball = Path.of(printed.get(printed.size() - 1));
        assertThat(tarball.getFileName().toString()).matches("roster-.+\\.tar\\.gz");
        assertThat(run(work.resolve("tar.out"), Map.of(), "tar", "-xzf", tarball.toString(), "-C", work.toString())).isZero();
        Path root = work.resolve(tarball.getFileName().toString().replace(".tar.gz", ""));
        assertThat(root.resolve("bin/roster")).isExecutable();
        assertThat(Files.readSymbolicLink(root.resolve("bin/consul"))).isEqualTo(Path.of("roster"));
        assertThat(Files.list(root.resolve("lib")).filter(p -> p.toString().endsWith(".jar")).count()).isGreaterThan(10);
        assertThat(root.resolve("etc/roster.d/roster.json")).exists();
        assertThat(root.resolve("etc/roster.d/server.json.example")).exists();
        String unit = Files.readString(root.resolve("systemd/roster.service"));
        assertThat(unit).contains("ExecStart=/usr/bin/roster agent -config-dir=/etc/roster.d/", "ExecReload=/usr/bin/roster reload",
                "KillSignal=", "LimitNOFILE=");

        // As a package would install it: /usr/bin/consul is a link to the unpacked bin/consul.
        Path usrBin = Files.createDirectories(work.resolve("usr/bin"));
        Path consul = Files.createSymbolicLink(usrBin.resolve("consul"), root.resolve("bin/consul"));

        // Pigsty's files (addresses and ports made local; one server, so bootstrap_expect 1).
        Path conf = Files.createDirectories(work.resolve("consul.d"));
        Path data = Files.createDirectories(work.resolve("data"));
        String pigsty = Files.readString(PIGSTY.resolve("consul.json"))
                .replace("\"bind_addr\": \"10.10.10.10\"", "\"bind_addr\": \"127.0.0.1\"")
                .replace("[\"10.10.10.10\", \"10.10.10.11\", \"10.10.10.12\"]", "[]")
                .replace("/data/consul", data.toString());
        assertThat(pigsty).contains("127.0.0.1").doesNotContain("10.10.10.");
        Files.writeString(conf.resolve("consul.json"), pigsty);
        Files.writeString(conf.resolve("consul-server.json"), "{\"server\": true, \"bootstrap_expect\": 1}");
        Files.copy(PIGSTY.resolve("consul-meta.json"), conf.resolve("consul-meta.json"));
        Files.copy(PIGSTY.resolve("consul-ui.json"), conf.resolve("consul-ui.json"));
        int httpPort = Ports.free();
        Files.writeString(conf.resolve("ports.json"), "{\"ports\": {\"http\": " + httpPort + ", \"dns\": " + Ports.free()
                + ", \"server\": " + Ports.free() + ", \"serf_lan\": " + Ports.free() + "}}");

        Path agentOut = work.resolve("agent.out");
        Path agentErr = work.resolve("agent.err");
        agent = new ProcessBuilder(consul.toString(), "agent", "-config-dir=" + conf + "/")
                .redirectOutput(agentOut.toFile()).redirectError(agentErr.toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/status/leader").asText().startsWith("127.0.0.1:"));
        // The server registers itself in the catalog once it leads.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/catalog/node/meta-1").path("Node").has("Datacenter"));
        JsonNode node = get(httpPort, "/v1/catalog/node/meta-1").path("Node");
        assertThat(node.path("Datacenter").asText()).isEqualTo("pigsty");
        assertThat(node.path("Address").asText()).isEqualTo("127.0.0.1");
        assertThat(node.path("Meta").path("cluster").asText()).isEqualTo("meta");

        Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:" + httpPort);
        Path members = work.resolve("members.out");
        assertThat(run(members, env, consul.toString(), "members")).isZero();
        List<String> rows = Files.readAllLines(members);
        assertThat(rows.get(0)).startsWith("Node").contains("Address", "Status");
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("meta-1").contains("alive", "server", "pigsty"));

        Files.copy(SVC, conf.resolve("svc-postgres.json"));
        Path reload = work.resolve("reload.out");
        assertThat(run(reload, env, consul.toString(), "reload")).isZero();
        assertThat(Files.readString(reload)).contains("Configuration reload triggered");
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(httpPort, "/v1/catalog/services").has("postgres"));

        agent.destroy();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(agentErr, StandardCharsets.UTF_8);
        assertThat(err).as("the JDK's warnings stay off the terminal").doesNotContain("WARNING: ")
                .doesNotContain("sun.misc.Unsafe").doesNotContain("restricted method");
        assertThat(err).contains("Roster agent").doesNotContain("Exception");
        List<String> ps = new ArrayList<>(List.of(Files.readString(agentOut).split("\n")));
        assertThat(ps).allSatisfy(l -> assertThat(l).doesNotContain("WARNING"));
    }
}
