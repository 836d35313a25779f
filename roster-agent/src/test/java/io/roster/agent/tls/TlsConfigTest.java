package io.roster.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.AgentConfig;
import io.roster.agent.config.ConfigException;
import io.roster.agent.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tls} stanza and the older top-level keys, in JSON and HCL, and the checks at start. */
class TlsConfigTest {
    @TempDir
    Path dir;
    TestPki pki;
    Path[] server;

    @BeforeEach
    void pki() throws IOException {
        pki = TestPki.in(dir, "consul");
        server = pki.cert("server", "dc1-server-consul-0");
    }

    private AgentConfig load(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return ConfigLoader.load(List.of(f), List.of(), b -> b).agent();
    }

    @Test
    void theStanzaInHclSetsEachInterfaceOverItsDefaults() throws IOException {
        AgentConfig c = load("tls.hcl", """
                ports {
                  https = 8501
                  http = -1
                }
                tls {
                  defaults {
                    ca_file = "%s"
                    cert_file = "%s"
                    key_file = "%s"
                    verify_incoming = true
                    verify_outgoing = true
                    tls_min_version = "TLSv1_3"
                  }
                  https {
                    verify_incoming = false
                  }
                  internal_rpc {
                    verify_server_hostname = true
                  }
                }
                """.formatted(pki.ca, server[0], server[1]));
        assertThat(c.httpsPort()).isEqualTo(8501);
        assertThat(c.httpPort()).isEqualTo(-1);
        TlsSettings t = c.tls();
        assertThat(t.https().verifyIncoming()).isFalse();
        assertThat(t.https().certFile()).isEqualTo(server[0].toString());
        assertThat(t.https().minVersion()).isEqualTo("TLSv1.3");
        assertThat(t.internalRpc().verifyIncoming()).isTrue();
        assertThat(t.internalRpc().verifyServerHostname()).isTrue();
        assertThat(t.internalRpc().caFile()).isEqualTo(pki.ca.toString());
        assertThat(t.grpc().verifyServerHostname()).isFalse();
        assertThat(t.rpcTls()).isTrue();
    }

    @Test
    void theOlderTopLevelKeysInJsonStillWork() throws IOException {
        AgentConfig c = load("tls.json", """
                {"ca_file": "%s", "cert_file": "%s", "key_file": "%s", "verify_incoming_https": true,
                 "verify_outgoing": true, "verify_server_hostname": true, "tls_min_version": "tls12",
                 "tls_cipher_suites": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                 "ports": {"https": 0}}
                """.formatted(pki.ca, server[0], server[1]));
        TlsSettings t = c.tls();
        assertThat(t.https().verifyIncoming()).isTrue();
        assertThat(t.internalRpc().verifyIncoming()).isFalse();
        assertThat(t.internalRpc().verifyServerHostname()).isTrue();
        assertThat(t.internalRpc().verifyOutgoing()).isTrue();
        assertThat(t.https().cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThat(t.https().minVersion()).isEqualTo("TLSv1.2");
        assertThat(c.httpsPort()).isZero();
    }

    @Test
    void theStanzaWinsOverAnOlderKey() throws IOException {
        AgentConfig c = load("tls.json", """
                {"verify_incoming": false, "ca_file": "%s", "tls": {"defaults": {"verify_incoming": true}}}
                """.formatted(pki.ca));
        assertThat(c.tls().https().verifyIncoming()).isTrue();
        assertThat(c.tls().https().caFile()).isEqualTo(pki.ca.toString());
    }

    @Test
    void noTlsKeysMeansNoTls() throws IOException {
        AgentConfig c = load("plain.json", "{\"datacenter\": \"dc1\"}");
        assertThat(c.tls()).isEqualTo(TlsSettings.NONE);
        assertThat(c.httpsPort()).isEqualTo(-1);
        assertThat(c.tls().enabled()).isFalse();
    }

    @Test
    void aMissingCertificateFileStopsTheAgentNamingIt() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> load("tls.json", """
                {"cert_file": "%s", "key_file": "%s", "ports": {"https": 8501}}
                """.formatted(missing, server[1])))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": no such file");
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsRefused() throws IOException {
        Path[] other = pki.cert("server", "other");
        assertThatThrownBy(() -> load("tls.hcl", """
                tls { defaults { cert_file = "%s"
                  key_file = "%s" } }
                """.formatted(server[0], other[1])))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(other[1].toString()).hasMessageContaining("does not match the certificate in " + server[0]);
    }

    @Test
    void aFileThatIsNotPemIsRefusedNamingIt() throws IOException {
        Path junk = pki.write("junk.pem", "not a certificate\n");
        assertThatThrownBy(() -> load("tls.json", "{\"ca_file\": \"" + junk + "\"}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(junk + ": ");
        assertThatThrownBy(() -> load("tls2.json", "{\"ca_file\": \"" + dir + "\"}"))
                .isInstanceOf(ConfigException.class).hasMessage(dir + ": is a directory, not a PEM file");
    }

    @Test
    void verifyIncomingNeedsACaAndHttpsNeedsACertificate() {
        assertThatThrownBy(() -> load("a.json", "{\"verify_incoming\": true, \"cert_file\": \"" + server[0]
                + "\", \"key_file\": \"" + server[1] + "\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("verify_incoming is set but no ca_file");
        assertThatThrownBy(() -> load("b.json", "{\"ports\": {\"https\": 8501}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ports.https is set but no cert_file");
    }

    @Test
    void aBadTlsVersionOrKeyNamesTheFile() {
        assertThatThrownBy(() -> load("v.json", "{\"tls\": {\"defaults\": {\"tls_min_version\": \"ssl3\"}}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("v.json").hasMessageContaining("tls.defaults.tls_min_version");
        assertThatThrownBy(() -> load("k.json", "{\"tls\": {\"https\": {\"cert\": \"x\"}}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown config key 'tls.https.cert'");
    }
}
