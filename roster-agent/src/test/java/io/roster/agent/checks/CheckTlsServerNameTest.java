package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.tls.Certificates;
import io.roster.agent.tls.TlsContext;
import io.roster.agent.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins what TLS (issue 19) must leave working in checks: an HTTP check over HTTPS and a gRPC check
 * over TLS check the certificate against {@code TLSServerName} instead of the address, and
 * {@code TLSSkipVerify} still skips every check. The service's certificate comes from a {@code roster tls} CA, trusted
 * here through the JVM's default context (what checks verify with) and names only
 * {@code server.dc1.consul}, not the address dialled.
 */
class CheckTlsServerNameTest extends ChecksTest {
    @TempDir
    Path dir;
    private SSLContext jvmDefault;
    private GrpcHealthServer tls;
    private SSLContext serverSide;

    @BeforeEach
    void pki() throws Exception {
        Certificates.Pair ca = Certificates.ca(null, 2, List.of());
        Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Path caKey = Files.writeString(dir.resolve("ca-key.pem"), ca.keyPem());
        Certificates.Pair leaf = Certificates.leaf(caFile, caKey, "server.dc1.consul", List.of("server.dc1.consul"), List.of(),
                true, 2);
        Path cert = Files.writeString(dir.resolve("srv.pem"), leaf.certificatePem());
        Path key = Files.writeString(dir.resolve("srv-key.pem"), leaf.keyPem());
        serverSide = TlsContext.load(new TlsSettings.Side(null, null, cert.toString(), key.toString(),
                false, false, false, "TLSv1.2", List.of()), null).sslContext();
        tls = new GrpcHealthServer(serverSide);
        tls.statuses.put("", 1);
        jvmDefault = SSLContext.getDefault();
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new TrustManager[] {TlsContext.pkix(TlsContext.trustStore(new TlsSettings.Side(caFile.toString(),
                null, null, null, false, false, false, "TLSv1.2", List.of())))}, null);
        SSLContext.setDefault(trusting);
    }

    @AfterEach
    void restore() {
        SSLContext.setDefault(jvmDefault);
        tls.close();
    }

    @Test
    void grpcChecksVerifyAgainstTlsServerNameAndSkipVerifyStillSkips() {
        runners.start("named", Def.grpc(tls.address()).with(d -> {
            d.grpcUseTls = true;
            d.tlsServerName = "server.dc1.consul";
        }).build());
        runners.start("address", Def.grpc(tls.address()).with(d -> d.grpcUseTls = true).build());
        runners.start("wrong", Def.grpc(tls.address()).with(d -> {
            d.grpcUseTls = true;
            d.tlsServerName = "client.dc1.consul";
        }).build());
        runners.start("skip", Def.grpc(tls.address()).with(d -> {
            d.grpcUseTls = true;
            d.tlsSkipVerify = true;
        }).build());
        awaitStatus("skip", CheckStatus.PASSING);
        awaitStatus("named", CheckStatus.PASSING);
        awaitStatus("address", CheckStatus.CRITICAL);
        awaitStatus("wrong", CheckStatus.CRITICAL);
        assertThat(sink.output("named")).isEqualTo("gRPC check " + tls.address() + ": success");
        assertThat(sink.output("wrong")).startsWith("rpc error: code = Unavailable desc = connection error: "
                + "desc = \"transport: authentication handshake failed: ");
    }

    @Test
    void httpChecksVerifyAgainstTlsServerNameAndSkipVerifyStillSkips() throws Exception {
        try (TestHttpServer https = TestHttpServer.https(serverSide)) {
            String byIp = https.url("/health");
            String byName = byIp.replace("127.0.0.1", "localhost"); // a host name: the JDK sends it as SNI
            runners.start("named", Def.http(byIp).with(d -> d.tlsServerName = "server.dc1.consul").build());
            runners.start("named-host", Def.http(byName).with(d -> d.tlsServerName = "SERVER.dc1.consul").build());
            runners.start("address", Def.http(byIp).build());
            runners.start("wrong", Def.http(byIp).with(d -> d.tlsServerName = "client.dc1.consul").build());
            runners.start("skip", Def.http(byIp).with(d -> {
                d.tlsSkipVerify = true;
                d.tlsServerName = "client.dc1.consul";
            }).build());
            awaitStatus("named", CheckStatus.PASSING);
            awaitStatus("named-host", CheckStatus.PASSING);
            awaitStatus("skip", CheckStatus.PASSING);
            awaitStatus("address", CheckStatus.CRITICAL);
            awaitStatus("wrong", CheckStatus.CRITICAL);
            assertThat(sink.output("named")).isEqualTo("HTTP GET " + byIp + ": 200 OK Output: ok");
            assertThat(sink.output("named-host")).isEqualTo("HTTP GET " + byName + ": 200 OK Output: ok");
            assertThat(sink.output("address")).startsWith("Get \"" + byIp + "\": tls: failed to verify certificate: x509: ");
            assertThat(sink.output("wrong")).startsWith("Get \"" + byIp + "\": tls: failed to verify certificate: x509: ")
                    .contains("client.dc1.consul");
            // verifying, TLSSkipVerify, and one client per server name (the name's case does not count)
            assertThat(runners.platformThreadsUsed()).isEqualTo(4);
        }
    }
}
