package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.check;
import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static io.roster.agent.dns.DnsClient.rdata;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.HealthCheck;
import io.roster.api.PreparedQuery;
import io.roster.state.Command;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** {@code <query>.query[.<dc>].consul} on a real agent's DNS: the query's selection, its DNS.TTL, templates. */
class QueryDnsTest {
    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev();

    @BeforeAll
    static void catalog() throws Exception {
        AGENT.register(node("q1", "10.7.0.1", Map.of()), service("api-1", "api", "", 8001, List.of("v1")));
        AGENT.register(node("q2", "10.7.0.2", Map.of()), service("api-2", "api", "", 8002, List.of("v2")));
        AGENT.register(node("q3", "10.7.0.3", Map.of()), service("api-3", "api", "", 8003, List.of("v1")),
                check("q3", "api-3-alive", HealthCheck.CRITICAL, "api-3"));
        store(new PreparedQuery("00000000-0000-4000-8000-0000000000d1", "api-v1", "", "",
                new PreparedQuery.ServiceQuery("api", null, null, null, null, false, List.of("v1"), null, null),
                new PreparedQuery.Dns("42s"), null, 0, 0));
        store(new PreparedQuery("00000000-0000-4000-8000-0000000000d2", "tpl-", "", "",
                new PreparedQuery.ServiceQuery("${name.suffix}", null, null, null, null, false, null, null, null),
                null, new PreparedQuery.Template("name_prefix_match", "", false), 0, 0));
    }

    private static void store(PreparedQuery q) throws Exception {
        AGENT.agent().server().replicator().submit(new Command.PreparedQuerySet(q)).get(10, TimeUnit.SECONDS);
    }

    private static Message udp(String name, int type) {
        return AGENT.dns().udp(name, type);
    }

    @Test
    void aRecordsOfTheHealthyMatchingInstancesWithTheQueryTtl() {
        Message m = udp("api-v1.query.consul", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        List<Record> answers = m.getSection(Section.ANSWER);
        assertThat(answers).extracting(DnsClient::rdata).containsExactly("10.7.0.1");
        assertThat(answers.getFirst().getTTL()).isEqualTo(42);
        assertThat(rdata(udp("api-v1.query.dc1.consul", Type.A), Section.ANSWER)).containsExactly("10.7.0.1");
    }

    @Test
    void srvRecordsCarryThePortAndTheNodeTarget() {
        Message m = udp("api-v1.query.consul", Type.SRV);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("1 1 8001 q1.node.dc1.consul.");
        assertThat(m.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(42);
        assertThat(rdata(m, Section.ADDITIONAL)).contains("10.7.0.1");
    }

    @Test
    void templatesAnswerByNameAndUnknownQueriesAreNxdomain() {
        assertThat(rdata(udp("tpl-api.query.consul", Type.A), Section.ANSWER)).containsExactlyInAnyOrder("10.7.0.1", "10.7.0.2");
        assertThat(udp("nothing.query.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(udp("tpl-none.query.consul", Type.A).getRcode()).as("no instances").isEqualTo(Rcode.NXDOMAIN);
        assertThat(udp("api-v1.query.dc9.consul", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
}
