package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP checks against a real HTTP server on 127.0.0.1. */
class HttpCheckTest extends ChecksTest {
    private TestHttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = TestHttpServer.http();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "200, passing, 200 OK",
        "204, passing, 204 No Content",
        "429, warning, 429 Too Many Requests",
        "500, critical, 500 Internal Server Error",
        "404, critical, 404 Not Found",
        "503, critical, 503 Service Unavailable"})
    void statusCodeDecidesTheStatus(int code, String status, String statusLine) {
        server.respond(code, code == 204 ? "" : "body " + code);
        String url = server.url("/health");
        runners.start("web", Def.http(url).build());
        awaitStatus("web", status);
        assertThat(sink.output("web"))
                .isEqualTo("HTTP GET " + url + ": " + statusLine + " Output: " + (code == 204 ? "" : "body " + code));
    }

    @Test
    void deadPortIsCriticalWithTheDialError() throws Exception {
        int port = deadPort();
        String url = "http://127.0.0.1:" + port + "/health";
        runners.start("web", Def.http(url).build());
        awaitStatus("web", CheckStatus.CRITICAL);
        assertThat(sink.output("web"))
                .isEqualTo("Get \"" + url + "\": dial tcp 127.0.0.1:" + port + ": connect: connection refused");
    }

    @Test
    void sendsMethodHeadersAndBodyLikeConsul() {
        runners.start("web", Def.http(server.url("/rpc")).method("POST")
                .header(Map.of("X-Check", List.of("a", "b"), "Content-Type", List.of("application/json")))
                .body("{\"method\":\"health\"}").build());
        awaitStatus("web", CheckStatus.PASSING);
        TestHttpServer.Seen seen = server.last();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.body()).isEqualTo("{\"method\":\"health\"}");
        assertThat(seen.headers().get("X-check")).containsExactly("a", "b");
        assertThat(seen.headers().get("Content-type")).containsExactly("application/json");
        assertThat(seen.headers().get("User-agent")).containsExactly("Consul Health Check");
        assertThat(seen.headers().get("Accept")).containsExactly("text/plain, text/*, */*");
        assertThat(sink.output("web")).startsWith("HTTP POST " + server.url("/rpc") + ": 200 OK");
    }

    @Test
    void aUserAgentOfTheCheckWins() {
        runners.start("web", Def.http(server.url("/")).header(Map.of("User-Agent", List.of("mine"))).build());
        awaitStatus("web", CheckStatus.PASSING);
        assertThat(server.last().headers().get("User-agent")).containsExactly("mine");
    }

    @Test
    void bodyIsCutToItsLastOutputMaxSizeBytes() {
        runners.close();
        runners = runners(new CheckRunners.Options(false, 100, null));
        String body = "x".repeat(10_000) + "0123456789".repeat(10);
        server.respond(200, body);
        runners.start("web", Def.http(server.url("/big")).build());
        awaitStatus("web", CheckStatus.PASSING);
        assertThat(sink.output("web"))
                .isEqualTo("HTTP GET " + server.url("/big") + ": 200 OK Output: " + "0123456789".repeat(10));
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsCritical() {
        server.hold = new CountDownLatch(1);
        runners.start("web", Def.http(server.url("/slow")).timeout("300ms").build());
        awaitStatus("web", CheckStatus.CRITICAL);
        assertThat(sink.output("web")).isEqualTo("Get \"" + server.url("/slow")
                + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    }

    @Test
    void aNewResultIsReportedOnlyWhenStatusOrOutputChanges() {
        runners.start("web", Def.http(server.url("/health")).build());
        awaitStatus("web", CheckStatus.PASSING);
        int requests = server.requests();
        await().atMost(AWAIT).until(() -> server.requests() >= requests + 3);
        assertThat(sink.count("web")).isEqualTo(1);

        server.respond(500, "down");
        awaitStatus("web", CheckStatus.CRITICAL);
        server.respond(500, "still down");
        await().atMost(AWAIT).until(() -> sink.output("web").endsWith("still down"));
        assertThat(sink.statuses("web")).containsExactly("passing", "critical", "critical");
    }

    @Test
    void tlsSkipVerifyAcceptsASelfSignedCertificate(@TempDir Path dir) throws Exception {
        try (TestHttpServer https = TestHttpServer.https(selfSigned(dir))) {
            runners.start("verify", Def.http(https.url("/health")).build());
            runners.start("skip", Def.http(https.url("/health")).tlsSkipVerify(true).build());
            awaitStatus("skip", CheckStatus.PASSING);
            awaitStatus("verify", CheckStatus.CRITICAL);
            assertThat(sink.output("skip")).isEqualTo("HTTP GET " + https.url("/health") + ": 200 OK Output: ok");
            assertThat(sink.output("verify")).startsWith("Get \"" + https.url("/health") + "\": tls: ")
                    .contains("x509: certificate signed by unknown authority");
            assertThat(runners.platformThreadsUsed()).isEqualTo(2);
        }
    }

    /** A TLS context with a fresh self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
    static SSLContext selfSigned(Path dir) throws Exception {
        File store = dir.resolve("server.p12").toFile();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.getPath(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(p.waitFor()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
