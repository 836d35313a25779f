package io.roster.agent.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Puts replies on the wire, within the size the transport allows.
 *
 * <p>dnsjava's own truncation ({@code Message.toWire(int)}) drops whole RRsets, so 50 A records of one
 * name would all go. Instead we keep the largest prefix of the (already shuffled) answers that fits,
 * with the additional records that belong to them, and set TC so the client can ask again over TCP:
 * {@code max(512, EDNS payload)} bytes over UDP, 65535 over TCP.
 */
final class Responses {
    /** The largest UDP payload we answer with, whatever the client offers (the largest IPv4 UDP datagram). */
    static final int MAX_UDP = 65507;
    static final int MAX_TCP = 65535;
    /** The EDNS payload size we advertise in replies. */
    static final int EDNS_PAYLOAD = 4096;

    private Responses() {
    }

    /** The byte limit for a reply to {@code request}. */
    static int maxSize(Message request, boolean tcp) {
        if (tcp) {
            return MAX_TCP;
        }
        OPTRecord opt = request.getOPT();
        return opt == null ? 512 : Math.clamp(opt.getPayloadSize(), 512, MAX_UDP);
    }

    /**
     * The reply to {@code request} on the wire. {@code answerLimit} (0: none) caps the number of
     * answers first, setting TC only if {@code truncateOnLimit}; then answers are trimmed to fit
     * {@code maxSize}, which always sets TC.
     */
    static byte[] render(Message request, Reply reply, int maxSize, int answerLimit, boolean truncateOnLimit,
                         boolean recursionAvailable) {
        int n = reply.answers().size();
        boolean tc = false;
        if (answerLimit > 0 && n > answerLimit) {
            n = answerLimit;
            tc = truncateOnLimit;
        }
        byte[] wire = build(request, reply, n, true, tc, recursionAvailable).toWire();
        if (wire.length <= maxSize) {
            return wire;
        }
        // Binary search for the most answers that fit (size grows with every answer added).
        int lo = 0;
        int hi = n - 1;
        byte[] best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            byte[] w = build(request, reply, mid, true, true, recursionAvailable).toWire();
            if (w.length <= maxSize) {
                best = w;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best != null) {
            return best;
        }
        // Not even the authority section fits: header and question only.
        return build(request, reply, 0, false, true, recursionAvailable).toWire();
    }

    private static Message build(Message request, Reply reply, int answers, boolean others, boolean tc, boolean ra) {
        Message m = start(request, reply.rcode(), ra);
        Header h = m.getHeader();
        if (reply.authoritative()) {
            h.setFlag(Flags.AA);
        }
        if (tc) {
            h.setFlag(Flags.TC);
        }
        for (int i = 0; i < answers; i++) {
            m.addRecord(reply.answers().get(i), Section.ANSWER);
        }
        if (others) {
            for (Record r : reply.authority()) {
                m.addRecord(r, Section.AUTHORITY);
            }
            // Answers that share a target share its list of additional records: write each list once.
            Set<List<Record>> written = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < answers; i++) {
                List<Record> extra = reply.extras().get(i);
                if (!extra.isEmpty() && written.add(extra)) {
                    for (Record r : extra) {
                        m.addRecord(r, Section.ADDITIONAL);
                    }
                }
            }
        }
        addOpt(request, m, reply.rcode());
        return m;
    }

    /** A reply with no records and {@code rcode} (NOTIMP, REFUSED, SERVFAIL, NXDOMAIN without SOA...). */
    static byte[] empty(Message request, int rcode, boolean recursionAvailable) {
        Message m = start(request, rcode, recursionAvailable);
        addOpt(request, m, rcode);
        return m.toWire();
    }

    /**
     * FORMERR for a packet that could not be parsed: its 12-byte header echoed (ID, opcode, RD) with no
     * records, since nothing after the header can be trusted.
     */
    static byte[] formErr(byte[] packet, int off) {
        byte[] out = new byte[12];
        out[0] = packet[off];
        out[1] = packet[off + 1];
        out[2] = (byte) (0x80 | packet[off + 2] & 0x79); // QR, opcode, RD
        out[3] = (byte) Rcode.FORMERR;
        return out;
    }

    private static Message start(Message request, int rcode, boolean ra) {
        Message m = new Message(request.getHeader().getID());
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(request.getHeader().getOpcode());
        if (request.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (ra) {
            h.setFlag(Flags.RA);
        }
        if (request.getHeader().getFlag(Flags.CD)) {
            h.setFlag(Flags.CD);
        }
        h.setRcode(rcode & 0xF);
        Record q = request.getQuestion();
        if (q != null) {
            m.addRecord(q, Section.QUESTION);
        }
        return m;
    }

    /**
     * Answers EDNS with EDNS (RFC 6891): our payload size, the upper bits of an extended rcode, and the
     * client subnet option echoed with scope 0 (RFC 7871: the answer is the same for every client).
     */
    private static void addOpt(Message request, Message m, int rcode) {
        OPTRecord opt = request.getOPT();
        if (opt == null) {
            return;
        }
        List<EDNSOption> options = new ArrayList<>(1);
        for (EDNSOption o : opt.getOptions(EDNSOption.Code.CLIENT_SUBNET)) {
            if (o instanceof ClientSubnetOption ecs) {
                options.add(new ClientSubnetOption(ecs.getSourcePrefixLength(), 0, ecs.getAddress()));
                break;
            }
        }
        m.addRecord(new OPTRecord(EDNS_PAYLOAD, rcode >>> 4, 0, 0, options), Section.ADDITIONAL);
    }
}
