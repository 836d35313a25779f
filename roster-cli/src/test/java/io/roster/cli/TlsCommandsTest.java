package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.tls.Pem;
import io.roster.agent.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster tls ca|cert create} as {@code consul tls} names and fills its files, and the CLI over HTTPS with them. */
class TlsCommandsTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void here() {
        TlsCertificates.dir = dir;
        HttpOptions.env = env::get;
    }

    @AfterEach
    void restore() {
        TlsCertificates.dir = Path.of("");
        HttpOptions.env = System::getenv;
    }

    private X509Certificate cert(String name) {
        return Pem.certificates(dir.resolve(name)).get(0);
    }

    @Test
    void caAndCertificatesGetConsulsFileNamesAndNames() throws Exception {
        Cli.Result ca = Cli.run("tls", "ca", "create");
        assertThat(ca.code()).as(ca.toString()).isZero();
        assertThat(ca.out()).isEqualTo("==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n");
        X509Certificate root = cert("consul-agent-ca.pem");
        assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);

        Cli.Result s0 = Cli.run("tls", "cert", "create", "-server");
        assertThat(s0.code()).as(s0.toString()).isZero();
        assertThat(s0.out()).contains("==> Using consul-agent-ca.pem and consul-agent-ca-key.pem",
                "==> Saved dc1-server-consul-0.pem", "==> Saved dc1-server-consul-0-key.pem");
        Cli.Result s1 = Cli.run("tls", "cert", "create", "-server", "-additional-dnsname=node1.example",
                "-additional-ipaddress=10.0.0.5");
        assertThat(s1.out()).contains("==> Saved dc1-server-consul-1.pem");
        assertThat(Cli.run("tls", "cert", "create", "-client", "-dc", "east").out()).contains("==> Saved east-client-consul-0.pem");
        assertThat(Cli.run("tls", "cert", "create", "-cli").out()).contains("==> Saved dc1-cli-consul-0-key.pem");

        X509Certificate server = cert("dc1-server-consul-0.pem");
        server.verify(root.getPublicKey());
        assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=server.dc1.consul");
        assertThat(server.getSubjectAlternativeNames()).containsExactly(List.of(2, "server.dc1.consul"), List.of(2, "localhost"),
                List.of(7, "127.0.0.1"));
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(cert("dc1-server-consul-1.pem").getSubjectAlternativeNames()).contains(List.of(2, "node1.example"),
                List.of(7, "10.0.0.5"));
        assertThat(cert("east-client-consul-0.pem").getSubjectAlternativeNames()).contains(List.of(2, "client.east.consul"));
        assertThat(cert("dc1-cli-consul-0.pem").getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(Files.readString(dir.resolve("dc1-server-consul-0-key.pem"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(dir.resolve("dc1-server-consul-0-key.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Pem.matches(Pem.privateKey(dir.resolve("dc1-server-consul-0-key.pem")), server)).isTrue();
    }

    @Test
    void mistakesAreOneLineAndNothingIsOverwritten() throws Exception {
        assertThat(Cli.run("tls", "cert", "create", "-server").err()).isEqualTo("consul-agent-ca.pem file missing\n");
        assertThat(Cli.run("tls", "ca", "create").code()).isZero();
        byte[] before = Files.readAllBytes(dir.resolve("consul-agent-ca.pem"));
        Cli.Result again = Cli.run("tls", "ca", "create");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("consul-agent-ca.pem already exists.\n");
        assertThat(Files.readAllBytes(dir.resolve("consul-agent-ca.pem"))).isEqualTo(before);
        assertThat(Cli.run("tls", "cert", "create").err()).isEqualTo("Please provide either -server, -client, or -cli\n");
        assertThat(Cli.run("tls", "cert", "create", "-server", "-additional-ipaddress=not-an-ip").err())
                .isEqualTo("Error: invalid IP address 'not-an-ip'\n");
    }

    @Test
    void theCliTalksHttpsWithTheFilesRosterTlsMade() throws Exception {
        Cli.run("tls", "ca", "create");
        Cli.run("tls", "cert", "create", "-server");
        Cli.run("tls", "cert", "create", "-cli");
        String ca = dir.resolve("consul-agent-ca.pem").toString();
        TlsSettings.Side https = new TlsSettings.Side(ca, null, dir.resolve("dc1-server-consul-0.pem").toString(),
                dir.resolve("dc1-server-consul-0-key.pem").toString(), true, false, false, "TLSv1.2", List.of());
        AgentConfig c = AgentConfig.builder().dev(true).httpPort(-1).httpsPort(0).dnsPort(-1).nodeName("tls-cli")
                .tls(new TlsSettings(https, https, https)).build();
        try (Agent agent = new Agent(c).start()) {
            env.put("CONSUL_HTTP_ADDR", "127.0.0.1:" + agent.httpsPort());
            env.put("CONSUL_HTTP_SSL", "true");
            env.put("CONSUL_CACERT", ca);
            env.put("CONSUL_CLIENT_CERT", dir.resolve("dc1-cli-consul-0.pem").toString());
            env.put("CONSUL_CLIENT_KEY", dir.resolve("dc1-cli-consul-0-key.pem").toString());
            Cli.Result put = Cli.run("kv", "put", "greeting", "hello");
            assertThat(put.code()).as(put.toString()).isZero();
            assertThat(Cli.run("kv", "get", "greeting").out()).isEqualTo("hello\n");
            // flags instead of the environment; localhost is in the server's certificate
            String cert = env.remove("CONSUL_CLIENT_CERT");
            String key = env.remove("CONSUL_CLIENT_KEY");
            env.remove("CONSUL_CACERT");
            Cli.Result flags = Cli.run("kv", "get", "-http-addr=https://localhost:" + agent.httpsPort(), "-ca-file=" + ca,
                    "-client-cert=" + cert, "-client-key=" + key, "greeting");
            assertThat(flags.out()).as(flags.toString()).isEqualTo("hello\n");
            // the name to check instead of the address's
            assertThat(Cli.run("kv", "get", "-ca-file=" + ca, "-client-cert=" + cert, "-client-key=" + key,
                    "-tls-server-name=server.dc1.consul", "greeting").out()).isEqualTo("hello\n");
            Cli.Result wrongName = Cli.run("kv", "get", "-ca-file=" + ca, "-client-cert=" + cert, "-client-key=" + key,
                    "-tls-server-name=other.dc1.consul", "greeting");
            assertThat(wrongName.code()).isEqualTo(1);
            assertThat(wrongName.err()).contains("not valid for other.dc1.consul").doesNotContain("Exception");
            // no CA: the system's roots do not know this one
            Cli.Result unknown = Cli.run("kv", "get", "-client-cert=" + cert, "-client-key=" + key, "greeting");
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("x509: certificate signed by unknown authority").doesNotContain("sun.");
            // ... unless checking is off, as CONSUL_HTTP_SSL_VERIFY=false does in Consul
            env.put("CONSUL_HTTP_SSL_VERIFY", "false");
            assertThat(Cli.run("kv", "get", "-client-cert=" + cert, "-client-key=" + key, "greeting").out()).isEqualTo("hello\n");
            env.remove("CONSUL_HTTP_SSL_VERIFY");
            // no client certificate: the agent (verify_incoming) refuses
            Cli.Result noCert = Cli.run("kv", "get", "-ca-file=" + ca, "greeting");
            assertThat(noCert.code()).isEqualTo(1);
            assertThat(noCert.err()).doesNotContain("Exception");
        }
    }
}
