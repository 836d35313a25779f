package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.gossip.Gossip;
import io.roster.gossip.GossipConfig;
import io.roster.gossip.Listener;
import io.roster.gossip.transport.UdpTcpTransport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Resource hygiene of a client agent whose only server cannot be reached: a real client process
 * joins a gossip member that claims to be a server ({@code role=consul}) but whose server port
 * refuses connections. For {@value #SECONDS} s the client is kept busy (forwarded HTTP reads,
 * DNS questions in the domain, anti-entropy retrying every second) while its file descriptors
 * (/proc/pid/fd), threads (/proc/pid/status) and log lines are sampled: none may grow beyond a
 * small constant, and every failure answer is one line. Figures are printed.
 */
class StarvedClientProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private static final int SECONDS = Integer.getInteger("roster.it.starvedSeconds", 75);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process proc;
    private Gossip ghost;

    @AfterEach
    void stop() {
        if (proc != null) {
            proc.destroyForcibly();
        }
        if (ghost != null) {
            ghost.shutdown();
        }
    }

    private static int fds(long pid) {
        String[] l = Path.of("/proc/" + pid + "/fd").toFile().list();
        return l == null ? -1 : l.length;
    }

    private static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        return -1;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One A question for {@code name}; the rcode, or -1 when no answer came. */
    private static int dig(int port, String name) throws IOException {
        org.xbill.DNS.Message q = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString(name), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
        byte[] wire = q.toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(wire, wire.length, new InetSocketAddress("127.0.0.1", port)));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new org.xbill.DNS.Message(java.util.Arrays.copyOf(buf, p.getLength())).getRcode();
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    @Test
    void clientWithAnUnreachableServerHoldsConstantResourcesAndLogsBounded() throws Exception {
        int deadServerPort = Ports.free(); // nothing listens there: every connection is refused
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("role", "consul");
        tags.put("dc", "dc1");
        tags.put("port", Integer.toString(deadServerPort));
        tags.put("http", "127.0.0.1:1"); // a client must never use it
        ghost = Gossip.create(GossipConfig.lan("ghost-server").toBuilder().tags(tags).build(),
                UdpTcpTransport.bind("127.0.0.1", 0), new Listener() { });
        ghost.start();

        int http = Ports.free();
        int dns = Ports.free();
        Path dir = Files.createTempDirectory("roster-starved");
        Path log = dir.resolve("agent.log");
        proc = new ProcessBuilder(HOME.resolve("bin/roster").toString(), "agent", "-node=starved", "-log-level=info",
                "-data-dir=" + dir.resolve("data"), "-bind=127.0.0.1", "-client=127.0.0.1", "-http-port=" + http,
                "-dns-port=" + dns, "-serf-lan-port=0", "-retry-join=" + ghost.address())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long pid = proc.pid();
        Awaitility.await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> get(http, "/v1/agent/members").body().contains("ghost-server"));
        HttpRequest reg = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"web\",\"Port\":80}")).build();
        assertThat(HTTP.send(reg, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // The answer while starved: Consul's status and one line, no Java class.
        HttpResponse<String> starved = get(http, "/v1/kv/x");
        assertThat(starved.statusCode()).isEqualTo(500);
        assertThat(starved.body().strip()).startsWith("rpc error").doesNotContain("\n").doesNotContain("Exception")
                .doesNotContain("io.roster");
        assertThat(dig(dns, "web.service.consul.")).isEqualTo(org.xbill.DNS.Rcode.SERVFAIL);

        long logLinesAtStart = Files.lines(log).count();
        List<int[]> samples = new ArrayList<>();
        long requests = 0;
        long end = System.nanoTime() + Duration.ofSeconds(SECONDS).toNanos();
        long nextSample = System.nanoTime();
        for (int i = 0; i < 1_000_000 && System.nanoTime() < end; i++) {
            HttpResponse<String> r = get(http, "/v1/catalog/services?index=1&wait=1s");
            assertThat(r.statusCode()).isEqualTo(500);
            requests++;
            if (i % 10 == 0) {
                assertThat(dig(dns, "web.service.consul.")).isIn(org.xbill.DNS.Rcode.SERVFAIL, -1);
            }
            if (System.nanoTime() >= nextSample) {
                samples.add(new int[] {fds(pid), threads(pid)});
                nextSample += Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(20);
        }
        long logLines = Files.lines(log).count() - logLinesAtStart;
        System.out.printf("starved client over %d s: %d forwarded requests; (fds, threads) every 5 s: %s; %d log lines%n",
                SECONDS, requests, samples.stream().map(s -> "(" + s[0] + "," + s[1] + ")").toList(), logLines);
        assertThat(proc.isAlive()).isTrue();
        assertThat(samples).hasSizeGreaterThan(3);
        // After the first sample (warm-up: the connectors and pools are up), nothing grows.
        int[] first = samples.get(1);
        for (int[] s : samples.subList(1, samples.size())) {
            assertThat(s[0]).as("file descriptors").isLessThanOrEqualTo(first[0] + 8);
            assertThat(s[1]).as("threads").isLessThanOrEqualTo(first[1] + 8);
        }
        // Rate-limited: a few lines per 30 s interval per failing loop, not one per retry.
        assertThat(logLines).as("log lines in " + SECONDS + " s for " + requests + " failed requests").isLessThan(40);
    }
}
