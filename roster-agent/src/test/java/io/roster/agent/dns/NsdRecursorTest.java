package io.roster.agent.dns;

import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.roster.agent.Agent;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The recursor against a real authoritative server, NSD (Debian's {@code nsd}; skipped without it),
 * serving {@code example.org.}: answers, NXDOMAIN, a refusal for a zone it does not serve (SERVFAIL alone, the next recursor with another), and an
 * RRset too big for 512 bytes, truncated for a UDP client and fetched in full over TCP for a TCP one.
 */
class NsdRecursorTest {
    private static final Path NSD = Path.of("/usr/sbin/nsd");
    @TempDir
    static Path work;
    private static Process nsd;
    private static int port;
    private static Agent agent;
    private static DnsClient dns;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(NSD), "nsd is not installed (apt-get install nsd)");
        port = freePort();
        StringBuilder zone = new StringBuilder("""
                $ORIGIN example.org.
                $TTL 300
                @ IN SOA ns.example.org. admin.example.org. 1 3600 600 86400 300
                @ IN NS ns.example.org.
                ns IN A 192.0.2.53
                www IN A 192.0.2.10
                txt IN TXT "hello from nsd"
                """);
        for (int i = 1; i <= 100; i++) {
            zone.append("big IN A 192.0.2.").append(i).append('\n');
        }
        Files.writeString(work.resolve("example.org.zone"), zone);
        Path conf = work.resolve("nsd.conf");
        Files.writeString(conf, String.join("\n",
                "server:",
                "  ip-address: 127.0.0.1",
                "  port: " + port,
                "  server-count: 1",
                "  username: \"\"",
                "  zonesdir: \"" + work + "\"",
                "  pidfile: \"" + work.resolve("nsd.pid") + "\"",
                "  database: \"\"",
                "  xfrdfile: \"" + work.resolve("xfrd.state") + "\"",
                "  zonelistfile: \"" + work.resolve("zone.list") + "\"",
                "  logfile: \"" + work.resolve("nsd.log") + "\"",
                "  rrl-ratelimit: 0",
                "remote-control:",
                "  control-enable: no",
                "zone:",
                "  name: example.org.",
                "  zonefile: example.org.zone",
                ""));
        nsd = new ProcessBuilder(NSD.toString(), "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("nsd.out").toFile()).start();
        awaitNsd();
        agent = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + port)));
        dns = new DnsClient(agent.dns().port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (nsd != null) {
            nsd.destroy();
            if (!nsd.waitFor(10, TimeUnit.SECONDS)) {
                nsd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void answersComeBackWithTheClientsIdAndNsdsFlags() {
        Message q = DnsClient.query("www.example.org", Type.A);
        Message m = dns.udp(q);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("192.0.2.10");
        assertThat(rdata(dns.tcp("txt.example.org", Type.TXT), Section.ANSWER)).containsExactly("hello from nsd");
    }

    @Test
    void nxdomainCarriesTheZonesSoa() {
        Message m = dns.udp("missing.example.org", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getSection(Section.AUTHORITY)).singleElement()
                .satisfies(r -> assertThat(r.getType()).isEqualTo(Type.SOA));
    }

    @Test
    void aRefusalIsNotAnAnswerTheNextRecursorIsAskedAndNoneMeansServfail() throws Exception {
        // NSD refuses a zone it does not serve: with no other recursor the client gets SERVFAIL, as from Consul.
        assertThat(Rcode.string(dns.udp("example.net", Type.A).getRcode())).isEqualTo("SERVFAIL");
        try (Upstream up = new Upstream();
             Agent two = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + port, "127.0.0.1:" + up.port())))) {
            DnsClient both = new DnsClient(two.dns().port());
            // NSD refuses, the next recursor's NXDOMAIN is an answer.
            assertThat(Rcode.string(both.udp("example.net", Type.A).getRcode())).isEqualTo("NXDOMAIN");
            assertThat(up.udpQueries.get()).isEqualTo(1);
            // NSD's own answer is taken first; the next recursor is not asked.
            assertThat(both.udp("www.example.org", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(up.udpQueries.get()).isEqualTo(1);
        }
    }

    @Test
    void aBigAnswerIsTruncatedOverUdpAndWholeOverTcp() {
        Message udp = dns.udp("big.example.org", Type.A);
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        Message tcp = dns.tcp("big.example.org", Type.A);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(100);
    }

    /** A port in 20000-32767 (below the ephemeral range) free for TCP and UDP on 127.0.0.1. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 200; i++) {
            int p = ThreadLocalRandom.current().nextInt(20000, 32768);
            try (ServerSocket t = new ServerSocket(); DatagramSocket u = new DatagramSocket(null)) {
                t.bind(new InetSocketAddress("127.0.0.1", p));
                u.bind(new InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IOException("no free port for nsd");
    }

    private static void awaitNsd() throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        r.setTimeout(Duration.ofMillis(200));
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (!nsd.isAlive()) {
                break;
            }
            try {
                if (r.send(DnsClient.query("www.example.org", Type.A)).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException e) {
                errors.add(e.toString());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nsd did not answer: " + Files.readString(work.resolve("nsd.out"))
                + " " + (errors.isEmpty() ? "" : errors.get(errors.size() - 1)));
    }
}
