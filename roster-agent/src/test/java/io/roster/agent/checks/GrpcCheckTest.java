package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC checks against a real gRPC health service (Jetty: HTTP/2 with prior knowledge, cleartext or in TLS). */
class GrpcCheckTest extends ChecksTest {
    private GrpcHealthServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new GrpcHealthServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void servingIsPassing() {
        server.statuses.put("", 1);
        runners.start("grpc", Def.grpc(server.address()).build());
        awaitStatus("grpc", CheckStatus.PASSING);
        assertThat(sink.output("grpc")).isEqualTo("gRPC check " + server.address() + ": success");
    }

    @Test
    void theServiceAfterTheSlashIsTheOneAsked() {
        server.statuses.put("", 1);
        server.statuses.put("web", 2);
        String target = server.address() + "/web";
        runners.start("grpc", Def.grpc(target).build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        assertThat(sink.output("grpc")).isEqualTo("gRPC " + target + " serving status: NOT_SERVING");

        server.statuses.put("web", 1);
        awaitStatus("grpc", CheckStatus.PASSING);
        assertThat(sink.output("grpc")).isEqualTo("gRPC check " + target + ": success");
    }

    @Test
    void unknownStatusIsCritical() {
        server.statuses.put("db", 0);
        runners.start("grpc", Def.grpc(server.address() + "/db").build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        assertThat(sink.output("grpc")).isEqualTo("gRPC " + server.address() + "/db serving status: UNKNOWN");
    }

    @Test
    void anUnknownServiceIsCriticalWithTheGrpcError() {
        runners.start("grpc", Def.grpc(server.address() + "/nope").build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        assertThat(sink.output("grpc")).isEqualTo("rpc error: code = NotFound desc = unknown service");
    }

    @Test
    void aClosedPortIsCritical() throws Exception {
        int port = deadPort();
        runners.start("grpc", Def.grpc("127.0.0.1:" + port).build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        assertThat(sink.output("grpc")).isEqualTo("rpc error: code = Unavailable desc = connection error: desc = "
                + "\"transport: Error while dialing: dial tcp 127.0.0.1:" + port + ": connect: connection refused\"");
    }

    @Test
    void aPlainTcpServerThatHangsUpIsCritical() throws Exception {
        try (TcpListener notGrpc = new TcpListener()) {
            runners.start("grpc", Def.grpc(notGrpc.address()).build());
            awaitStatus("grpc", CheckStatus.CRITICAL);
            assertThat(sink.output("grpc")).startsWith("rpc error: code = Unavailable desc = ");
        }
    }

    @Test
    void overTlsTheCertificateIsCheckedUnlessSkipVerify(@TempDir Path dir) throws Exception {
        try (GrpcHealthServer tls = new GrpcHealthServer(HttpCheckTest.selfSigned(dir))) {
            tls.statuses.put("", 1);
            runners.start("skip", Def.grpc(tls.address()).with(d -> {
                d.grpcUseTls = true;
                d.tlsSkipVerify = true;
            }).build());
            runners.start("verify", Def.grpc(tls.address()).with(d -> d.grpcUseTls = true).build());
            awaitStatus("skip", CheckStatus.PASSING);
            awaitStatus("verify", CheckStatus.CRITICAL);
            assertThat(sink.output("skip")).isEqualTo("gRPC check " + tls.address() + ": success");
            assertThat(sink.output("verify")).startsWith("rpc error: code = Unavailable desc = connection error: "
                    + "desc = \"transport: authentication handshake failed: ");
        }
    }

    @Test
    void servingStatusIsReadFromTheProtobuf() {
        assertThat(GrpcProbe.servingStatus(new byte[] {0x08, 0x01}, 0, 2)).isEqualTo(1);
        assertThat(GrpcProbe.servingStatus(new byte[0], 0, 0)).isZero();
        // an unknown field (2, length-delimited "ab") before the status
        assertThat(GrpcProbe.servingStatus(new byte[] {0x12, 0x02, 'a', 'b', 0x08, 0x02}, 0, 6)).isEqualTo(2);
        assertThat(GrpcProbe.servingStatus(new byte[] {0x08}, 0, 1)).isEqualTo(-1);
        assertThat(GrpcProbe.percentDecode("unknown%20service%3A%20%E2%9C%93")).isEqualTo("unknown service: \u2713");
    }
}
