package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.testkit.RosterExtension;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real {@code consul_sd_configs} consumer discovers services registered in Roster, with the
 * Prometheus scrape configuration of {@code fixtures/prometheus-consul-sd.yml} (verbatim) pointed at the agent, and follows
 * deregistration through blocking queries.
 *
 * <p>The consumer is VictoriaMetrics' {@code vmagent} (Debian package {@code victoria-metrics}),
 * which reads Prometheus scrape configs and implements Consul discovery with the same HTTP calls
 * and {@code __meta_consul_*} labels. Debian's {@code prometheus} 2.42.0+ds is built without
 * Consul discovery ("field consul_sd_configs not found in type config.ScrapeConfig"), so it cannot
 * be used here.
 */
class ConsulSdDiscoveryTest {
    private static final Path VMAGENT = Path.of("/usr/bin/vmagent");
    private static final Path FIXTURE = Fixtures.path("prometheus-consul-sd.yml");
    private final HttpClient http = HttpClient.newHttpClient();
    /** A fresh dev agent for the test, stopped after {@link #stop()} has stopped vmagent. */
    @RegisterExtension
    final RosterExtension roster = RosterExtension.dev().nodeName("prom-node").withoutDns();
    private Process vmagent;

    @AfterEach
    void stop() throws Exception {
        if (vmagent != null) {
            vmagent.destroy();
            if (!vmagent.waitFor(10, TimeUnit.SECONDS)) {
                vmagent.destroyForcibly();
            }
        }
    }

    private String put(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(roster.httpUri().resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s -> %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    /** Active targets of a job: address -> discovered labels. */
    private Map<String, JsonNode> targets(int promPort, String job) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        assertThat(vmagent.isAlive()).as("vmagent is running").isTrue();
        HttpResponse<byte[]> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/api/v1/targets")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException notListeningYet) {
            return out;
        }
        if (r.statusCode() != 200) {
            return out;
        }
        for (JsonNode t : Json.mapper().readTree(r.body()).at("/data/activeTargets")) {
            if (job.equals(t.at("/labels/job").asText())) {
                out.put(t.at("/discoveredLabels/__address__").asText(), t.get("discoveredLabels"));
            }
        }
        return out;
    }

    @Test
    void consulSdDiscoversRegisteredServicesAndFollowsChanges() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        assumeTrue(ci || Files.isExecutable(VMAGENT), "vmagent is not installed (CI installs victoria-metrics)");
        assertThat(VMAGENT).as("CI must install victoria-metrics").isExecutable();
        assertThat(FIXTURE).exists();

        int agentPort = roster.httpPort();
        // Two exporters with the tags the fixture's "pg" job asks for, one without, and a pushgateway.
        put("/v1/agent/service/register", "{\"Name\":\"pg-exporter\",\"ID\":\"pg-exp-1\",\"Port\":9630,\"Address\":\"127.0.0.1\","
                + "\"Tags\":[\"pg\",\"exporter\"],\"Meta\":{\"cluster\":\"pg-test\"}}");
        put("/v1/agent/service/register", "{\"Name\":\"pg-exporter\",\"ID\":\"pg-exp-2\",\"Port\":9631,\"Address\":\"127.0.0.2\","
                + "\"Tags\":[\"pg\",\"exporter\",\"replica\"]}");
        put("/v1/agent/service/register", "{\"Name\":\"node-exporter\",\"Port\":9100,\"Tags\":[\"node\"]}");
        put("/v1/agent/service/register", "{\"Name\":\"pushgateway\",\"Port\":9091,\"Address\":\"127.0.0.1\"}");

        Path dir = Files.createTempDirectory("roster-prom");
        String config = Files.readString(FIXTURE).replace("127.0.0.1:8500", "127.0.0.1:" + agentPort)
                .replace("refresh_interval: 5s", "refresh_interval: 1s");
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(cfg, config);
        int promPort = Ports.free();
        // vmagent polls Consul every consulSDCheckInterval (its blocking queries wait up to that long);
        // refresh_interval is Prometheus-only, hence strictParse=false. Nothing is written anywhere.
        List<String> cmd = new ArrayList<>(List.of(VMAGENT.toString(), "-promscrape.config=" + cfg,
                "-promscrape.config.strictParse=false", "-promscrape.consulSDCheckInterval=1s",
                "-remoteWrite.url=http://127.0.0.1:1/api/v1/write", "-remoteWrite.tmpDataPath=" + dir.resolve("data"),
                "-httpListenAddr=127.0.0.1:" + promPort));
        vmagent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(targets(promPort, "pg").keySet())
                        .as("vmagent log: %s", Files.readString(dir.resolve("prometheus.log")))
                        .containsExactlyInAnyOrder("127.0.0.1:9630", "127.0.0.2:9631"));
        JsonNode labels = targets(promPort, "pg").get("127.0.0.1:9630");
        assertThat(labels.get("__meta_consul_service").asText()).isEqualTo("pg-exporter");
        assertThat(labels.get("__meta_consul_service_id").asText()).isEqualTo("pg-exp-1");
        assertThat(labels.get("__meta_consul_node").asText()).isEqualTo("prom-node");
        assertThat(labels.get("__meta_consul_dc").asText()).isEqualTo("dc1");
        assertThat(labels.get("__meta_consul_tags").asText()).isEqualTo(",pg,exporter,");
        assertThat(labels.get("__meta_consul_service_metadata_cluster").asText()).isEqualTo("pg-test");
        // No service checks, and the node's serfHealth passes.
        assertThat(labels.get("__meta_consul_health").asText()).isEqualTo("passing");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(targets(promPort, "pushgateway").keySet()).containsExactly("127.0.0.1:9091"));

        // A deregistration reaches the scraper through its blocking query.
        put("/v1/agent/service/deregister/pg-exp-2", "");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(targets(promPort, "pg").keySet()).containsExactly("127.0.0.1:9630"));
    }
}
