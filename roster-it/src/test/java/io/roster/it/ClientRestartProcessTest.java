package io.roster.it;

import static io.roster.it.LocalHttp.get;
import static io.roster.it.LocalHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.RosterClient;
import java.io.IOException;
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
 * Issue 14 item 4 with real processes on loopback: a client agent joined to one server, a service
 * registered through its HTTP API, the client killed with kill -9 and its registration removed from
 * the catalog behind its back; the restarted client (same data_dir) puts the service and its check
 * back in the server's catalog without anyone registering again.
 */
class ClientRestartProcessTest {
    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    private final List<Process> procs = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : procs) {
            p.destroyForcibly();
        }
    }

    private Process launch(String name, Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/roster").toString(), "agent", "-node=" + name,
                "-dns-port=-1", "-log-level=info", "-bind=127.0.0.1"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        procs.add(p);
        return p;
    }

    private static boolean hasCheck(int port, String checkId) throws Exception {
        for (JsonNode c : get(port, "/v1/health/node/client-0")) {
            if (c.path("CheckID").asText().equals(checkId)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void killedClientComesBackWithItsServices() throws Exception {
        int srvHttp = Ports.free();
        int cliHttp = Ports.free();
        int srvPort = Ports.freePair();
        int cliSerf = Ports.free();
        Path work = Files.createTempDirectory("roster-client-restart");
        launch("server-0", work.resolve("server.log"), List.of("-server", "-data-dir=" + work.resolve("server-data"),
                "-http-port=" + srvHttp, "-server-port=" + srvPort, "-bootstrap-expect=1"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> !RosterClient.create("127.0.0.1:" + srvHttp).status().leader().isEmpty());
        List<String> clientArgs = List.of("-data-dir=" + work.resolve("client-data"), "-http-port=" + cliHttp,
                "-serf-lan-port=" + cliSerf, "-retry-join=127.0.0.1:" + (srvPort + 1));
        Process client = launch("client-0", work.resolve("client.log"), clientArgs);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> get(cliHttp, "/v1/agent/members").size() == 2);

        HttpResponse<String> reg = send(cliHttp, "PUT", "/v1/agent/service/register",
                "{\"Name\":\"web\",\"ID\":\"web-1\",\"Port\":8080,\"Check\":{\"TTL\":\"10m\"}}");
        assertThat(reg.statusCode()).as(reg.body()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> get(srvHttp, "/v1/catalog/service/web").size() == 1);

        Process k = new ProcessBuilder("kill", "-9", Long.toString(client.pid())).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // Remove the registration from the catalog while the client is down, so that only the
        // client's data_dir can bring it back.
        HttpResponse<String> dereg = send(srvHttp, "PUT", "/v1/catalog/deregister",
                "{\"Node\":\"client-0\",\"ServiceID\":\"web-1\"}");
        assertThat(dereg.statusCode()).as(dereg.body()).isEqualTo(200);
        assertThat(get(srvHttp, "/v1/catalog/service/web")).isEmpty();

        long restarted = System.nanoTime();
        launch("client-0", work.resolve("client.log"), clientArgs);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> get(srvHttp, "/v1/catalog/service/web").size() == 1);
        System.out.printf("ClientRestartProcessTest: restarted client's service back in the catalog in %d ms%n",
                (System.nanoTime() - restarted) / 1_000_000);
        JsonNode svc = get(srvHttp, "/v1/catalog/service/web").get(0);
        assertThat(svc.path("Node").asText()).isEqualTo("client-0");
        assertThat(svc.path("ServiceID").asText()).isEqualTo("web-1");
        assertThat(svc.path("ServicePort").asInt()).isEqualTo(8080);
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> hasCheck(srvHttp, "service:web-1"));
        assertThat(get(cliHttp, "/v1/agent/services").has("web-1")).isTrue();
    }
}
