package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.check;
import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.HealthCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Consul's name forms, record types, status codes and TTLs, against a real agent over UDP and TCP. */
class DnsLookupTest {
    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev(b -> b.dnsConfig(Map.of(
            "node_ttl", "10s",
            "service_ttl", Map.of("*", "5s", "db", "30s"))));

    @BeforeAll
    static void catalog() throws Exception {
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1", "rfc1035-info", "plain text")),
                service("web-1", "web", "", 80, List.of("primary", "v1")));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("web-2", "web", "", 81, List.of("v1")));
        // n3's own check is critical: every instance on it is left out.
        AGENT.register(node("n3", "10.0.0.3", Map.of()), service("web-3", "web", "", 82, List.of("v1")),
                check("n3", "node-down", HealthCheck.CRITICAL, ""));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("db-1", "db", "192.0.2.10", 5432, List.of("primary")));
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1", "rfc1035-info", "plain text")),
                service("ext-1", "ext", "ext.example.com", 443, List.of()));
        AGENT.register(node("n6", "2001:db8:0:0:0:0:0:6", Map.of()), service("v6-1", "v6svc", "", 9, List.of()));
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1", "rfc1035-info", "plain text")),
                service("down-1", "down", "", 1, List.of()), check("n1", "down-check", HealthCheck.CRITICAL, "down-1"));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("warned-1", "warned", "", 2, List.of()),
                check("n2", "warned-check", HealthCheck.WARNING, "warned-1"));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("same-1", "same", "10.0.0.2", 7, List.of()));
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1", "rfc1035-info", "plain text")),
                service("alias-1", "alias", "web.service.consul", 80, List.of()));
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1", "rfc1035-info", "plain text")),
                service("mixed-1", "mixed", "mixed.example.com", 80, List.of()));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("mixed-2", "mixed", "", 80, List.of()));
    }

    private static Message udp(String name, int type) {
        return AGENT.dns().udp(name, type);
    }

    private static void assertNoError(Message m) {
        assertThat(Rcode.string(m.getRcode())).isEqualTo("NOERROR");
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
    }

    /** NOERROR, no answer, the SOA of {@code zone} in the authority section. */
    private static void assertNoData(Message m, String zone) {
        assertThat(Rcode.string(m.getRcode())).isEqualTo("NOERROR");
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertSoa(m, zone);
    }

    private static void assertNxDomain(Message m, String zone) {
        assertThat(Rcode.string(m.getRcode())).isEqualTo("NXDOMAIN");
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertSoa(m, zone);
    }

    private static void assertSoa(Message m, String zone) {
        List<Record> auth = m.getSection(Section.AUTHORITY);
        assertThat(auth).hasSize(1);
        SOARecord soa = (SOARecord) auth.get(0);
        assertThat(soa.getName().toString()).isEqualTo(zone);
        assertThat(soa.getHost().toString()).isEqualTo("ns." + zone);
        assertThat(soa.getAdmin().toString()).isEqualTo("hostmaster." + zone);
        assertThat(soa.getRefresh()).isEqualTo(3600);
        assertThat(soa.getRetry()).isEqualTo(600);
        assertThat(soa.getExpire()).isEqualTo(86400);
        assertThat(soa.getMinimum()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web.service.consul", "web.service.dc1.consul", "web.service.dc1.dc.consul",
        "WEB.Service.CONSUL", "web.service.default.ns.dc1.dc.consul"})
    void serviceARecordsListHealthyInstancesInEveryNameForm(String name) {
        Message m = udp(name, Type.A);
        assertNoError(m);
        assertThat(rdata(m, Section.ANSWER)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        assertThat(m.getSection(Section.ANSWER)).allSatisfy(r -> {
            assertThat(r.getName().toString()).isEqualTo(name + "."); // the owner as asked, case kept
            assertThat(r.getTTL()).isEqualTo(5); // service_ttl "*"
        });
        assertThat(m.getSection(Section.AUTHORITY)).isEmpty();
    }

    @Test
    void tcpAnswersLikeUdp() {
        Message m = AGENT.dns().tcp("web.service.consul", Type.A);
        assertNoError(m);
        assertThat(rdata(m, Section.ANSWER)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
    }

    @Test
    void anotherDatacenterIsNotFound() {
        assertNxDomain(udp("web.service.dc2.consul", Type.A), "consul.");
        assertNxDomain(udp("n1.node.dc2.dc.consul", Type.A), "consul.");
    }

    @Test
    void tagLookupsFilterCaseInsensitively() {
        assertThat(rdata(udp("primary.web.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
        assertThat(rdata(udp("PRIMARY.web.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.1");
        assertThat(rdata(udp("v1.web.service.consul", Type.A), Section.ANSWER)).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        assertNxDomain(udp("nosuchtag.web.service.consul", Type.A), "consul.");
    }

    @Test
    void srvRecordsPointAtNodesWithTheirAddressesAndMetaInAdditional() {
        Message m = udp("web.service.consul", Type.SRV);
        assertNoError(m);
        assertThat(rdata(m, Section.ANSWER)).containsExactlyInAnyOrder(
                "1 1 80 n1.node.dc1.consul.", "1 1 81 n2.node.dc1.consul.");
        assertThat(DnsClient.records(m, Section.ADDITIONAL)).contains("n1.node.dc1.consul. A 10.0.0.1", "n2.node.dc1.consul. A 10.0.0.2",
                "n1.node.dc1.consul. TXT rack=r1", "n1.node.dc1.consul. TXT plain text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"_web._tcp.service.consul", "_web._tcp.consul", "_web._tcp.dc1.consul",
        "_web._tcp.service.dc1.consul"})
    void rfc2782LookupsWithTcpMeanAnyTag(String name) {
        Message m = udp(name, Type.SRV);
        assertNoError(m);
        assertThat(m.getSection(Section.ANSWER)).hasSize(2);
    }

    @Test
    void rfc2782LookupsFilterByTag() {
        Message m = udp("_web._primary.service.consul", Type.SRV);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("1 1 80 n1.node.dc1.consul.");
    }

    @Test
    void serviceWithItsOwnAddressGetsAnAddrTargetAndItsTtl() {
        Message m = udp("db.service.consul", Type.SRV);
        assertNoError(m);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("1 1 5432 c000020a.addr.dc1.consul.");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(30);
        assertThat(m.getSection(Section.ADDITIONAL)).singleElement().satisfies(r -> {
            assertThat(r.getName().toString()).isEqualTo("c000020a.addr.dc1.consul.");
            assertThat(r.rdataToString()).isEqualTo("192.0.2.10");
        });
        assertThat(rdata(udp("db.service.consul", Type.A), Section.ANSWER)).containsExactly("192.0.2.10");
    }

    @Test
    void addrNamesDecodeHexAddresses() {
        assertThat(rdata(udp("c000020a.addr.consul", Type.A), Section.ANSWER)).containsExactly("192.0.2.10");
        assertThat(rdata(udp("c000020a.addr.dc1.consul", Type.ANY), Section.ANSWER)).containsExactly("192.0.2.10");
        assertThat(rdata(udp("20010db8000000000000000000000006.addr.consul", Type.AAAA), Section.ANSWER))
                .containsExactly("2001:db8:0:0:0:0:0:6");
        assertNoData(udp("c000020a.addr.consul", Type.AAAA), "consul.");
        assertNxDomain(udp("zz00020a.addr.consul", Type.A), "consul.");
        assertNxDomain(udp("c00002.addr.consul", Type.A), "consul.");
    }

    @Test
    void nodeLookupsGiveAddressTxtMetaAndNodeTtl() {
        Message a = udp("n1.node.consul", Type.A);
        assertNoError(a);
        assertThat(rdata(a, Section.ANSWER)).containsExactly("10.0.0.1");
        assertThat(a.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(10);
        assertThat(rdata(a, Section.ADDITIONAL)).containsExactly("rack=r1", "plain text");

        assertThat(rdata(udp("n1.node.dc1.consul", Type.TXT), Section.ANSWER))
                .containsExactly("rack=r1", "plain text");
        assertThat(rdata(udp("n1.node.consul", Type.ANY), Section.ANSWER))
                .containsExactly("10.0.0.1", "rack=r1", "plain text");
        assertNoData(udp("n1.node.consul", Type.AAAA), "consul.");
        assertNoData(udp("n2.node.consul", Type.TXT), "consul.");
        assertNxDomain(udp("missing.node.consul", Type.A), "consul.");
        assertThat(rdata(udp("n6.node.consul", Type.AAAA), Section.ANSWER)).containsExactly("2001:db8:0:0:0:0:0:6");
    }

    @Test
    void hostNameAddressesAnswerWithCname() {
        Message a = udp("ext.service.consul", Type.A);
        assertNoError(a);
        assertThat(a.getSection(Section.ANSWER)).singleElement().satisfies(r -> {
            assertThat(r.getType()).isEqualTo(Type.CNAME);
            assertThat(r.rdataToString()).isEqualTo("ext.example.com.");
        });
        assertThat(rdata(udp("ext.service.consul", Type.SRV), Section.ANSWER)).containsExactly("1 1 443 ext.example.com.");
    }

    @Test
    void aServiceAddressEqualToItsNodesIsTheNodeTarget() {
        assertThat(rdata(udp("same.service.consul", Type.SRV), Section.ANSWER)).containsExactly("1 1 7 n2.node.dc1.consul.");
    }

    @Test
    void cnamesIntoTheDomainAreFollowedAndAddressesWinOverCnames() {
        Message alias = udp("alias.service.consul", Type.A);
        assertThat(DnsClient.records(alias, Section.ANSWER)).hasSize(3)
                .startsWith("alias.service.consul. CNAME web.service.consul.")
                .contains("web.service.consul. A 10.0.0.1", "web.service.consul. A 10.0.0.2");
        assertThat(rdata(udp("mixed.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.2");
    }

    @Test
    void clientSubnetIsEchoedWithScopeZero() throws Exception {
        Message q = DnsClient.query("web.service.consul", Type.A);
        q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, 0, List.of(
                new org.xbill.DNS.ClientSubnetOption(24, java.net.InetAddress.getByName("192.0.2.0")))), Section.ADDITIONAL);
        Message m = AGENT.dns().udp(q);
        assertThat(m.getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.CLIENT_SUBNET)).singleElement().satisfies(o -> {
            org.xbill.DNS.ClientSubnetOption ecs = (org.xbill.DNS.ClientSubnetOption) o;
            assertThat(ecs.getSourcePrefixLength()).isEqualTo(24);
            assertThat(ecs.getScopePrefixLength()).isZero();
            assertThat(ecs.getAddress().getHostAddress()).isEqualTo("192.0.2.0");
        });
    }

    @Test
    void metadataTextFollowsRfc1464() {
        assertThat(Resolver.rfc1464("a=b", "x`y")).isEqualTo("a`=b=x``y");
        assertThat(Resolver.rfc1464(" k ", "v")).isEqualTo("` k` =v");
        assertThat(Resolver.rfc1464("plain", "")).isEqualTo("plain=");
    }

    @Test
    void ipv6InstancesAnswerAaaaAndNoDataForA() {
        assertThat(rdata(udp("v6svc.service.consul", Type.AAAA), Section.ANSWER)).containsExactly("2001:db8:0:0:0:0:0:6");
        assertNoData(udp("v6svc.service.consul", Type.A), "consul.");
    }

    @Test
    void criticalInstancesAreLeftOutAndWarningOnesKept() {
        assertNxDomain(udp("down.service.consul", Type.A), "consul.");
        assertThat(rdata(udp("warned.service.consul", Type.A), Section.ANSWER)).containsExactly("10.0.0.2");
    }

    @Test
    void unknownNamesUnderTheDomainAreNxDomainWithSoa() {
        assertNxDomain(udp("nosuch.service.consul", Type.A), "consul.");
        assertNxDomain(udp("whatever.consul", Type.A), "consul.");
        assertNxDomain(udp("a.b.c.consul", Type.A), "consul.");
        assertNxDomain(udp("myquery.query.consul", Type.A), "consul."); // no such prepared query
        assertNxDomain(udp("web.connect.consul", Type.A), "consul.");
    }

    @Test
    void knownNamesWithoutThatTypeAreNoData() {
        assertNoData(udp("web.service.consul", Type.TXT), "consul.");
        assertNoData(udp("web.service.consul", Type.MX), "consul.");
    }

    @Test
    void theDomainItselfHasSoaAndNs() {
        Message soa = udp("consul", Type.SOA);
        assertNoError(soa);
        assertThat(soa.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
        Message ns = udp("consul", Type.NS);
        assertThat(rdata(ns, Section.ANSWER)).containsExactly("test-node.node.dc1.consul.");
        assertThat(rdata(ns, Section.ADDITIONAL)).containsExactly("127.0.0.1");
        assertNoData(udp("consul", Type.A), "consul.");
        // the servers' own service, on the server port the agent bound (8300 unless another process had it)
        assertThat(((SRVRecord) udp("consul.service.consul", Type.SRV).getSection(Section.ANSWER).get(0)).getPort())
                .isEqualTo(AGENT.agent().config().serverPort());
    }

    @Test
    void reverseLookupsNameNodesAndServices() {
        Message node = udp("1.0.0.10.in-addr.arpa", Type.PTR);
        assertNoError(node);
        assertThat(rdata(node, Section.ANSWER)).containsExactly("n1.node.dc1.consul.");
        assertThat(rdata(udp("10.2.0.192.in-addr.arpa", Type.PTR), Section.ANSWER)).containsExactly("db.service.dc1.consul.");
        String v6 = "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assertThat(rdata(udp(v6, Type.PTR), Section.ANSWER)).containsExactly("n6.node.dc1.consul.");
        Message unknown = udp("9.9.9.9.in-addr.arpa", Type.PTR);
        assertThat(Rcode.string(unknown.getRcode())).isEqualTo("NXDOMAIN"); // no recursors to ask
    }

    @Test
    void namesOutsideTheDomainAreRefusedWithoutRecursors() {
        Message m = udp("example.com", Type.A);
        assertThat(Rcode.string(m.getRcode())).isEqualTo("REFUSED");
        assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(m.getQuestion().getName().toString()).isEqualTo("example.com.");
    }

    @Test
    void repliesEchoIdQuestionAndRd() {
        Message q = DnsClient.query("web.service.consul", Type.A);
        Message m = AGENT.dns().udp(q);
        assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
        assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(m.getQuestion()).isEqualTo(q.getQuestion());
    }

    @Test
    void otherClassesAreRefusedAndZoneTransfersToo() {
        Message q = new Message();
        q.addRecord(Record.newRecord(org.xbill.DNS.Name.fromConstantString("version.bind."), Type.TXT, DClass.CH),
                Section.QUESTION);
        assertThat(Rcode.string(AGENT.dns().udp(q).getRcode())).isEqualTo("REFUSED");
        assertThat(Rcode.string(AGENT.dns().tcp("consul", Type.AXFR).getRcode())).isEqualTo("REFUSED");
    }

    @Test
    void ednsQueriesGetEdnsReplies() {
        Message m = AGENT.dns().udp(DnsClient.edns("web.service.consul", Type.A, 1232));
        assertNoError(m);
        assertThat(m.getOPT()).isNotNull();
        assertThat(m.getOPT().getPayloadSize()).isEqualTo(4096);
        Message plain = udp("web.service.consul", Type.A);
        assertThat(plain.getOPT()).isNull();
    }
}
