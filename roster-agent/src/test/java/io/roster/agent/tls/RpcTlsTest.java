package io.roster.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.config.LoadedConfig;
import io.roster.api.testing.TestPorts;
import io.roster.state.WatchSet;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server port under mutual TLS with in-process agents on loopback: servers of one CA form a
 * cluster and replicate, a client agent reaches them over the server RPC, a server whose
 * certificate comes from another CA is never added, and a certificate renewed on disk is served
 * after a reload while the cluster keeps working.
 */
class RpcTlsTest {
    @TempDir
    Path dir;
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = agents.size() - 1; i >= 0; i--) {
            agents.get(i).close();
        }
    }

    private static TlsSettings mutual(TestPki pki, Path[] cert, Path trust) {
        TlsSettings.Side rpc = new TlsSettings.Side(trust.toString(), null, cert[0].toString(), cert[1].toString(),
                true, true, true, "TLSv1.2", List.of());
        return new TlsSettings(TlsSettings.Side.EMPTY, rpc, TlsSettings.Side.EMPTY);
    }

    private Agent server(String name, String ip, TlsSettings tls, int expect, List<String> join) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data-" + name));
        AgentConfig c = AgentConfig.builder().server(true).nodeName(name).bindAddr(ip).clientAddr(ip)
                .serverPort(TestPorts.free()).serfLanPort(TestPorts.free()).httpPort(0).dnsPort(-1).dataDir(data)
                .bootstrapExpect(expect).retryJoin(join).tls(tls).build();
        Agent a = new Agent(c, () -> new LoadedConfig(c, List.of(), List.of())).start();
        agents.add(a);
        return a;
    }

    private Agent client(String name, TlsSettings tls, List<String> join) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data-" + name));
        AgentConfig c = AgentConfig.builder().nodeName(name).bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(-1).serfLanPort(TestPorts.free()).dataDir(data).retryJoin(join).tls(tls).build();
        Agent a = new Agent(c).start();
        agents.add(a);
        return a;
    }

    private static HttpResponse<String> http(Agent a, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(a.httpAddress() + path)).timeout(Duration.ofSeconds(30));
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String serverAddress(Agent a) {
        return a.config().bindAddr() + ":" + a.config().serverPort();
    }

    @Test
    void serversOfOneCaClusterAndAServerOfAnotherCaIsNeverAdded() throws Exception {
        TestPki good = TestPki.in(dir, "good");
        TestPki other = TestPki.in(dir, "other");
        Path[] certA = good.cert("server", "a");
        Agent a = server("a", "127.0.0.2", mutual(good, certA, good.ca), 1, List.of());
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.server().replicator().isLeader() && a.registered());
        String join = a.gossip().address();

        // a server that trusts the right CA but holds a certificate of another CA
        Agent rogue = server("rogue", "127.0.0.4", mutual(other, other.cert("server", "rogue"), good.ca), 0, List.of(join));
        // a server of the right CA
        Agent c = server("c", "127.0.0.3", mutual(good, good.cert("server", "c"), good.ca), 0, List.of(join));
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> a.server().replicator().peers().contains(serverAddress(c)));
        assertThat(http(a, "PUT", "/v1/kv/tls/k", "v").statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> c.store().kvGet(WatchSet.NONE, "tls/k").value() != null);

        // both joined the gossip pool; only the good one is in Raft, and the rogue never got the data
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> a.gossip().members().size() == 3);
        assertThat(a.server().replicator().peers()).contains(serverAddress(a), serverAddress(c)).doesNotContain(serverAddress(rogue));
        assertThat(rogue.store().kvGet(WatchSet.NONE, "tls/k").value()).isNull();

        // a client agent of the right CA reaches the servers over the server RPC under TLS
        Agent client = client("cl", mutual(good, good.cert("client", "cl"), good.ca), List.of(join));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> r = http(client, "GET", "/v1/kv/tls/k?raw", null);
            return r.statusCode() == 200 && r.body().equals("v");
        });
    }

    @Test
    void aRenewedServerCertificateIsServedAfterReloadAndTheClusterKeepsWorking() throws Exception {
        TestPki pki = TestPki.in(dir, "consul");
        Path[] cert = pki.cert("server", "a");
        Agent a = server("a", "127.0.0.2", mutual(pki, cert, pki.ca), 1, List.of());
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.server().replicator().isLeader() && a.registered());
        Path[] clientCert = pki.cert("client", "cl");
        Agent client = client("cl", mutual(pki, clientCert, pki.ca), List.of(a.gossip().address()));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> http(client, "PUT", "/v1/kv/r/1", "one").statusCode() == 200);

        BigInteger before = served(a, pki, clientCert).getSerialNumber();
        Path[] renewed = pki.cert("server", "renewed");
        Files.move(renewed[0], cert[0], StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed[1], cert[1], StandardCopyOption.REPLACE_EXISTING);
        BigInteger expected = Pem.certificates(cert[0]).get(0).getSerialNumber();
        assertThat(a.reload()).isNull();
        assertThat(served(a, pki, clientCert).getSerialNumber()).isEqualTo(expected).isNotEqualTo(before);

        // the cluster is intact: the leader still leads and the client agent still writes through it
        assertThat(a.server().replicator().isLeader()).isTrue();
        assertThat(http(client, "PUT", "/v1/kv/r/2", "two").statusCode()).isEqualTo(200);
        assertThat(http(client, "GET", "/v1/kv/r/2?raw", null).body()).isEqualTo("two");
    }

    /** The certificate the server port presents to a new TLS connection (with a client certificate, as it requires). */
    private static X509Certificate served(Agent a, TestPki pki, Path[] clientCert) throws Exception {
        TlsSettings.Side side = new TlsSettings.Side(pki.ca.toString(), null, clientCert[0].toString(), clientCert[1].toString(),
                false, true, false, "TLSv1.2", List.of());
        javax.net.ssl.SSLContext ctx = TlsContext.load(side, null).sslContext();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(a.config().bindAddr(), a.config().serverPort())) {
            s.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }
}
