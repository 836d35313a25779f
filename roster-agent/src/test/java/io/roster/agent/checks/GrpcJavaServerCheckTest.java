package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC checks against grpc-java's own health service ({@code io.grpc:grpc-services}' {@link HealthStatusManager}
 * on grpc-netty), the server real services run: the output keeps grpc-go's wording (what Consul's
 * check output shows), TLS with ALPN, {@code TLSServerName} and {@code TLSSkipVerify}, and a call
 * the server never answers ends as a deadline.
 */
class GrpcJavaServerCheckTest extends ChecksTest {
    @TempDir
    Path dir;
    private Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private SSLContext jvmDefault;

    @AfterEach
    void stop() throws Exception {
        if (jvmDefault != null) {
            SSLContext.setDefault(jvmDefault);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private String start(NettyServerBuilder b) throws Exception {
        server = b.build().start();
        return "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /**
     * Waits for the check's output to be what is asserted (failing with the last one seen): on a
     * loaded machine a first run may end as a deadline while the server warms up.
     */
    private void awaitOutput(String checkId, String expected) {
        await().atMost(AWAIT).untilAsserted(() -> assertThat(sink.output(checkId)).isEqualTo(expected));
    }

    private void awaitOutputStartingWith(String checkId, String prefix) {
        await().atMost(AWAIT).untilAsserted(() -> assertThat(sink.output(checkId)).startsWith(prefix));
    }

    private static NettyServerBuilder builder() {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    }

    @Test
    void servingNotServingAndUnknownServiceInGrpcGosWords() throws Exception {
        String addr = start(builder().addService(health.getHealthService()));
        health.setStatus("web", ServingStatus.NOT_SERVING);
        runners.start("all", Def.grpc(addr).build());
        runners.start("web", Def.grpc(addr + "/web").build());
        runners.start("nope", Def.grpc(addr + "/nope").build());
        awaitStatus("all", CheckStatus.PASSING);
        awaitStatus("web", CheckStatus.CRITICAL);
        awaitStatus("nope", CheckStatus.CRITICAL);
        awaitOutput("all", "gRPC check " + addr + ": success");
        awaitOutput("web", "gRPC " + addr + "/web serving status: NOT_SERVING");
        awaitOutput("nope", "rpc error: code = NotFound desc = unknown service nope");

        health.setStatus("web", ServingStatus.SERVING);
        awaitStatus("web", CheckStatus.PASSING);
        awaitOutput("web", "gRPC check " + addr + "/web: success");
    }

    @Test
    void anIpv6TargetIsDialledAndNamedInBrackets() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback (::1) on this machine");
        java.util.concurrent.atomic.AtomicReference<String> authority = new java.util.concurrent.atomic.AtomicReference<>();
        io.grpc.ServerInterceptor seen = new io.grpc.ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
                    io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                authority.set(call.getAuthority());
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("::1", 0))
                .addService(io.grpc.ServerInterceptors.intercept(health.getHealthService(), seen)).build().start();
        String addr = "[::1]:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        runners.start("v6", Def.grpc(addr).build());
        awaitStatus("v6", CheckStatus.PASSING);
        awaitOutput("v6", "gRPC check " + addr + ": success");
        assertThat(authority.get()).isEqualTo(addr);
    }

    @Test
    void aServerWithoutTheHealthServiceIsUnimplemented() throws Exception {
        String addr = start(builder()); // no services at all
        runners.start("grpc", Def.grpc(addr).build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        awaitOutput("grpc", "rpc error: code = Unimplemented desc = Method not found: grpc.health.v1.Health/Check");
    }

    @Test
    void aCallTheServerNeverAnswersIsADeadline() throws Exception {
        String addr = start(builder().addService(new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
                // never answers
            }
        }));
        runners.start("grpc", Def.grpc(addr).timeout("300ms").build());
        awaitStatus("grpc", CheckStatus.CRITICAL);
        awaitOutput("grpc", "rpc error: code = DeadlineExceeded desc = context deadline exceeded");
    }

    @Test
    void overTlsTheCertificateIsCheckedAgainstTlsServerNameUnlessSkipVerify() throws Exception {
        KeyStore ks = keyStore("server.dc1.consul");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        String addr = start(builder().addService(health.getHealthService())
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(kmf)).build()));
        // Checks verify with the JVM's default context: make it trust the server's self-signed certificate.
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
        jvmDefault = SSLContext.getDefault();
        SSLContext.setDefault(trusting);

        runners.start("named", Def.grpc(addr).with(d -> {
            d.grpcUseTls = true;
            d.tlsServerName = "server.dc1.consul";
        }).build());
        runners.start("address", Def.grpc(addr).with(d -> d.grpcUseTls = true).build());
        runners.start("wrong", Def.grpc(addr).with(d -> {
            d.grpcUseTls = true;
            d.tlsServerName = "client.dc1.consul";
        }).build());
        runners.start("skip", Def.grpc(addr).with(d -> {
            d.grpcUseTls = true;
            d.tlsSkipVerify = true;
        }).build());
        runners.start("plain", Def.grpc(addr).build());
        awaitStatus("named", CheckStatus.PASSING);
        awaitStatus("skip", CheckStatus.PASSING);
        awaitStatus("address", CheckStatus.CRITICAL);
        awaitStatus("wrong", CheckStatus.CRITICAL);
        awaitStatus("plain", CheckStatus.CRITICAL);
        awaitOutput("named", "gRPC check " + addr + ": success");
        awaitOutput("skip", "gRPC check " + addr + ": success");
        String handshake = "rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication handshake failed: ";
        awaitOutputStartingWith("address", handshake);
        awaitOutputStartingWith("wrong", handshake);
        awaitOutputStartingWith("plain", "rpc error: code = Unavailable desc = ");
    }

    private static boolean ipv6Loopback() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress("::1", 0))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A PKCS12 store with a fresh self-signed certificate naming only {@code dnsName}, made by the JDK's keytool. */
    private KeyStore keyStore(String dnsName) throws Exception {
        File store = dir.resolve("server.p12").toFile();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + dnsName, "-ext", "SAN=dns:" + dnsName,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.getPath(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(p.waitFor()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }
}
