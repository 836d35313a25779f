package io.roster.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.config.LoadedConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS listener of a real in-process agent, reached by curl and by the JDK's HTTP client:
 * the CA checks the agent, {@code verify_incoming} asks for a client certificate, plaintext on the
 * HTTPS port is answered with one 400 line, and a reload serves renewed certificate files.
 */
class HttpsTest {
    @TempDir
    Path dir;
    TestPki pki;
    Path[] server;
    Path[] cli;
    Agent agent;

    @BeforeEach
    void pki() throws IOException {
        pki = TestPki.in(dir, "consul");
        server = pki.cert("server", "dc1-server-consul-0");
        cli = pki.cert("cli", "dc1-cli-consul-0");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private Agent start(boolean verifyIncoming, int httpPort) throws Exception {
        TlsSettings.Side https = new TlsSettings.Side(pki.ca.toString(), null, server[0].toString(), server[1].toString(),
                verifyIncoming, false, false, "TLSv1.2", List.of());
        AgentConfig c = AgentConfig.builder().dev(true).httpPort(httpPort).httpsPort(0).dnsPort(-1).nodeName("tls-node")
                .tls(new TlsSettings(https, TlsSettings.Side.EMPTY, TlsSettings.Side.EMPTY)).build();
        agent = new Agent(c, () -> new LoadedConfig(c, List.of(), List.of())).start();
        return agent;
    }

    private SSLContext clientContext(boolean withCertificate) {
        TlsSettings.Side side = new TlsSettings.Side(pki.ca.toString(), null, withCertificate ? cli[0].toString() : null,
                withCertificate ? cli[1].toString() : null, false, true, false, "TLSv1.2", List.of());
        return TlsContext.load(side, null).sslContext();
    }

    private static List<String> run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return List.of(String.valueOf(p.exitValue()), out);
    }

    @Test
    void curlWithTheCaReachesTheApiAndPlaintextIsOff() throws Exception {
        start(false, -1);
        assertThat(agent.httpPort()).isEqualTo(-1);
        String url = "https://127.0.0.1:" + agent.httpsPort() + "/v1/status/leader";
        List<String> ok = run("curl", "-sS", "--cacert", pki.ca.toString(), url);
        assertThat(ok.get(0)).isEqualTo("0");
        assertThat(ok.get(1)).startsWith("\"127.0.0.1:");
        // localhost is in the certificate too, as in Consul's
        assertThat(run("curl", "-sS", "--cacert", pki.ca.toString(), "https://localhost:" + agent.httpsPort() + "/v1/agent/self")
                .get(1)).contains("\"NodeName\":\"tls-node\"");
        // without the CA curl refuses the agent
        assertThat(run("curl", "-sS", url).get(0)).isEqualTo("60");
        // DebugConfig shows the TLS configuration as Consul's sanitized runtime configuration does
        com.fasterxml.jackson.databind.JsonNode debug = io.roster.api.Json.mapper().readTree(run("curl", "-sS", "--cacert",
                pki.ca.toString(), "https://127.0.0.1:" + agent.httpsPort() + "/v1/agent/self").get(1)).path("DebugConfig");
        assertThat(debug.path("HTTPAddrs").size()).isZero();
        assertThat(debug.path("HTTPPort").asInt()).isEqualTo(-1);
        com.fasterxml.jackson.databind.JsonNode https = debug.path("TLS").path("HTTPS");
        assertThat(https.path("CAFile").asText()).isEqualTo(pki.ca.toString());
        assertThat(https.path("CertFile").asText()).isEqualTo(server[0].toString());
        assertThat(https.path("KeyFile").asText()).isEqualTo("hidden");
        assertThat(https.path("TLSMinVersion").asText()).isEqualTo("TLSv1_2");
        assertThat(https.path("VerifyIncoming").asBoolean()).isFalse();
        assertThat(debug.path("TLS").path("InternalRPC").path("CertFile").asText()).isEmpty();
        assertThat(debug.path("TLS").path("Domain").asText()).isEqualTo("consul.");
        assertThat(debug.path("TLS").path("NodeName").asText()).isEqualTo("tls-node");
    }

    @Test
    void verifyIncomingRequiresAClientCertificate() throws Exception {
        start(true, -1);
        String url = "https://127.0.0.1:" + agent.httpsPort() + "/v1/kv/k";
        List<String> put = run("curl", "-sS", "-X", "PUT", "--data", "v", "--cacert", pki.ca.toString(),
                "--cert", cli[0].toString(), "--key", cli[1].toString(), url);
        assertThat(put).containsExactly("0", "true");
        List<String> refused = run("curl", "-sS", "--cacert", pki.ca.toString(), url);
        assertThat(refused.get(0)).isNotEqualTo("0");

        // the JDK's client, with and without a certificate
        HttpRequest get = HttpRequest.newBuilder(URI.create(url + "?raw")).timeout(Duration.ofSeconds(10)).build();
        HttpClient with = HttpClient.newBuilder().sslContext(clientContext(true)).build();
        assertThat(with.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("v");
        HttpClient without = HttpClient.newBuilder().sslContext(clientContext(false)).build();
        assertThatThrownBy(() -> without.send(get, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void plaintextOnTheHttpsPortGetsOneLineAndTheConnectionCloses() throws Exception {
        start(false, 0);
        assertThat(agent.httpPort()).isPositive(); // both listeners
        try (Socket s = new Socket("127.0.0.1", agent.httpsPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // ends: the agent closed it
            assertThat(answer).startsWith("HTTP/1.0 400 Bad Request\r\n")
                    .endsWith("\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
        }
        // and the agent still serves TLS afterwards
        assertThat(run("curl", "-sS", "--cacert", pki.ca.toString(), "https://127.0.0.1:" + agent.httpsPort() + "/v1/status/leader")
                .get(0)).isEqualTo("0");
    }

    @Test
    void aReloadServesTheRenewedCertificate() throws Exception {
        start(false, -1);
        BigInteger before = served().getSerialNumber();
        assertThat(before).isEqualTo(((X509Certificate) Pem.certificates(server[0]).get(0)).getSerialNumber());
        Path[] renewed = pki.cert("server", "renewed");
        Files.move(renewed[0], server[0], StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed[1], server[1], StandardCopyOption.REPLACE_EXISTING);
        BigInteger expected = Pem.certificates(server[0]).get(0).getSerialNumber();
        assertThat(expected).isNotEqualTo(before);
        assertThat(agent.reload()).isNull();
        assertThat(served().getSerialNumber()).isEqualTo(expected);

        // a broken file on reload keeps the certificate being served
        Files.writeString(server[1], "garbage\n");
        assertThat(agent.reload()).startsWith("Failed reloading: " + server[1]);
        assertThat(served().getSerialNumber()).isEqualTo(expected);
    }

    /** The certificate the agent presents to a new connection. */
    private X509Certificate served() throws Exception {
        SSLContext ctx = clientContext(false);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", agent.httpsPort())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            List<java.security.cert.Certificate> chain = new ArrayList<>(List.of(s.getSession().getPeerCertificates()));
            return (X509Certificate) chain.get(0);
        }
    }
}
