package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.check;
import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.HealthCheck;
import io.roster.state.Command;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The DNS server as part of the agent: its port settings, and answers that follow catalog changes. */
class AgentDnsTest {

    @Test
    void portMinusOneTurnsDnsOff() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.dnsPort(-1))) {
            assertThat(agent.dns()).isNull();
        }
    }

    @Test
    void aTakenPortFailsTheStartWithAClearMessage() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Agent agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(taken.getLocalPort())
                    .nodeName("test-node").build());
            try {
                assertThatThrownBy(agent::start).hasMessageContaining("DNS: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            } finally {
                agent.close();
            }
        }
    }

    @Test
    void aSecondServerCannotShareTheUdpPortOfARunningOne() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b)) {
            AgentConfig same = agent.config().toBuilder().dnsPort(agent.dns().port()).build();
            try (DnsServer second = new DnsServer(same, agent.store())) {
                // The UDP sockets use SO_REUSEPORT among themselves; the TCP listener keeps a second
                // server (even one of ours) from silently taking a share of the queries.
                assertThatThrownBy(second::start).hasMessageContaining("DNS: cannot listen on");
            }
            assertThat(rdata(new DnsClient(agent.dns().port()).udp("consul.service.consul", Type.A), Section.ANSWER))
                    .containsExactly("127.0.0.1");
        }
    }

    @Test
    void answersFollowHealthAndRegistrationChanges() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b)) {
            DnsClient dns = new DnsClient(agent.dns().port());
            assertThat(dns.udp("api.service.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);

            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), service("api-1", "api", "", 80, List.of()),
                    check("n1", "api-check", HealthCheck.PASSING, "api-1"));
            DnsAgent.register(agent, node("n2", "10.0.0.2", Map.of()), service("api-2", "api", "", 80, List.of()));
            assertThat(rdata(dns.udp("api.service.consul", Type.A), Section.ANSWER))
                    .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");

            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), service("api-1", "api", "", 80, List.of()),
                    check("n1", "api-check", HealthCheck.CRITICAL, "api-1"));
            assertThat(rdata(dns.udp("api.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.2");

            agent.server().catalog(new Command.CatalogDeregister("n2", "api-2", "")).get(10, TimeUnit.SECONDS);
            assertThat(dns.udp("api.service.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);

            DnsAgent.register(agent, node("n1", "10.0.0.9", Map.of()), null);
            assertThat(rdata(dns.udp("n1.node.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.9");
        }
    }

    @Test
    void mixedCaseRegistrationsAreFoundByAnyCase() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b)) {
            DnsAgent.register(agent, node("Web-Node", "10.0.0.1", Map.of()), service("Api-1", "Api", "", 80, List.of("Blue")));
            DnsClient dns = new DnsClient(agent.dns().port());
            assertThat(rdata(dns.udp("api.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(rdata(dns.udp("blue.API.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(rdata(dns.udp("web-node.node.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(rdata(dns.udp("api.service.consul", Type.SRV), Section.ANSWER))
                    .containsExactly("1 1 80 Web-Node.node.dc1.consul.");
        }
    }
}
