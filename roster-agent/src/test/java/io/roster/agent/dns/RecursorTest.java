package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Names outside the domain go to the recursors: a real upstream server started by the test. */
class RecursorTest {

    @Test
    void forwardsOtherNamesAndKeepsAnsweringItsOwn() throws Exception {
        try (Upstream up = new Upstream();
             Agent agent = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + up.port())))) {
            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), service("web-1", "web", "", 80, List.of()));
            DnsClient dns = new DnsClient(agent.dns().port());

            Message q = DnsClient.query("example.org", Type.A);
            Message m = dns.udp(q);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
            assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
            assertThat(rdata(m, Section.ANSWER)).containsExactly("192.0.2.1");
            assertThat(up.udpQueries.get()).isEqualTo(1);

            assertThat(dns.udp("missing.example.org", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(rdata(dns.tcp("example.org", Type.A), Section.ANSWER)).containsExactly("192.0.2.1");

            // Our own names never leave the agent, and say recursion is available.
            int before = up.udpQueries.get();
            Message own = dns.udp("web.service.consul", Type.A);
            assertThat(rdata(own, Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(own.getHeader().getFlag(Flags.RA)).isTrue();
            assertThat(dns.udp("nosuch.service.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(up.udpQueries.get()).isEqualTo(before);
        }
    }

    @Test
    void reverseNamesNotInTheCatalogAreForwarded() throws Exception {
        try (Upstream up = new Upstream();
             Agent agent = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + up.port())))) {
            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), null);
            DnsClient dns = new DnsClient(agent.dns().port());
            assertThat(rdata(dns.udp("9.9.9.9.in-addr.arpa", Type.PTR), Section.ANSWER)).containsExactly("dns9.example.");
            assertThat(rdata(dns.udp("1.0.0.10.in-addr.arpa", Type.PTR), Section.ANSWER)).containsExactly("n1.node.dc1.consul.");
        }
    }

    @Test
    void truncatedUpstreamAnswersArePassedToUdpClientsAndFetchedOverTcpForTcpClients() throws Exception {
        try (Upstream up = new Upstream();
             Agent agent = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + up.port())))) {
            DnsClient dns = new DnsClient(agent.dns().port());
            Message udp = dns.udp("big.example.org", Type.A);
            assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
            Message tcp = dns.tcp("big.example.org", Type.A);
            assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(tcp.getSection(Section.ANSWER)).hasSize(100);
            assertThat(up.tcpQueries.get()).isEqualTo(1);
        }
    }

    @Test
    void silentRecursorsTimeOutToServfailAndTheNextOneIsTried() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Upstream up = new Upstream()) {
            String deaf = "127.0.0.1:" + silent.getLocalPort();
            try (Agent agent = DnsAgent.start(b -> b.recursors(List.of(deaf))
                    .dnsConfig(Map.of("recursor_timeout", "200ms")))) {
                Message m = new DnsClient(agent.dns().port()).udp("example.org", Type.A);
                assertThat(Rcode.string(m.getRcode())).isEqualTo("SERVFAIL");
                assertThat(m.getQuestion().getName().toString()).isEqualTo("example.org.");
            }
            try (Agent agent = DnsAgent.start(b -> b.recursors(List.of(deaf, "127.0.0.1:" + up.port()))
                    .dnsConfig(Map.of("recursor_timeout", "200ms")))) {
                DnsClient dns = new DnsClient(agent.dns().port());
                assertThat(rdata(dns.udp("example.org", Type.A), Section.ANSWER)).containsExactly("192.0.2.1");
                assertThat(rdata(dns.tcp("example.org", Type.A), Section.ANSWER)).containsExactly("192.0.2.1");
            }
        }
    }

    @Test
    void upstreamSeesAFreshIdNotTheClients() throws Exception {
        try (Upstream up = new Upstream();
             Agent agent = DnsAgent.start(b -> b.recursors(List.of("127.0.0.1:" + up.port())))) {
            DnsClient dns = new DnsClient(agent.dns().port());
            int same = 0;
            for (int i = 0; i < 5; i++) {
                Message q = DnsClient.query("example.org", Type.A);
                Message m = dns.udp(q);
                assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
                if (up.lastSeenId == q.getHeader().getID()) {
                    same++;
                }
            }
            assertThat(same).isLessThan(5); // 5 random 16-bit IDs all equal to the client's: 2^-80
        }
    }
}
