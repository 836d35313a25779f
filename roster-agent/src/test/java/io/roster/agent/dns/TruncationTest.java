package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * 50 instances of one service: a plain UDP reply is cut to the whole records that fit in 512 bytes
 * with TC set, an EDNS reply to what the client offers, and TCP carries everything.
 */
class TruncationTest {
    private static final int INSTANCES = 50;

    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev();

    @BeforeAll
    static void fiftyInstances() throws Exception {
        for (int i = 1; i <= INSTANCES; i++) {
            AGENT.register(node("big-node-" + i, "10.1.0." + i, Map.of("zone", "z" + i)),
                    service("big-" + i, "big", "", 8000 + i, List.of()));
        }
    }

    private static byte[] raw(Message q) {
        byte[] r = AGENT.dns().udpRaw(q.toWire());
        assertThat(r).as("a UDP reply").isNotNull();
        return r;
    }

    /** Every answer is a whole A record of a distinct instance. */
    private static void assertDistinctInstances(List<Record> answers) {
        Set<String> seen = new HashSet<>();
        for (Record r : answers) {
            assertThat(r).isInstanceOf(ARecord.class);
            String ip = ((ARecord) r).getAddress().getHostAddress();
            assertThat(ip).startsWith("10.1.0.");
            assertThat(seen.add(ip)).as("duplicate " + ip).isTrue();
        }
    }

    @Test
    void plainUdpIsTrimmedToWholeRecordsWithin512BytesAndTruncated() {
        byte[] wire = raw(DnsClient.query("big.service.consul", Type.A));
        assertThat(wire.length).isLessThanOrEqualTo(512);
        Message m = DnsClient.parse(wire);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
        List<Record> answers = m.getSection(Section.ANSWER);
        assertThat(answers.size()).isBetween(10, INSTANCES - 1);
        assertDistinctInstances(answers);
        // Fits tightly: one more A record (16 bytes with a compressed owner) would not have fitted.
        assertThat(wire.length + 16).isGreaterThan(512);
    }

    @Test
    void ednsUdpCarriesAllThatFitTheOfferedSize() {
        byte[] wire = raw(DnsClient.edns("big.service.consul", Type.A, 4096));
        Message m = DnsClient.parse(wire);
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(INSTANCES);
        assertDistinctInstances(m.getSection(Section.ANSWER));

        byte[] small = raw(DnsClient.edns("big.service.consul", Type.A, 600));
        assertThat(small.length).isLessThanOrEqualTo(600).isGreaterThan(512);
        Message sm = DnsClient.parse(small);
        assertThat(sm.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(sm.getOPT()).as("the OPT record survives trimming").isNotNull();
        assertDistinctInstances(sm.getSection(Section.ANSWER));
    }

    @Test
    void ednsBelow512IsTreatedAs512() {
        byte[] wire = raw(DnsClient.edns("big.service.consul", Type.A, 100));
        assertThat(wire.length).isBetween(400, 512);
        assertThat(DnsClient.parse(wire).getHeader().getFlag(Flags.TC)).isTrue();
    }

    @Test
    void tcpCarriesEverything() {
        Message m = AGENT.dns().tcp("big.service.consul", Type.A);
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(INSTANCES);
        assertDistinctInstances(m.getSection(Section.ANSWER));
    }

    @Test
    void srvAnswersKeepTheirTargetsAddressesWhenTrimmed() {
        for (Message m : List.of(DnsClient.parse(raw(DnsClient.query("big.service.consul", Type.SRV))),
                DnsClient.parse(raw(DnsClient.edns("big.service.consul", Type.SRV, 1232))))) {
            assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
            List<Record> answers = m.getSection(Section.ANSWER);
            assertThat(answers).isNotEmpty().hasSizeLessThan(INSTANCES);
            Set<String> withAddress = new HashSet<>();
            for (Record r : m.getSection(Section.ADDITIONAL)) {
                if (r.getType() == Type.A) {
                    withAddress.add(r.getName().toString());
                }
            }
            for (Record r : answers) {
                assertThat(withAddress).contains(((SRVRecord) r).getTarget().toString());
            }
        }
        Message all = AGENT.dns().tcp("big.service.consul", Type.SRV);
        assertThat(all.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(all.getSection(Section.ANSWER)).hasSize(INSTANCES);
        assertThat(all.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.A)).hasSize(INSTANCES);
        assertThat(all.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.TXT)).hasSize(INSTANCES);
    }

    @Test
    void eachReplyIsAFreshShuffle() {
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Message m = AGENT.dns().udp("big.service.consul", Type.A);
            firsts.add(m.getSection(Section.ANSWER).get(0).rdataToString());
        }
        // 40 uniform draws from 50 instances: all equal has probability 50^-39.
        assertThat(firsts.size()).isGreaterThan(1);
    }
}
