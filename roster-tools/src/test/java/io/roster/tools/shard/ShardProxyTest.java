package io.roster.tools.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.tools.DevAgent;
import io.roster.tools.ctmpl.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three real Debian Pushgateways behind the proxy; one is killed and brought back. */
class ShardProxyTest {
    private static final Path PUSHGATEWAY = Path.of("/usr/bin/prometheus-pushgateway");
    private static final Path VMAGENT = Path.of("/usr/bin/vmagent");
    private static final int JOBS = 60;

    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process[] gateways = new Process[3];
    private final int[] ports = new int[3];
    private ShardProxy proxy;
    private Process vmagent;

    @AfterEach
    void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.close();
        }
        if (vmagent != null) {
            vmagent.destroy();
            if (!vmagent.waitFor(10, TimeUnit.SECONDS)) {
                vmagent.destroyForcibly();
            }
        }
        for (Process p : gateways) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** A port below the ephemeral range, free for TCP now (a bind(0) port can be taken by an outgoing connection). */
    private static int freePort() throws IOException {
        for (int i = 0; i < 200; i++) {
            int p = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
            try (ServerSocket s = new ServerSocket(p)) {
                s.setReuseAddress(true);
                return p;
            } catch (IOException e) {
                // taken; try another
            }
        }
        throw new IOException("no free port in 20000-29999");
    }

    private Process startGateway(int port) throws IOException {
        return new ProcessBuilder(PUSHGATEWAY.toString(), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn",
                // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: shared by all three, and left behind.
                "--persistence.file=")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private HttpResponse<String> send(String method, int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Which gateway (index) holds each job now, read from the gateways themselves. */
    private Map<String, Integer> holders() throws Exception {
        Map<String, Integer> where = new HashMap<>();
        for (int g = 0; g < 3; g++) {
            if (gateways[g] == null || !gateways[g].isAlive()) {
                continue;
            }
            String metrics = send("GET", ports[g], "/metrics", null).body();
            for (int j = 0; j < JOBS; j++) {
                if (metrics.contains("job=\"job" + j + "\"")) {
                    Integer old = where.put("job" + j, g);
                    String lines = String.join("\n", metrics.lines().filter(l -> l.contains("job=\"job")).limit(8).toList());
                    assertThat(old).as("job%d is on one gateway only (also on %s; gateway %d has:\n%s) ports %s ring %s", j, old, g, lines, java.util.Arrays.toString(ports), proxy.members()).isNull();
                }
            }
        }
        return where;
    }

    private void pushAll() throws Exception {
        for (int j = 0; j < JOBS; j++) {
            HttpResponse<String> r = send("PUT", proxy.port(), "/metrics/job/job" + j, "pushed_" + j + " " + j + "\n");
            assertThat(r.statusCode()).as("push job%d: %s", j, r.body()).isEqualTo(200);
        }
    }

    private void deleteAll() throws Exception {
        for (int j = 0; j < JOBS; j++) {
            assertThat(send("DELETE", proxy.port(), "/metrics/job/job" + j, null).statusCode()).isIn(200, 202);
        }
    }

    private String member(int g) {
        return "127.0.0.1:" + ports[g];
    }

    @Test
    void pushesSpreadAFailedGatewaysJobsMoveAndComeBack() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PUSHGATEWAY), "Debian's prometheus-pushgateway is not installed");
        List<String> servers = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            ports[g] = freePort();
            gateways[g] = startGateway(ports[g]);
            servers.add("127.0.0.1:" + ports[g]);
        }
        proxy = new ShardProxy(new ShardProxy.Options(AGENT.address(), null, "pushgateway", "127.0.0.1:0", servers,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(10),
                new Log(new PrintStream(PrintStream.nullOutputStream()), false))).start();
        assertThat(AGENT.client().agent().services()).containsKeys("127.0.0.1_" + ports[0], "127.0.0.1_" + ports[1], "127.0.0.1_" + ports[2]);
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.members().size() == 3);
        assertThat(send("GET", proxy.port(), "/-/healthy", null).statusCode()).isEqualTo(200);

        scrapeDiscoversTheGateways(servers);

        pushAll();
        Map<String, Integer> before = holders();
        assertThat(before).hasSize(JOBS);
        assertThat(before.values()).as("pushes spread over all three").contains(0, 1, 2);
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            assertThat(proxy.route("/metrics/job/" + e.getKey())).isEqualTo(member(e.getValue()));
        }

        // One gateway dies: once its check is critical, its jobs go to the other two, and only its jobs move.
        gateways[0].destroy();
        gateways[0].waitFor(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.members().equals(List.of(member(1), member(2)).stream().sorted().toList()));
        deleteAll();
        pushAll();
        Map<String, Integer> during = holders();
        assertThat(during).hasSize(JOBS);
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            if (e.getValue() != 0) {
                assertThat(during.get(e.getKey())).as("%s stays where it was", e.getKey()).isEqualTo(e.getValue());
            } else {
                assertThat(during.get(e.getKey())).as("%s moved off the dead gateway", e.getKey()).isIn(1, 2);
            }
        }

        // It comes back: routing returns to the first layout.
        gateways[0] = startGateway(ports[0]);
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.members().size() == 3);
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            assertThat(proxy.route("/metrics/job/" + e.getKey())).isEqualTo(member(e.getValue()));
        }
        String own = send("GET", proxy.port(), "/metrics", null).body();
        assertThat(own).contains("roster_shard_proxy_ring_members 3").contains("roster_shard_proxy_responses_total{code=\"200\"} " + (2 * JOBS));
        assertThat(send("GET", proxy.port(), "/metrics/job/job1", null).body()).startsWith("nextUrl:http://127.0.0.1:");
    }

    /** The seeds' {@code consul_sd_configs} job for service pushgateway, run by a real vmagent, finds the proxy's registrations. */
    private void scrapeDiscoversTheGateways(List<String> servers) throws Exception {
        if (!Files.isExecutable(VMAGENT)) {
            assertThat("true".equals(System.getenv("CI"))).as("CI must install victoria-metrics").isFalse();
            return;
        }
        Path dir = Files.createTempDirectory("to-vmagent");
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(cfg, "scrape_configs:\n  - job_name: pushgateway\n    consul_sd_configs:\n      - server: " + AGENT.address()
                + "\n        services:\n          - pushgateway\n");
        int port = freePort();
        vmagent = new ProcessBuilder(VMAGENT.toString(), "-promscrape.config=" + cfg, "-promscrape.consulSDCheckInterval=1s",
                "-remoteWrite.url=http://127.0.0.1:1/api/v1/write", "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                "-httpListenAddr=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("vmagent.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> found = new ArrayList<>();
            try {
                String body = send("GET", port, "/api/v1/targets", null).body();
                for (com.fasterxml.jackson.databind.JsonNode t : io.roster.api.Json.mapper().readTree(body).at("/data/activeTargets")) {
                    if ("pushgateway".equals(t.at("/labels/job").asText())) {
                        found.add(t.at("/discoveredLabels/__address__").asText());
                    }
                }
            } catch (IOException notYet) {
                // vmagent is not listening yet
            }
            assertThat(found).containsExactlyInAnyOrderElementsOf(servers);
        });
    }

    @Test
    void noPassingInstanceIs503() throws Exception {
        int dead = freePort();
        proxy = new ShardProxy(new ShardProxy.Options(AGENT.address(), null, "pgw-none", "127.0.0.1:0", List.of("127.0.0.1:" + dead),
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(10),
                new Log(new PrintStream(PrintStream.nullOutputStream()), false))).start();
        HttpResponse<String> r = send("POST", proxy.port(), "/metrics/job/x", "a 1\n");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("no passing pgw-none instance\n");
        assertThat(send("GET", proxy.port(), "/nope", null).statusCode()).isEqualTo(404);
    }
}
