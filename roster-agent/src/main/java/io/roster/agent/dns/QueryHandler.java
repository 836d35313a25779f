package io.roster.agent.dns;

import io.roster.state.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One DNS message in, what to do with it out: reply now (local names, errors), drop it, or forward it
 * to a recursor (which blocks, so the server runs that apart). Never throws on any input.
 *
 * <p>Status codes, as Consul: a name under the domain that does not exist is NXDOMAIN with the SOA in
 * the authority section; a name that exists but has no record of the type asked is NOERROR, no
 * answer, with the SOA; a name outside the domain is forwarded when recursors are configured and
 * REFUSED otherwise; an unparseable message with a readable header is FORMERR; a message that is a
 * response (QR set), or shorter than a header, is dropped, so we never answer answers.
 */
final class QueryHandler {
    /** What to do with one received message. */
    sealed interface Outcome {
        /** Send these bytes back. */
        record Answer(byte[] wire) implements Outcome {
        }

        /** Send nothing. */
        record Drop() implements Outcome {
        }

        /** Ask the recursors (or, {@code toServers}, the servers' DNS) with {@link #forward}, then send what it returns. */
        record Forward(Message request, byte[] wire, boolean tcp, boolean toServers, String datacenter, boolean addedOpt)
                implements Outcome {
            Forward(Message request, byte[] wire, boolean tcp) {
                this(request, wire, tcp, false, null, false);
            }

            Forward(Message request, byte[] wire, boolean tcp, boolean toServers) {
                this(request, wire, tcp, toServers, null, false);
            }
        }
    }

    static final Outcome DROP = new Outcome.Drop();

    private final Resolver resolver;
    private final DnsConfig config;
    private final Name domain;
    private final Name altDomain;
    private final Recursor recursor;
    /** On a client agent: the servers (over the server RPC), asked for every name in the domain; else null. */
    private ServerDns servers;

    /** On a server: the other datacenters' servers, asked about names in them; else null. */
    private RemoteDns remote;
    private final String datacenter;

    /** A server asks {@code r} about names in other datacenters it knows (null: none), and fails {@code .query} names over through it. */
    QueryHandler withRemote(RemoteDns r) {
        this.remote = r;
        if (r != null && r.failover() != null) {
            resolver.failover(r.failover());
        }
        return this;
    }

    /**
     * The EDNS option (code from the local/experimental range, RFC 6891) in which an agent with
     * {@code translate_wan_addrs} passes its datacenter along with a question it forwards to its
     * servers or to another datacenter: whoever answers gives nodes and services of every other
     * datacenter than that one their WAN addresses. Removed again from the answer when the
     * original question had no OPT record.
     */
    static final int ASKER_DC_OPTION = 65431;

    /** {@code translate_wan_addrs}: this agent's questions about other datacenters get WAN addresses. */
    private boolean translateWan;

    QueryHandler withWanTranslation(boolean on) {
        this.translateWan = on;
        return this;
    }

    /** The asker's datacenter a forwarding agent put in the question, or null. */
    static String askerDatacenter(Message request) {
        OPTRecord opt = request.getOPT();
        if (opt == null) {
            return null;
        }
        for (org.xbill.DNS.EDNSOption o : opt.getOptions(ASKER_DC_OPTION)) {
            byte[] w = o.toWire(); // code (2 bytes), length (2), data
            if (w.length > 4) {
                String dc = new String(w, 4, w.length - 4, java.nio.charset.StandardCharsets.UTF_8);
                if (!dc.isEmpty() && dc.length() <= 64) {
                    return dc.toLowerCase(java.util.Locale.ROOT);
                }
            }
        }
        return null;
    }

    /** The question with this agent's datacenter in its OPT record (one added, at 512 bytes, when it had none). */
    private byte[] withAskerDatacenter(Message request) {
        Message m = request.clone();
        OPTRecord opt = m.getOPT();
        List<org.xbill.DNS.EDNSOption> options = new java.util.ArrayList<>();
        int payload = 512;
        int flags = 0;
        if (opt != null) {
            options.addAll(opt.getOptions());
            payload = opt.getPayloadSize();
            flags = opt.getFlags();
            m.removeRecord(opt, Section.ADDITIONAL);
        }
        options.add(new org.xbill.DNS.GenericEDNSOption(ASKER_DC_OPTION, datacenter.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        m.addRecord(new OPTRecord(payload, 0, 0, flags, options), Section.ADDITIONAL);
        return m.toWire();
    }

    /** A client agent answers nothing in the domain itself: it asks a server's DNS. */
    QueryHandler forwardingTo(ServerDns serverDns) {
        this.servers = serverDns;
        return this;
    }

    QueryHandler(Store store, String datacenter, String domain, String altDomain, DnsConfig config, Recursor recursor,
                 Supplier<RandomGenerator> random) {
        this.resolver = new Resolver(store, datacenter, config, random);
        this.datacenter = datacenter.toLowerCase(java.util.Locale.ROOT);
        this.config = config;
        this.domain = absolute(domain);
        this.altDomain = altDomain == null || altDomain.isEmpty() ? null : absolute(altDomain);
        this.recursor = recursor;
    }

    /** The agent's node name, which a prepared query's {@code Near: _agent} means. */
    QueryHandler withAgentNode(String node) {
        resolver.agentNode(node);
        return this;
    }

    /** ACLs on: names are answered as the agent's default token may read them. */
    QueryHandler withAcl(io.roster.agent.acl.AclResolver acl) {
        resolver.acl(acl);
        return this;
    }

    private static Name absolute(String d) {
        try {
            return Name.fromString(d.endsWith(".") ? d : d + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid DNS domain '" + d + "'");
        }
    }

    boolean recursionAvailable() {
        return recursor != null;
    }

    Outcome handle(byte[] packet, int off, int len, boolean tcp) {
        if (len < 12 || (packet[off + 2] & 0x80) != 0) {
            return DROP;
        }
        Message request;
        try {
            request = new Message(ByteBuffer.wrap(packet, off, len));
        } catch (IOException | RuntimeException e) {
            return new Outcome.Answer(Responses.formErr(packet, off));
        }
        try {
            return answer(request, packet, off, len, tcp);
        } catch (RuntimeException e) {
            // A bug, or a name dnsjava accepted and then could not handle: fail this query, not the server.
            return new Outcome.Answer(Responses.empty(request, Rcode.SERVFAIL, recursionAvailable()));
        }
    }

    private Outcome answer(Message request, byte[] packet, int off, int len, boolean tcp) {
        boolean ra = recursionAvailable();
        if (request.getHeader().getOpcode() != Opcode.QUERY) {
            return new Outcome.Answer(Responses.empty(request, Rcode.NOTIMP, ra));
        }
        List<Record> questions = request.getSection(Section.QUESTION);
        if (questions.size() != 1 || request.getHeader().getCount(Section.ANSWER) != 0) {
            return new Outcome.Answer(Responses.empty(request, Rcode.FORMERR, ra));
        }
        OPTRecord opt = request.getOPT();
        if (opt != null && opt.getVersion() > 0) {
            return new Outcome.Answer(Responses.empty(request, Rcode.BADVERS, ra));
        }
        Record q = questions.get(0);
        int qtype = q.getType();
        int qclass = q.getDClass();
        if (qclass != DClass.IN && qclass != DClass.ANY) {
            return new Outcome.Answer(Responses.empty(request, Rcode.REFUSED, ra));
        }
        if (qtype == Type.OPT || qtype == Type.TSIG || qtype == Type.TKEY) {
            return new Outcome.Answer(Responses.empty(request, Rcode.FORMERR, ra));
        }
        Name qname = q.getName();
        Name zone = zoneOf(qname);
        if (zone != null) {
            if (qtype == Type.AXFR || qtype == Type.IXFR) {
                return new Outcome.Answer(Responses.empty(request, Rcode.REFUSED, ra));
            }
            String asker = askerDatacenter(request);
            boolean add = asker == null && translateWan;
            if (servers != null) {
                return new Outcome.Forward(request, add ? withAskerDatacenter(request) : copy(packet, off, len), tcp, true, null,
                        add && opt == null);
            }
            String dc = remote == null ? null : datacenterOf(qname, zone);
            if (dc != null && !dc.equals(datacenter) && remote.knows(dc)) {
                return new Outcome.Forward(request, add ? withAskerDatacenter(request) : copy(packet, off, len), tcp, false, dc,
                        add && opt == null);
            }
            String askedFrom = asker != null ? asker : translateWan ? datacenter : null;
            int cap = answerCap(request, tcp);
            return render(request, Resolver.askedFrom(askedFrom, () -> resolver.resolve(qname, qtype, zone, cap)), tcp);
        }
        if (qname.subdomain(Resolver.IN_ADDR_ARPA) || qname.subdomain(Resolver.IP6_ARPA)) {
            Reply r = resolver.reverse(qname, qtype, domain);
            if (r != null) {
                return render(request, r, tcp);
            }
            if (recursor == null) {
                return new Outcome.Answer(Responses.empty(request, Rcode.NXDOMAIN, false));
            }
        }
        if (recursor == null) {
            return new Outcome.Answer(Responses.empty(request, Rcode.REFUSED, false));
        }
        byte[] wire = new byte[len];
        System.arraycopy(packet, off, wire, 0, len);
        return new Outcome.Forward(request, wire, tcp);
    }

    private static byte[] copy(byte[] packet, int off, int len) {
        byte[] wire = new byte[len];
        System.arraycopy(packet, off, wire, 0, len);
        return wire;
    }

    /**
     * The fewest answer records {@link Responses#render} could not send in one reply to {@code request}:
     * one more than the UDP answer limit (plain UDP), or than what its size could hold with every
     * answer as small as a record can be (16 bytes: a compressed name and an A record's address), so
     * the resolver builds what the reply can carry and one more to tell there were more.
     */
    private int answerCap(Message request, boolean tcp) {
        int bySize = Responses.maxSize(request, tcp) / 16 + 1;
        boolean plainUdp = !tcp && request.getOPT() == null;
        int limit = plainUdp ? config.udpAnswerLimit() : 0;
        return limit > 0 ? Math.min(limit + 1, bySize) : bySize;
    }

    /** Instances the resolver looked at to build answers so far. */
    long instancesLooked() {
        return resolver.instancesLooked();
    }

    private Outcome render(Message request, Reply reply, boolean tcp) {
        boolean plainUdp = !tcp && request.getOPT() == null;
        return new Outcome.Answer(Responses.render(request, reply, Responses.maxSize(request, tcp),
                plainUdp ? config.udpAnswerLimit() : 0, config.enableTruncate(), recursionAvailable()));
    }

    /** The domain {@code qname} is in (the more specific one if it is in both), or null. */
    private Name zoneOf(Name qname) {
        Name zone = null;
        if (qname.subdomain(domain)) {
            zone = domain;
        }
        if (altDomain != null && qname.subdomain(altDomain) && (zone == null || altDomain.labels() > zone.labels())) {
            zone = altDomain;
        }
        return zone;
    }

    /** The datacenter a name in the domain names ({@code web.service.dc2.consul}), or null. */
    private static String datacenterOf(Name qname, Name zone) {
        int n = qname.labels() - zone.labels();
        List<String> labels = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add(qname.getLabelString(i).toLowerCase(java.util.Locale.ROOT));
        }
        return QueryName.parse(labels).datacenter();
    }

    /** Asks the recursors; SERVFAIL when none answered. Blocks for up to one timeout per recursor. */
    byte[] forward(Outcome.Forward f) {
        byte[] r = f.datacenter() != null ? remote.exchange(f.datacenter(), f.wire(), f.tcp())
                : f.toServers() ? servers.exchange(f.wire(), f.tcp()) : recursor.exchange(f.wire(), f.tcp());
        if (r == null) {
            return Responses.empty(f.request(), Rcode.SERVFAIL, recursionAvailable());
        }
        if (f.addedOpt()) {
            // The client sent no OPT record: it gets none back (the one added to carry the asker's datacenter).
            try {
                Message m = new Message(r);
                OPTRecord o = m.getOPT();
                if (o != null) {
                    m.removeRecord(o, Section.ADDITIONAL);
                    r = m.toWire();
                }
            } catch (IOException | RuntimeException e) {
                return Responses.empty(f.request(), Rcode.SERVFAIL, recursionAvailable());
            }
        }
        // Never hand a UDP client more than it can take: an upstream that ignored its size gets trimmed to TC.
        int max = Responses.maxSize(f.request(), f.tcp());
        if (r.length > max) {
            byte[] header = Responses.empty(f.request(), Rcode.NOERROR, true);
            header[2] |= 0x02; // TC
            return header;
        }
        return r;
    }
}
