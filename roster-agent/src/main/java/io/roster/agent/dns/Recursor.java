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
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/**
 * Forwards questions outside the domain to the configured {@code recursors}, in order (or in random
 * order with {@code recursor_strategy = "random"}), each with {@code recursor_timeout}, and returns
 * the first answer. The exchange is dnsjava's: an {@link ExtendedResolver} over one
 * {@link SimpleResolver} per recursor, one try each. UDP first; a truncated answer is asked again
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
    private static final Duration SLACK = Duration.ofSeconds(1);

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
        List<Resolver> resolvers = new ArrayList<>(order.size());
        for (InetSocketAddress up : order) {
            SimpleResolver r = new SimpleResolver(up);
            r.setTimeout(timeout);
            r.setIgnoreTruncation(!tcp);
            r.setEDNS((OPTRecord) null);
            resolvers.add(r);
        }
        // Made per query: an ExtendedResolver kept would reorder recursors by their past failures.
        ExtendedResolver all = new ExtendedResolver(resolvers);
        all.setRetries(1);
        all.setLoadBalance(false);
        // Each recursor's own timeout ends its try; the whole only bounds a selector that wakes late.
        all.setTimeout(timeout.plus(SLACK).multipliedBy(order.size()));
        try {
            Message r = all.send(q);
            r.getHeader().setID(clientId);
            return r.toWire();
        } catch (IOException e) {
            LOG.debug("no recursor of {} answered: {}", order, e.toString());
            return null;
        }
    }
}
