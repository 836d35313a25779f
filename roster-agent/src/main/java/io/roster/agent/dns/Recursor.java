package io.roster.agent.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards questions outside the domain to the configured {@code recursors}, in order (or in random
 * order with {@code recursor_strategy = "random"}), each with {@code recursor_timeout}, and returns
 * the first answer. UDP first; a truncated answer is asked again over TCP when the client came over
 * TCP, and passed on (TC set) to a UDP client, which will come back over TCP. Blocking: run it on a
 * virtual thread.
 */
final class Recursor implements ServerDns {
    private static final Logger LOG = LoggerFactory.getLogger(Recursor.class);

    private final java.util.function.Supplier<List<InetSocketAddress>> upstreams;
    private final int timeoutMillis;
    private final boolean random;
    private final SecureRandom ids = new SecureRandom();

    Recursor(List<InetSocketAddress> upstreams, Duration timeout, boolean random) {
        this(fixed(upstreams), timeout, random);
    }

    /** Upstreams that change (a client agent's servers, from gossip); none known means no answer. */
    Recursor(java.util.function.Supplier<List<InetSocketAddress>> upstreams, Duration timeout, boolean random) {
        this.upstreams = upstreams;
        this.timeoutMillis = Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        this.random = random;
    }

    private static java.util.function.Supplier<List<InetSocketAddress>> fixed(List<InetSocketAddress> upstreams) {
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
        int clientId = (query[0] & 0xFF) << 8 | query[1] & 0xFF;
        // A fresh random ID per forwarded query, so an off-path attacker cannot guess it from the client's.
        byte[] q = query.clone();
        int id = ids.nextInt(0x10000);
        q[0] = (byte) (id >>> 8);
        q[1] = (byte) id;
        List<InetSocketAddress> now = upstreams.get();
        List<InetSocketAddress> order = now;
        if (random && now.size() > 1) {
            order = new ArrayList<>(now);
            Collections.shuffle(order, ids);
        }
        for (InetSocketAddress up : order) {
            try {
                byte[] r = udp(up, q, id);
                if (r != null && tcp && (r[2] & 0x02) != 0) {
                    r = tcp(up, q, id);
                }
                if (r != null) {
                    r[0] = (byte) (clientId >>> 8);
                    r[1] = (byte) clientId;
                    return r;
                }
            } catch (IOException e) {
                LOG.debug("recursor {} failed: {}", up, e.toString());
            }
        }
        return null;
    }

    private byte[] udp(InetSocketAddress up, byte[] q, int id) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(up);
            s.send(new DatagramPacket(q, q.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buf = new byte[Responses.MAX_UDP];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                s.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                // Only a reply to this question counts (a connected socket already filters the sender).
                if (p.getLength() >= 12 && ((buf[0] & 0xFF) << 8 | buf[1] & 0xFF) == id && (buf[2] & 0x80) != 0) {
                    byte[] r = new byte[p.getLength()];
                    System.arraycopy(buf, 0, r, 0, r.length);
                    return r;
                }
            }
        }
    }

    private byte[] tcp(InetSocketAddress up, byte[] q, int id) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(up, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            byte[] framed = new byte[q.length + 2];
            framed[0] = (byte) (q.length >>> 8);
            framed[1] = (byte) q.length;
            System.arraycopy(q, 0, framed, 2, q.length);
            out.write(framed);
            out.flush();
            InputStream in = s.getInputStream();
            DataInputStream din = new DataInputStream(in);
            int len = din.readUnsignedShort();
            byte[] r = new byte[len];
            din.readFully(r);
            if (len < 12 || ((r[0] & 0xFF) << 8 | r[1] & 0xFF) != id) {
                return null;
            }
            return r;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
