package io.roster.gossip;

import java.util.List;
import java.util.Map;

/** The protocol's messages, as decoded by {@link Codec}. */
sealed interface Msg {

    /** Direct probe. {@code target} guards against a reused address answering for someone else. */
    record Ping(int seq, String target, String source) implements Msg { }

    /** Asks a helper to probe {@code target} for the sender and relay the ack (and a nack on timeout). */
    record IndirectPing(int seq, String target, String targetAddress, boolean wantNack, String source) implements Msg { }

    record Ack(int seq) implements Msg { }

    /** From an indirect-probe helper: "I asked, but got no ack in time" (Lifeguard: proves the helper is responsive). */
    record Nack(int seq) implements Msg { }

    record Suspect(long incarnation, String node, String from) implements Msg { }

    record Alive(long incarnation, String node, String host, int port, int protocol, Map<String, String> tags) implements Msg {
        String address() {
            return host + ":" + port;
        }
    }

    /** {@code from == node} means the member left gracefully. {@code prune}: forget it at once. */
    record Dead(long incarnation, String node, String from, boolean prune) implements Msg { }

    record UserEventMsg(long ltime, String name, byte[] payload, boolean coalesce) implements Msg { }

    /** A keyring change, ordered by the key clock. */
    record KeyOp(long ltime, byte op, byte[] key) implements Msg {
        static final byte INSTALL = 1;
        static final byte USE = 2;
        static final byte REMOVE = 3;
    }

    /** Which keys (fingerprints) a member holds; the newest version per member wins. */
    record KeyReport(String node, long version, long primary, long[] keys) implements Msg { }

    /** One member's entry in a full state exchange. */
    record MemberEntry(Alive alive, byte state) {
        static final byte ALIVE = 1;
        static final byte SUSPECT = 2;
        static final byte DEAD = 3;
        static final byte LEFT = 4;
    }

    /** Full state, sent both ways over the stream transport. */
    record PushPull(boolean join, long eventLTime, long keyLTime, List<MemberEntry> members,
                    List<UserEventMsg> events, List<KeyOp> keyOps, List<KeyReport> keyReports) implements Msg { }

    /**
     * The sender's network coordinate, sent just before its {@link Ack} in the same packet so the
     * prober can pair it with the probe's round trip (Serf sends it as the ack payload). Members that
     * predate it drop this part as unknown and still take the ack.
     */
    record Coord(int seq, String node, double[] vec, double error, double adjustment, double height) implements Msg { }

    /** Several messages in one packet. */
    record Compound(List<byte[]> parts) implements Msg { }
}
