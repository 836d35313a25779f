package io.roster.it;

import static io.roster.it.LocalHttp.get;
import static io.roster.it.LocalHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.api.RosterClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gossip issue's end-to-end check, with real processes on loopback: 3 servers and 2 client
 * agents, all with one {@code -encrypt} key. A service registered on a client agent is seen through
 * the servers; an agent with another key cannot join; an event reaches every agent exactly once;
 * kill -9 of a client agent turns its serfHealth and services critical (the time is printed); a
 * graceful leave of the other client removes its node from the catalog.
 *
 * <p>Servers use the default gossip port rule (Raft port + 1) and join each other through their
 * {@code -retry-join} gossip addresses (server port + 1); clients join the first server's gossip port.
 */
class GossipProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private final List<Process> procs = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : procs) {
            p.destroyForcibly();
        }
    }

    private Process launch(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/roster").toString(), "agent", "-node=" + name,
                "-dns-port=-1", "-log-level=info"));
        cmd.addAll(args);
        Path dir = Files.createTempDirectory("roster-gossip-" + name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        procs.add(p);
        return p;
    }

    private static String serfStatus(int port, String node) throws Exception {
        for (JsonNode c : get(port, "/v1/health/node/" + node)) {
            if (c.path("CheckID").asText().equals("serfHealth")) {
                return c.path("Status").asText();
            }
        }
        return "";
    }

    @Test
    void threeServersTwoClientsEndToEnd() throws Exception {
        long started = System.nanoTime();
        String key = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        int[] http = new int[5];
        int[] raft = new int[3];
        for (int i = 0; i < 5; i++) {
            http[i] = Ports.free();
        }
        for (int i = 0; i < 3; i++) {
            raft[i] = Ports.freePair();
        }
        int[] serf = {Ports.free(), Ports.free()};
        List<String> join = new ArrayList<>();
        for (int p : raft) {
            join.add("-retry-join=127.0.0.1:" + (p + 1)); // gossip addresses: a server's gossip port is its server port + 1
        }
        for (int i = 0; i < 3; i++) {
            List<String> args = new ArrayList<>(List.of("-server", "-data-dir=" + Files.createTempDirectory("roster-gossip-data"),
                    "-http-port=" + http[i], "-server-port=" + raft[i], "-bootstrap-expect=3", "-encrypt=" + key,
                    "-bind=127.0.0.1"));
            args.addAll(join);
            launch("server-" + i, args);
        }
        Process[] clients = new Process[2];
        for (int c = 0; c < 2; c++) {
            clients[c] = launch("client-" + c, List.of("-data-dir=" + Files.createTempDirectory("roster-gossip-data"), "-http-port=" + http[3 + c], "-bind=127.0.0.1", "-serf-lan-port=" + serf[c],
                    "-retry-join=127.0.0.1:" + (raft[0] + 1), "-encrypt=" + key));
        }
        for (int i = 0; i < 3; i++) {
            int port = http[i];
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> !RosterClient.create("127.0.0.1:" + port).status().leader().isEmpty());
        }
        for (int i = 0; i < 5; i++) {
            int port = http[i];
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(port, "/v1/agent/members").size() == 5);
        }
        System.out.printf("GossipProcessTest: 5 agents up and joined in %d ms%n", (System.nanoTime() - started) / 1_000_000);

        // A service registered on a client agent is in the servers' catalog.
        HttpResponse<String> reg = send(http[3], "PUT", "/v1/agent/service/register",
                "{\"Name\":\"web\",\"Port\":8080,\"Check\":{\"TTL\":\"10m\",\"Status\":\"passing\"}}");
        assertThat(reg.statusCode()).as(reg.body()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> get(http[1], "/v1/health/service/web?passing").size() == 1);
        assertThat(get(http[4], "/v1/health/service/web").get(0).path("Node").path("Node").asText()).isEqualTo("client-0");
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> serfStatus(http[2], "client-1").equals("passing"));

        // An agent with another key cannot join, and says why.
        int strangerHttp = Ports.free();
        Process stranger = launch("stranger", List.of("-data-dir=" + Files.createTempDirectory("roster-gossip-data"), "-http-port=" + strangerHttp, "-bind=127.0.0.1", "-serf-lan-port=0",
                "-encrypt=" + Base64.getEncoder().encodeToString(new byte[32])));
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(strangerHttp, "/v1/agent/members").size() == 1);
        HttpResponse<String> denied = send(strangerHttp, "PUT", "/v1/agent/join/127.0.0.1:" + (raft[0] + 1), null);
        System.out.println("GossipProcessTest: join with a wrong key: " + denied.statusCode() + " " + denied.body().strip());
        assertThat(denied.statusCode()).isEqualTo(500);
        assertThat(denied.body()).contains("Error joining address");
        stranger.destroyForcibly();
        assertThat(get(http[0], "/v1/agent/members").size()).isEqualTo(5);

        // An event reaches every agent exactly once.
        HttpResponse<String> fired = send(http[4], "PUT", "/v1/event/fire/deploy", "v1");
        assertThat(fired.statusCode()).as(fired.body()).isEqualTo(200);
        String id = Json.mapper().readTree(fired.body()).path("ID").asText();
        for (int i = 0; i < 5; i++) {
            int port = http[i];
            Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> get(port, "/v1/event/list?name=deploy").size() == 1);
            assertThat(get(port, "/v1/event/list?name=deploy").get(0).path("ID").asText()).isEqualTo(id);
        }
        Thread.sleep(1000);
        for (int i = 0; i < 5; i++) {
            assertThat(get(http[i], "/v1/event/list?name=deploy")).as("agent " + i).hasSize(1);
        }

        // kill -9 of client-0: its serfHealth, and so its service, go critical.
        long killed = System.nanoTime();
        Process k = new ProcessBuilder("kill", "-9", Long.toString(clients[0].pid())).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> serfStatus(http[0], "client-0").equals("critical"));
        long detectMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("GossipProcessTest: kill -9 of a client agent to serfHealth critical: %d ms%n", detectMs);
        Awaitility.await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                .until(() -> get(http[1], "/v1/health/service/web?passing").isEmpty());
        assertThat(get(http[1], "/v1/health/service/web")).hasSize(1);

        // A graceful leave of client-1 deregisters its node.
        HttpResponse<String> left = send(http[4], "PUT", "/v1/agent/leave", null);
        assertThat(left.statusCode()).isEqualTo(200);
        // (45 s: on a loaded CI machine the leave message and the leader's reconciliation can be slow.)
        Awaitility.await().atMost(Duration.ofSeconds(45)).ignoreExceptions()
                .until(() -> get(http[2], "/v1/catalog/node/client-1").isNull());
        assertThat(clients[1].waitFor(20, TimeUnit.SECONDS)).as("client-1 exits after leaving").isTrue();
        System.out.printf("GossipProcessTest: done in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }
}
