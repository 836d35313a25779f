package io.roster.agent.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;

/**
 * Forwards questions outside the domain to the configured {@code recursors}, in order (or in random
 * order with {@code recursor_strategy = "random"}), each with {@code recursor_timeout}, and returns
 * the first NOERROR or NXDOMAIN answer (REFUSED, SERVFAIL or silence: the next one; none: SERVFAIL,
 * as Consul answers). The exchange is dnsjava's {@link SimpleResolver}, one try per recursor. UDP first; a truncated answer is asked again
 * over TCP when the client came over TCP, and passed on (TC set) to a UDP client, which will come
 * back over TCP. The client's question goes as it came (no EDNS added), under a fresh random ID.
 * Blocking: run it on a virtual thread.
 */
final class Recursor implements ServerDns {
    private static final Logger LOG = LoggerFactory.getLogger(Recursor.class);
    /**
     * dnsjava checks its timeouts each time its selector wakes, at most every second by default:
     * wake every 50ms so that a {@code recursor_timeout} of 200ms means 200ms. Read once, when its
     * selector thread starts (a value set by the operator is kept).
     */
    static {
        System.getProperties().putIfAbsent("dnsjava.nio.selector_timeout", "50");
    }

    private final Supplier<List<InetSocketAddress>> upstreams;
    private final Duration timeout;
    private final boolean random;
    private final SecureRandom ids = new SecureRandom();

    Recursor(List<InetSocketAddress> upstreams, Duration timeout, boolean random) {
        this(fixed(upstreams), timeout, random);
    }

    /** Upstreams that change (a client agent's servers, from gossip); none known means no answer. */
    Recursor(Supplier<List<InetSocketAddress>> upstreams, Duration timeout, boolean random) {
        this.upstreams = upstreams;
        this.timeout = timeout.isPositive() ? timeout : Duration.ofMillis(1);
        this.random = random;
    }

    private static Supplier<List<InetSocketAddress>> fixed(List<InetSocketAddress> upstreams) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("no recursors");
        }
        List<InetSocketAddress> copy = List.copyOf(upstreams);
        return () -> copy;
    }

    /**
     * The upstream answer to {@code query} (a whole DNS message) with the client's ID put back, or
     * null when no upstream answered in time.
     */
    @Override
    public byte[] exchange(byte[] query, boolean tcp) {
        List<InetSocketAddress> order = new ArrayList<>(upstreams.get());
        if (order.isEmpty()) {
            return null;
        }
        if (random && order.size() > 1) {
            Collections.shuffle(order, ids);
        }
        Message q;
        try {
            q = new Message(query);
        } catch (IOException e) {
            LOG.debug("not forwarding a malformed query: {}", e.toString());
            return null;
        }
        int clientId = q.getHeader().getID();
        // A fresh random ID per forwarded query, so an off-path attacker cannot guess it from the client's.
        q.getHeader().setID(ids.nextInt(0x10000));
        // One try per recursor, in order, as Consul does: an answer counts when it is NOERROR or
        // NXDOMAIN; REFUSED, SERVFAIL or no answer in time moves on to the next. None: null (SERVFAIL).
        for (InetSocketAddress up : order) {
            SimpleResolver r = new SimpleResolver(up);
            r.setTimeout(timeout);
            r.setIgnoreTruncation(!tcp);
            r.setEDNS((OPTRecord) null);
            try {
                Message answer = r.send(q);
                int rcode = answer.getRcode();
                if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                    answer.getHeader().setID(clientId);
                    return answer.toWire();
                }
                LOG.debug("recursor {} answered {}; trying the next", up, Rcode.string(rcode));
            } catch (IOException e) {
                LOG.debug("recursor {} did not answer: {}", up, e.toString());
            }
        }
        return null;
    }
}
