package io.roster.gossip.transport;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * How a gossip member talks to others: unreliable packets (UDP) for probes and gossip, and a stream
 * (TCP) exchange of one request and one reply for push-pull state sync, join and the fallback probe.
 * Addresses are {@code host:port} strings. The transport knows nothing of the protocol: bytes in,
 * bytes out. Implementations: {@link UdpTcpTransport} (real sockets) and the simulated network in
 * {@code io.roster.gossip.sim}.
 *
 * <p>Callbacks may come from any thread; the gossip member hands them to its own event loop.
 */
public interface Transport extends AutoCloseable {

    /** Starts delivering inbound packets and streams to {@code handler}. */
    void start(Handler handler) throws IOException;

    /** The host other members should use to reach this one. */
    String host();

    /** The port (UDP and TCP) other members should use to reach this one. */
    int port();

    /** Sends one packet, best effort: errors are swallowed (a lost packet is normal for gossip). */
    void sendPacket(String address, byte[] packet);

    /**
     * Dials {@code address} over the stream transport, writes {@code request}, and reads one reply,
     * all within {@code timeoutMillis}. Exactly one of the callback's methods is called, once.
     */
    void exchange(String address, byte[] request, long timeoutMillis, StreamCallback callback);

    /** Stops listening and releases sockets. Idempotent. */
    @Override
    void close();

    /** Inbound side, implemented by the gossip member. */
    interface Handler {
        /** A packet arrived from {@code from}. */
        void onPacket(String from, byte[] packet);

        /**
         * A stream request arrived; call {@code reply} once with the reply bytes, or with
         * {@code null} to close the stream without a reply (e.g. the request did not decrypt).
         */
        void onStream(String from, byte[] request, Consumer<byte[]> reply);
    }

    /** Outcome of {@link #exchange}. */
    interface StreamCallback {
        void onReply(byte[] reply);

        void onError(String reason);
    }
}
