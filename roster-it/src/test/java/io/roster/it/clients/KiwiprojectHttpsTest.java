package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.HostAndPort;
import io.roster.agent.tls.Pem;
import io.roster.agent.tls.TlsSettings;
import io.roster.it.Ports;
import io.roster.it.hosts.Launcher;
import io.roster.testkit.RosterExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * kiwiproject's consul-client over HTTPS (issue 19): certificates made by the real
 * {@code roster tls ca create} / {@code tls cert create -server|-cli}, an agent serving HTTPS with
 * {@code verify_incoming}, and the client configured only through its own builder
 * ({@code withHttps}, {@code withSslContext}, {@code withTrustManager}) with a JDK
 * {@link SSLContext} that trusts the CA and holds the CLI certificate, as docs/tls.md says. The
 * client's default host-name check applies (the server certificate names 127.0.0.1).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KiwiprojectHttpsTest {
    @TempDir
    static Path dir;
    private static RosterExtension roster;
    private static int httpsPort;
    private static Path ca;

    private static void cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Launcher.javaCommand());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("roster %s: %s", String.join(" ", args), out).isZero();
    }

    @BeforeAll
    static void start() throws Exception {
        cli("tls", "ca", "create");
        cli("tls", "cert", "create", "-server", "-dc", "dc1");
        cli("tls", "cert", "create", "-cli", "-dc", "dc1");
        ca = dir.resolve("consul-agent-ca.pem");
        TlsSettings.Side https = new TlsSettings.Side(ca.toString(), null, dir.resolve("dc1-server-consul-0.pem").toString(),
                dir.resolve("dc1-server-consul-0-key.pem").toString(), true, false, false, "TLSv1.2", List.of());
        httpsPort = Ports.free();
        roster = RosterExtension.dev().nodeName("kiwi-tls").withoutDns()
                .configure(b -> b.httpsPort(httpsPort).tls(new TlsSettings(https, TlsSettings.NONE.internalRpc(), TlsSettings.NONE.grpc())))
                .start();
    }

    @AfterAll
    static void stop() {
        if (roster != null) {
            roster.close();
        }
    }

    private static X509TrustManager trust() throws Exception {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        cas.setCertificateEntry("ca", Pem.certificates(ca).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(cas);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** A JDK context trusting the CA, holding the CLI certificate when {@code withCert}. */
    private static SSLContext context(boolean withCert) throws Exception {
        KeyManagerFactory kmf = null;
        if (withCert) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("cli", Pem.privateKey(dir.resolve("dc1-cli-consul-0-key.pem")), new char[0],
                    Pem.certificates(dir.resolve("dc1-cli-consul-0.pem")).toArray(new Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {trust()}, null);
        return ctx;
    }

    private static Consul.Builder builder(boolean withCert) throws Exception {
        return Consul.builder().withHttps(true).withHostAndPort(HostAndPort.fromParts("127.0.0.1", httpsPort))
                .withSslContext(context(withCert)).withTrustManager(trust()).withReadTimeoutMillis(30_000);
    }

    @Test
    void theClientWorksOverHttpsWithAClientCertificate() throws Exception {
        Consul consul = builder(true).build();
        try {
            assertThat(consul.agentClient().getAgent().getConfig().getNodeName()).isEqualTo("kiwi-tls");
            consul.keyValueClient().putValue("tls/kiwi", "over-https");
            assertThat(consul.keyValueClient().getValueAsString("tls/kiwi")).contains("over-https");
            consul.agentClient().register(ImmutableRegistration.builder().id("kiwi-tls-1").name("kiwi-tls").port(8443)
                    .check(ImmutableRegistration.RegCheck.ttl(30L)).build());
            consul.agentClient().pass("kiwi-tls-1");
            List<ServiceHealth> healthy = consul.healthClient().getHealthyServiceInstances("kiwi-tls").getResponse();
            assertThat(healthy).extracting(h -> h.getService().getPort()).containsExactly(8443);
        } finally {
            consul.destroy();
        }
    }

    @Test
    void withoutAClientCertificateVerifyIncomingRefusesTheClient() throws Exception {
        Consul consul = builder(false).withPing(false).build();
        try {
            assertThatThrownBy(() -> consul.keyValueClient().getValueAsString("tls/kiwi"))
                    .isInstanceOf(org.kiwiproject.consul.ConsulException.class)
                    .satisfies(e -> System.out.println("KiwiprojectHttpsTest: without a client certificate: " + e));
        } finally {
            consul.destroy();
        }
    }
}
