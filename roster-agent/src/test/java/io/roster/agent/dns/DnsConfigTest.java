package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.check;
import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.agent.Agent;
import io.roster.api.HealthCheck;
import io.roster.api.ServiceDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** {@code domain}, {@code alt_domain} and the {@code dns_config} settings, each on its own agent. */
class DnsConfigTest {

    @Test
    void parsesConsulsKeysWithDefaults() {
        DnsConfig d = DnsConfig.DEFAULT;
        assertThat(d.nodeTtlSeconds()).isZero();
        assertThat(d.serviceTtlSeconds("web")).isZero();
        assertThat(d.recursorTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.nodeMetaTxt()).isTrue();
        assertThat(d.soa()).isEqualTo(DnsConfig.Soa.DEFAULT);

        DnsConfig c = DnsConfig.parse(Map.of("node_ttl", "1m", "service_ttl", Map.of("*", "5s", "web", "30s", "db*", "10s",
                "dbx*", "11s"), "only_passing", true, "a_record_limit", 3, "udp_answer_limit", 2, "enable_truncate", true,
                "recursor_timeout", "250ms", "soa", Map.of("min_ttl", 7, "retry", 60)));
        assertThat(c.nodeTtlSeconds()).isEqualTo(60);
        assertThat(c.serviceTtlSeconds("web")).isEqualTo(30);
        assertThat(c.serviceTtlSeconds("WEB")).isEqualTo(30);
        assertThat(c.serviceTtlSeconds("db-main")).isEqualTo(10);
        assertThat(c.serviceTtlSeconds("dbx-main")).isEqualTo(11); // the longest prefix wins
        assertThat(c.serviceTtlSeconds("other")).isEqualTo(5);
        assertThat(c.onlyPassing()).isTrue();
        assertThat(c.aRecordLimit()).isEqualTo(3);
        assertThat(c.udpAnswerLimit()).isEqualTo(2);
        assertThat(c.enableTruncate()).isTrue();
        assertThat(c.recursorTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.soa()).isEqualTo(new DnsConfig.Soa(3600, 60, 86400, 7));

        DnsConfig nodeOnly = DnsConfig.parse(Map.of("node_ttl", "20s", "service_ttl", Map.of("web", "3s")));
        assertThat(nodeOnly.serviceTtlSeconds("web")).isEqualTo(3);
        assertThat(nodeOnly.serviceTtlSeconds("db")).as("no match: node_ttl, as Consul").isEqualTo(20);
        assertThat(DnsConfig.parse(Map.of("node_ttl", "20s")).serviceTtlSeconds("db")).isEqualTo(20);

        assertThatThrownBy(() -> DnsConfig.parse(Map.of("node_ttl", "soon"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsConfig.parse(Map.of("a_record_limit", -1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recursorAddressesTakeOptionalPorts() {
        assertThat(DnsConfig.recursorAddresses(List.of("127.0.0.1", "127.0.0.1:5353", "[::1]:54", "::1", "127.0.0.1")))
                .extracting(a -> a.getAddress().getHostAddress() + "/" + a.getPort())
                .containsExactly("127.0.0.1/53", "127.0.0.1/5353", "0:0:0:0:0:0:0:1/54", "0:0:0:0:0:0:0:1/53");
        assertThatThrownBy(() -> DnsConfig.recursorAddresses(List.of("dns.example.com")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void customDomainAndAltDomainBothAnswerInTheirOwnNames() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.domain("roster.test").altDomain("alt.example"))) {
            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), service("web-1", "web", "", 80, List.of()));
            DnsClient dns = new DnsClient(agent.dns().port());
            assertThat(rdata(dns.udp("web.service.roster.test", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(rdata(dns.udp("web.service.alt.example", Type.SRV), Section.ANSWER))
                    .containsExactly("1 1 80 n1.node.dc1.alt.example.");
            assertThat(rdata(dns.udp("web.service.roster.test", Type.SRV), Section.ANSWER))
                    .containsExactly("1 1 80 n1.node.dc1.roster.test.");
            Message nx = dns.udp("nosuch.service.alt.example", Type.A);
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(((SOARecord) nx.getSection(Section.AUTHORITY).get(0)).getName().toString()).isEqualTo("alt.example.");
            assertThat(dns.udp("web.service.consul", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
        }
    }

    @Test
    void onlyPassingLeavesOutWarningInstances() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.dnsConfig(Map.of("only_passing", true)))) {
            DnsAgent.register(agent, node("n1", "10.0.0.1", Map.of()), service("web-1", "web", "", 80, List.of()));
            DnsAgent.register(agent, node("n2", "10.0.0.2", Map.of()), service("web-2", "web", "", 80, List.of()),
                    check("n2", "slow", HealthCheck.WARNING, "web-2"));
            DnsAgent.register(agent, node("n3", "10.0.0.3", Map.of()), service("lone-1", "lone", "", 80, List.of()),
                    check("n3", "slow", HealthCheck.WARNING, ""));
            DnsClient dns = new DnsClient(agent.dns().port());
            assertThat(rdata(dns.udp("web.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
            assertThat(dns.udp("lone.service.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void aRecordLimitCapsAddressAnswersOnEveryTransportButNotSrv() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.dnsConfig(Map.of("a_record_limit", 2)))) {
            for (int i = 1; i <= 5; i++) {
                DnsAgent.register(agent, node("n" + i, "10.0.0." + i, Map.of()), service("web-" + i, "web", "", 80, List.of()));
            }
            DnsClient dns = new DnsClient(agent.dns().port());
            Message udp = dns.udp("web.service.consul", Type.A);
            assertThat(udp.getSection(Section.ANSWER)).hasSize(2);
            assertThat(udp.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(dns.tcp("web.service.consul", Type.A).getSection(Section.ANSWER)).hasSize(2);
            assertThat(dns.udp("web.service.consul", Type.SRV).getSection(Section.ANSWER)).hasSize(5);
        }
    }

    @Test
    void udpAnswerLimitCapsPlainUdpOnlyAndTruncatesWhenAsked() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.dnsConfig(Map.of("udp_answer_limit", 3, "enable_truncate", true)))) {
            for (int i = 1; i <= 5; i++) {
                DnsAgent.register(agent, node("n" + i, "10.0.0." + i, Map.of()), service("web-" + i, "web", "", 80, List.of()));
            }
            DnsClient dns = new DnsClient(agent.dns().port());
            Message plain = dns.udp("web.service.consul", Type.A);
            assertThat(plain.getSection(Section.ANSWER)).hasSize(3);
            assertThat(plain.getHeader().getFlag(Flags.TC)).isTrue();
            Message edns = dns.udp(DnsClient.edns("web.service.consul", Type.A, 1232));
            assertThat(edns.getSection(Section.ANSWER)).hasSize(5);
            assertThat(dns.tcp("web.service.consul", Type.A).getSection(Section.ANSWER)).hasSize(5);
        }
    }

    @Test
    void soaTimersComeFromConfig() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b.dnsConfig(Map.of("soa", Map.of("min_ttl", 30, "expire", 100))))) {
            Message m = new DnsClient(agent.dns().port()).udp("nosuch.node.consul", Type.A);
            SOARecord soa = (SOARecord) m.getSection(Section.AUTHORITY).get(0);
            assertThat(soa.getMinimum()).isEqualTo(30);
            assertThat(soa.getTTL()).isEqualTo(30);
            assertThat(soa.getExpire()).isEqualTo(100);
        }
    }

    @Test
    void weightsOrderAnswersAndFillSrvWeights() throws Exception {
        try (Agent agent = DnsAgent.start(b -> b)) {
            DnsAgent.register(agent, node("heavy", "10.0.0.1", Map.of()),
                    service("w-1", "w", "", 80, List.of(), new ServiceDefinition.Weights(9, 1)));
            DnsAgent.register(agent, node("light", "10.0.0.2", Map.of()),
                    service("w-2", "w", "", 80, List.of(), new ServiceDefinition.Weights(1, 1)));
            DnsAgent.register(agent, node("warn", "10.0.0.3", Map.of()),
                    service("w-3", "w", "", 80, List.of(), new ServiceDefinition.Weights(9, 2)),
                    check("warn", "slow", HealthCheck.WARNING, "w-3"));
            DnsClient dns = new DnsClient(agent.dns().port());
            Map<String, Integer> srvWeights = new java.util.TreeMap<>();
            for (var r : dns.udp("w.service.consul", Type.SRV).getSection(Section.ANSWER)) {
                SRVRecord s = (SRVRecord) r;
                srvWeights.put(s.getTarget().toString(), s.getWeight());
            }
            assertThat(srvWeights).containsExactly(Map.entry("heavy.node.dc1.consul.", 9),
                    Map.entry("light.node.dc1.consul.", 1), Map.entry("warn.node.dc1.consul.", 2));

            // Weights 9 : 1 : 2, so the heavy instance comes first 75% of the time (uniform: 33%).
            int heavyFirst = 0;
            int n = 400;
            for (int i = 0; i < n; i++) {
                if (dns.udp("w.service.consul", Type.A).getSection(Section.ANSWER).get(0).rdataToString().equals("10.0.0.1")) {
                    heavyFirst++;
                }
            }
            // Binomial(400, 0.75): mean 300, sd 8.7; 220 is 9 sd below (and 87 sd above the uniform mean).
            assertThat(heavyFirst).isBetween(220, 380);
        }
    }
}
