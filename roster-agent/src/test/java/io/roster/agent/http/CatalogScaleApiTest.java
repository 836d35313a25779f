package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import io.roster.api.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 25 on a real dev agent: woken watchers of one query share one rendering, answers are
 * gzipped when asked as Consul's handler does, and the HTTP and DNS reads touch catalog rows in
 * proportion to what they return (the table's counter, {@code roster.catalog.rows_touched}).
 */
class CatalogScaleApiTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final int NODES = 120;
    private static final String[] SERVICES = {"web", "db", "cache"};

    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev(b -> b.dnsPort(0));

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void register() {
        for (int n = 0; n < NODES; n++) {
            for (String s : SERVICES) {
                String id = s + "-" + n;
                String tags = n % 10 == 0 ? "[\"v1\",\"canary\"]" : "[\"v1\"]";
                Reply r = AGENT.http().put("/v1/catalog/register", "{\"Node\":\"n" + n + "\",\"Address\":\"10.3.0." + (n % 250)
                        + "\",\"NodeMeta\":{\"rack\":\"r" + (n % 12) + "\"},\"Service\":{\"ID\":\"" + id + "\",\"Service\":\""
                        + s + "\",\"Tags\":" + tags + ",\"Port\":80},\"Check\":{\"CheckID\":\"service:" + id
                        + "\",\"Name\":\"c\",\"Status\":\"passing\",\"ServiceID\":\"" + id + "\"}}");
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
            }
        }
    }

    private static long rows() {
        return AGENT.agent().store().catalogRowsTouched();
    }

    private static BlockingQuery blocking() {
        return AGENT.agent().http().blocking();
    }

    private static HttpResponse<byte[]> get(String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + AGENT.agent().httpPort() + path))
                .timeout(AWAIT);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void watchersWokenAtOneIndexShareOneRenderingPerQuery() throws Exception {
        long idx = AGENT.http().get("/v1/health/service/web").index();
        long parkedBefore = AGENT.parked();
        List<CompletableFuture<HttpResponse<byte[]>>> plain = new ArrayList<>();
        List<CompletableFuture<HttpResponse<byte[]>>> canary = new ArrayList<>();
        List<CompletableFuture<HttpResponse<byte[]>>> zipped = new ArrayList<>();
        String base = "http://127.0.0.1:" + AGENT.agent().httpPort() + "/v1/health/service/web?index=" + idx + "&wait=60s";
        for (int i = 0; i < 40; i++) {
            plain.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofByteArray()));
            canary.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(base + "&tag=canary")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
            if (i < 10) {
                zipped.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(base)).header("Accept-Encoding", "gzip").build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
        }
        await().atMost(AWAIT).until(() -> AGENT.parked() >= parkedBefore + 90);
        long renderings = blocking().wokenRenderings();
        long answers = blocking().wokenAnswers();
        // One write wakes all 90: a web instance moves to another port.
        assertThat(AGENT.http().put("/v1/catalog/register", "{\"Node\":\"n10\",\"Address\":\"10.3.0.10\",\"NodeMeta\":{\"rack\":\"r10\"},"
                + "\"Service\":{\"ID\":\"web-10\",\"Service\":\"web\",\"Tags\":[\"v1\",\"canary\"],\"Port\":81}}").status()).isEqualTo(200);
        byte[] first = null;
        for (CompletableFuture<HttpResponse<byte[]>> f : plain) {
            HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow())).isGreaterThan(idx);
            assertThat(r.headers().firstValue("X-Consul-KnownLeader")).contains("true");
            if (first == null) {
                first = r.body();
            }
            assertThat(r.body()).isEqualTo(first);
        }
        JsonNode web = Json.mapper().readTree(first);
        assertThat(web).hasSize(NODES);
        assertThat(web.findValues("Port").stream().map(JsonNode::asInt)).contains(81);
        for (CompletableFuture<HttpResponse<byte[]>> f : canary) {
            JsonNode c = Json.mapper().readTree(f.get(30, TimeUnit.SECONDS).body());
            assertThat(c).hasSize(NODES / 10);
        }
        for (CompletableFuture<HttpResponse<byte[]>> f : zipped) {
            HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.headers().firstValue("Content-Encoding")).contains("gzip");
            assertThat(gunzip(r.body())).isEqualTo(first);
        }
        assertThat(blocking().wokenAnswers() - answers).isEqualTo(90);
        // Two distinct queries (with and without ?tag=; Accept-Encoding is not part of the answer): two renderings.
        assertThat(blocking().wokenRenderings() - renderings).isEqualTo(2);
    }

    @Test
    void answersAreGzippedWhenAskedFromConsulsMinimumSize() throws Exception {
        HttpResponse<byte[]> plain = get("/v1/health/service/db", null);
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body().length).isGreaterThan(Call.GZIP_MIN_SIZE);
        assertThat(plain.headers().allValues("Vary")).contains("Accept-Encoding");

        HttpResponse<byte[]> gz = get("/v1/health/service/db", "deflate, gzip;q=0.8, br");
        assertThat(gz.statusCode()).isEqualTo(200);
        assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
        assertThat(gz.body().length).isLessThan(plain.body().length / 4);
        assertThat(new String(gunzip(gz.body()), StandardCharsets.UTF_8)).isEqualTo(new String(plain.body(), StandardCharsets.UTF_8));

        // Below 1,400 bytes, with q=0, or without gzip listed: sent as is.
        HttpResponse<byte[]> small = get("/v1/status/leader", "gzip");
        assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(small.body().length).isLessThan(Call.GZIP_MIN_SIZE);
        assertThat(get("/v1/health/service/db", "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(get("/v1/health/service/db", "br, deflate").headers().firstValue("Content-Encoding")).isEmpty();
        // An error is a one-line text, gzipped or not: here too short to be.
        HttpResponse<byte[]> bad = get("/v1/health/state/nope", "gzip");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Encoding")).isEmpty();
    }

    @Test
    void httpReadsTouchRowsInProportionToTheirAnswers() {
        int catalog = NODES * SERVICES.length;
        // ?tag= narrows through the tag index: 12 canaries of 120.
        long before = rows();
        JsonNode canaries = AGENT.http().get("/v1/catalog/service/cache?tag=canary").json();
        long cost = rows() - before;
        assertThat(canaries).hasSize(NODES / 10);
        assertThat(cost).as("rows for ?tag=canary").isLessThanOrEqualTo(NODES / 10 + 3);

        // ?node-meta= narrows through the node-meta index: 10 nodes of rack r3.
        before = rows();
        JsonNode rack = AGENT.http().get("/v1/catalog/nodes?node-meta=rack:r3").json();
        cost = rows() - before;
        assertThat(rack).hasSize(NODES / 12);
        assertThat(cost).as("rows for catalog/nodes?node-meta").isLessThanOrEqualTo(NODES / 12 + 1);

        before = rows();
        JsonNode health = AGENT.http().get("/v1/health/service/db?node-meta=rack:r3&passing").json();
        cost = rows() - before;
        assertThat(health).hasSize(NODES / 12);
        assertThat(cost).as("rows for health/service?node-meta").isLessThanOrEqualTo((long) (NODES / 12) * (1 + SERVICES.length + 2) + 2);

        // ?filter= is evaluated over the candidates the other parameters select (here web's instances), never the catalog.
        before = rows();
        JsonNode filtered = AGENT.http().get("/v1/catalog/service/web?filter=" + java.net.URLEncoder.encode(
                "ServiceTags contains \"canary\"", StandardCharsets.UTF_8)).json();
        cost = rows() - before;
        assertThat(filtered).hasSize(NODES / 10);
        assertThat(cost).as("rows for ?filter over web").isLessThanOrEqualTo(NODES + 1).isLessThan(catalog);

        before = rows();
        JsonNode names = AGENT.http().get("/v1/catalog/services").json();
        cost = rows() - before;
        assertThat(names.has("web") && names.has("db") && names.has("cache")).isTrue();
        assertThat(cost).as("rows for catalog/services").isLessThanOrEqualTo(4 * (names.size() + 2L));

        before = rows();
        JsonNode critical = AGENT.http().get("/v1/health/state/critical").json();
        cost = rows() - before;
        assertThat(cost).as("rows for health/state/critical").isLessThanOrEqualTo(critical.size() + 1L);

        // The agent's own services (what a client agent answers) come from its local state: no catalog row at all.
        before = rows();
        assertThat(AGENT.http().get("/v1/agent/services").status()).isEqualTo(200);
        assertThat(rows() - before).as("rows for agent/services").isZero();
    }

    @Test
    void aDnsAnswerTouchesTheInstancesOfItsServiceOnly() throws Exception {
        long before = rows();
        Process dig = new ProcessBuilder("dig", "@127.0.0.1", "-p", Integer.toString(AGENT.agent().dns().port()),
                "+tcp", "+short", "cache.service.consul", "SRV").redirectErrorStream(true).start();
        String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dig.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long cost = rows() - before;
        assertThat(out.lines().filter(l -> l.contains("n")).count()).as(out).isEqualTo(NODES);
        // The answer's instances with their node checks and own checks; the DNS cache may add the name listing.
        System.out.println("CatalogScaleApiTest DNS SRV cache.service.consul: " + cost + " rows for " + NODES + " answers");
        assertThat(cost).isLessThanOrEqualTo(3L * NODES + 2 * (SERVICES.length + 2) + NODES + 2);
    }

    private static List<String> dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(AGENT.agent().dns().port())));
        cmd.addAll(List.of(args));
        Process dig = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dig.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void aUdpDnsAnswerLooksAtTheInstancesItReturnsOnly() throws Exception {
        // Plain UDP (no EDNS, no retry over TCP): the answers that fit 512 bytes, out of the service's 120.
        dig("+noedns", "+ignore", "+short", "web.service.consul", "SRV"); // reads the service once at this index
        long rowsBefore = rows();
        long lookedBefore = AGENT.agent().dns().instancesLooked();
        int queries = 10;
        java.util.Set<String> firsts = new java.util.HashSet<>();
        for (int q = 0; q < queries; q++) {
            List<String> answers = dig("+noedns", "+ignore", "+short", "web.service.consul", "SRV");
            assertThat(answers).as("answers").isNotEmpty().hasSizeLessThan(NODES)
                    .allMatch(l -> l.matches("1 1 8\\d n\\d+\\.node\\.dc1\\.consul\\."));
            assertThat(answers).as("answers").doesNotHaveDuplicates();
            firsts.add(String.join(",", answers));
        }
        long looked = AGENT.agent().dns().instancesLooked() - lookedBefore;
        System.out.println("CatalogScaleApiTest DNS SRV over UDP: " + looked + " instances looked at, "
                + (rows() - rowsBefore) + " rows, for " + queries + " UDP answers out of " + NODES);
        // Each answer looks at no more than 512 bytes could carry (512 / 16 + 1, see QueryHandler.answerCap), not the 120.
        assertThat(looked).as("instances looked at").isLessThanOrEqualTo((512 / 16 + 1L) * queries);
        // The store is read once per index and name: no write happened, so no row at all.
        assertThat(rows() - rowsBefore).as("rows touched").isLessThanOrEqualTo(3L * NODES + 2 * (SERVICES.length + 2) + NODES + 2);
        // The 3 are drawn at random (120 instances: ten equal draws would be a broken shuffle).
        assertThat(firsts).as("answers of %d queries", queries).hasSizeGreaterThan(1);
    }

    @Test
    void readsAtOnceAtOneIndexShareOneReadAndOneRendering() throws Exception {
        // The first read at this index renders (or finds) the answer; the others probe the index and send those bytes.
        HttpResponse<byte[]> first = get("/v1/health/service/db?passing", null);
        assertThat(first.statusCode()).isEqualTo(200);
        long before = rows();
        int reads = 10;
        for (int i = 0; i < reads; i++) {
            HttpResponse<byte[]> r = get("/v1/health/service/db?passing", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(first.body());
            assertThat(r.headers().firstValue("X-Consul-Index")).isEqualTo(first.headers().firstValue("X-Consul-Index"));
        }
        long cost = rows() - before;
        System.out.println("CatalogScaleApiTest " + reads + " reads at once of health/service/db: " + cost + " rows");
        // Each read costs its index probe, not the service's 120 instances and their checks (3 rows each).
        assertThat(cost).as("rows for %d reads at once", reads).isLessThanOrEqualTo(2L * reads);
        assertThat(Json.mapper().readTree(first.body())).hasSize(NODES);
    }
}
