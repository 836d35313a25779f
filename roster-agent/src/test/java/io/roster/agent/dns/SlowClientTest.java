package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.agent.AgentConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Silent, slow and lying TCP clients: each holds at most one virtual thread and one connection slot,
 * for at most the idle or read timeout, and never stops the server from answering others.
 */
class SlowClientTest {
    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev();

    /** A second listener on the same store with short timeouts and few slots. */
    private static DnsServer server;
    private static DnsClient client;

    @BeforeAll
    static void start() throws Exception {
        AGENT.register(node("n1", "10.0.0.1", Map.of()), service("web-1", "web", "", 80, List.of()));
        AgentConfig cfg = AGENT.agent().config().toBuilder().dnsPort(0).build();
        server = new DnsServer(cfg, AGENT.agent().store(), new DnsServer.Options(2, 300, 16,
                Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500))).start();
        client = new DnsClient(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(client.address(), DnsClient.TIMEOUT_MS);
        s.setSoTimeout(DnsClient.TIMEOUT_MS);
        return s;
    }

    private static void assertAnswers() {
        assertThat(client.tcp("web.service.consul", Type.A).getSection(Section.ANSWER)).hasSize(1);
        assertThat(client.udp("web.service.consul", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void silentSlowAndLyingClientsAreTimedOutWithoutPlatformThreads() throws Exception {
        int platformBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 80; i++) {
                Socket s = open();
                clients.add(s);
                switch (i % 4) {
                    case 0 -> { } // connects and says nothing
                    case 1 -> s.getOutputStream().write(new byte[] {(byte) 0x3F, (byte) 0xFF, 1, 2, 3}); // 16383 promised, 3 sent
                    case 2 -> s.getOutputStream().write(0); // half a length prefix
                    default -> s.getOutputStream().write(new byte[] {0, 40, 0, 1, 0, 0}); // a slow trickle of a query
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 80);
            // While they hang on, others are served, and the threads they hold are virtual.
            assertAnswers();
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - platformBefore).isLessThan(20);
            // The server hangs up on every one of them within its timeouts.
            await().atMost(Duration.ofSeconds(20)).until(() -> server.openConnections() == 0);
            for (Socket s : clients) {
                assertThat(readToEnd(s)).as("closed by the server").isTrue();
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        assertAnswers();
    }

    @Test
    void oversizedLengthPrefixesAreHungUpOnAtOnce() throws Exception {
        try (Socket s = open()) {
            s.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 0, 0});
            assertThat(readToEnd(s)).isTrue();
        }
        try (Socket s = open()) {
            s.getOutputStream().write(new byte[] {0, 5, 1, 2, 3, 4, 5}); // shorter than a header
            assertThat(readToEnd(s)).isTrue();
        }
        assertAnswers();
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndServiceResumes() throws Exception {
        List<Socket> clients = new ArrayList<>();
        long rejectedBefore = server.stats().tcpRejected();
        try {
            for (int i = 0; i < 320; i++) {
                clients.add(open());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().tcpRejected() - rejectedBefore >= 20);
            assertThat(server.openConnections()).isLessThanOrEqualTo(300);
            assertThat(client.udp("web.service.consul", Type.A).getSection(Section.ANSWER)).hasSize(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.openConnections() == 0);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        assertAnswers();
    }

    @Test
    void pipelinedQueriesOnOneConnectionAreAllAnswered() throws Exception {
        try (Socket s = open()) {
            for (int i = 0; i < 50; i++) {
                byte[] r = DnsClient.tcpExchange(s, DnsClient.query("web.service.consul", Type.A).toWire());
                assertThat(DnsClient.parse(r).getSection(Section.ANSWER)).hasSize(1);
            }
        }
    }

    /** True when the peer closed the connection (EOF or reset) before the client's read timeout. */
    private static boolean readToEnd(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            while (in.read(buf) >= 0) {
                // discard anything sent before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }
}
