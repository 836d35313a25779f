package io.roster.gossip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format: a compact big-endian binary encoding (DataOutput style). Every message starts with
 * its type byte; a packet is one message or a {@link Msg.Compound} of several. Decoding never trusts
 * a length: every read is bounds-checked and any inconsistency throws {@link Malformed}, which the
 * member counts and drops.
 *
 * <p>Type codes are part of the protocol: add new ones, never renumber.
 */
final class Codec {
    static final byte PING = 1;
    static final byte INDIRECT_PING = 2;
    static final byte ACK = 3;
    static final byte NACK = 4;
    static final byte SUSPECT = 5;
    static final byte ALIVE = 6;
    static final byte DEAD = 7;
    static final byte PUSH_PULL = 8;
    static final byte COMPOUND = 9;
    static final byte USER_EVENT = 10;
    static final byte KEY_OP = 11;
    static final byte KEY_REPORT = 12;
    static final byte COORD = 13;
    /** Dimensions a coordinate may have on the wire. */
    static final int MAX_DIMENSIONS = 64;

    /** Protocol version carried in alive messages and push-pull, for future negotiation. */
    static final int PROTOCOL_VERSION = 1;

    static final int MAX_NAME = 256;
    static final int MAX_TAGS = 64;
    static final int MAX_STRING = 2048;
    static final int MAX_BYTES = 64 * 1024;

    private Codec() {
    }

    /** Thrown for anything that does not decode; the caller counts and drops. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------- encoding

    static byte[] encode(Msg m) {
        Out o = new Out(64);
        write(o, m);
        return o.toByteArray();
    }

    private static void write(Out o, Msg m) {
        switch (m) {
            case Msg.Ping p -> {
                o.u8(PING);
                o.i32(p.seq());
                o.str(p.target());
                o.str(p.source());
            }
            case Msg.IndirectPing p -> {
                o.u8(INDIRECT_PING);
                o.i32(p.seq());
                o.str(p.target());
                o.str(p.targetAddress());
                o.bool(p.wantNack());
                o.str(p.source());
            }
            case Msg.Ack a -> {
                o.u8(ACK);
                o.i32(a.seq());
            }
            case Msg.Nack n -> {
                o.u8(NACK);
                o.i32(n.seq());
            }
            case Msg.Coord c -> {
                o.u8(COORD);
                o.i32(c.seq());
                o.str(c.node());
                o.u8(c.vec().length);
                for (double d : c.vec()) {
                    o.i64(Double.doubleToLongBits(d));
                }
                o.i64(Double.doubleToLongBits(c.error()));
                o.i64(Double.doubleToLongBits(c.adjustment()));
                o.i64(Double.doubleToLongBits(c.height()));
            }
            case Msg.Suspect s -> {
                o.u8(SUSPECT);
                o.i64(s.incarnation());
                o.str(s.node());
                o.str(s.from());
            }
            case Msg.Alive a -> {
                o.u8(ALIVE);
                writeAlive(o, a);
            }
            case Msg.Dead d -> {
                o.u8(DEAD);
                o.i64(d.incarnation());
                o.str(d.node());
                o.str(d.from());
                o.bool(d.prune());
            }
            case Msg.UserEventMsg e -> {
                o.u8(USER_EVENT);
                writeEvent(o, e);
            }
            case Msg.KeyOp k -> {
                o.u8(KEY_OP);
                writeKeyOp(o, k);
            }
            case Msg.KeyReport r -> {
                o.u8(KEY_REPORT);
                writeKeyReport(o, r);
            }
            case Msg.PushPull p -> {
                o.u8(PUSH_PULL);
                o.u8(PROTOCOL_VERSION);
                o.bool(p.join());
                o.i64(p.eventLTime());
                o.i64(p.keyLTime());
                o.i32(p.members().size());
                for (Msg.MemberEntry e : p.members()) {
                    writeAlive(o, e.alive());
                    o.u8(e.state());
                }
                o.i32(p.events().size());
                for (Msg.UserEventMsg e : p.events()) {
                    writeEvent(o, e);
                }
                o.i32(p.keyOps().size());
                for (Msg.KeyOp k : p.keyOps()) {
                    writeKeyOp(o, k);
                }
                o.i32(p.keyReports().size());
                for (Msg.KeyReport r : p.keyReports()) {
                    writeKeyReport(o, r);
                }
            }
            case Msg.Compound c -> {
                o.u8(COMPOUND);
                o.u16(c.parts().size());
                for (byte[] part : c.parts()) {
                    o.u16(part.length);
                    o.raw(part);
                }
            }
        }
    }

    private static void writeAlive(Out o, Msg.Alive a) {
        o.i64(a.incarnation());
        o.str(a.node());
        o.str(a.host());
        o.u16(a.port());
        o.u8(a.protocol());
        o.u8(a.tags().size());
        for (Map.Entry<String, String> t : a.tags().entrySet()) {
            o.str(t.getKey());
            o.str(t.getValue());
        }
    }

    private static void writeEvent(Out o, Msg.UserEventMsg e) {
        o.i64(e.ltime());
        o.str(e.name());
        o.bytes(e.payload());
        o.bool(e.coalesce());
    }

    private static void writeKeyOp(Out o, Msg.KeyOp k) {
        o.i64(k.ltime());
        o.u8(k.op());
        o.bytes(k.key());
    }

    private static void writeKeyReport(Out o, Msg.KeyReport r) {
        o.str(r.node());
        o.i64(r.version());
        o.i64(r.primary());
        o.u8(r.keys().length);
        for (long k : r.keys()) {
            o.i64(k);
        }
    }

    /** Size of a compound's framing: type + count, then 2 bytes per part. */
    static int compoundOverhead(int parts) {
        return 3 + 2 * parts;
    }

    // ---------------------------------------------------------------- decoding

    static Msg decode(byte[] buf) {
        In in = new In(buf);
        Msg m = read(in);
        if (in.remaining() != 0) {
            throw new Malformed("trailing " + in.remaining() + " bytes after message type " + buf[0]);
        }
        return m;
    }

    private static Msg read(In in) {
        byte type = in.u8b();
        return switch (type) {
            case PING -> new Msg.Ping(in.i32(), in.name(), in.name());
            case INDIRECT_PING -> new Msg.IndirectPing(in.i32(), in.name(), in.str(MAX_NAME), in.bool(), in.name());
            case ACK -> new Msg.Ack(in.i32());
            case NACK -> new Msg.Nack(in.i32());
            case COORD -> readCoord(in);
            case SUSPECT -> new Msg.Suspect(in.i64(), in.name(), in.name());
            case ALIVE -> readAlive(in);
            case DEAD -> new Msg.Dead(in.i64(), in.name(), in.name(), in.bool());
            case USER_EVENT -> readEvent(in);
            case KEY_OP -> readKeyOp(in);
            case KEY_REPORT -> readKeyReport(in);
            case PUSH_PULL -> readPushPull(in);
            case COMPOUND -> {
                int n = in.u16();
                if (n == 0) {
                    throw new Malformed("empty compound");
                }
                List<byte[]> parts = new ArrayList<>(Math.min(n, 256));
                for (int i = 0; i < n; i++) {
                    int len = in.u16();
                    if (len == 0) {
                        throw new Malformed("empty compound part");
                    }
                    parts.add(in.raw(len));
                }
                yield new Msg.Compound(parts);
            }
            default -> throw new Malformed("unknown message type " + type);
        };
    }

    private static Msg.Coord readCoord(In in) {
        int seq = in.i32();
        String node = in.name();
        int dims = in.u8();
        if (dims > MAX_DIMENSIONS) {
            throw new Malformed("coordinate with " + dims + " dimensions");
        }
        double[] vec = new double[dims];
        for (int i = 0; i < dims; i++) {
            vec[i] = Double.longBitsToDouble(in.i64());
        }
        return new Msg.Coord(seq, node, vec, Double.longBitsToDouble(in.i64()), Double.longBitsToDouble(in.i64()),
                Double.longBitsToDouble(in.i64()));
    }

    private static Msg.Alive readAlive(In in) {
        long inc = in.i64();
        String node = in.name();
        String host = in.str(MAX_NAME);
        int port = in.u16();
        int protocol = in.u8();
        int ntags = in.u8();
        if (ntags > MAX_TAGS) {
            throw new Malformed("too many tags: " + ntags);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < ntags; i++) {
            tags.put(in.str(MAX_STRING), in.str(MAX_STRING));
        }
        if (inc < 0) {
            throw new Malformed("negative incarnation");
        }
        return new Msg.Alive(inc, node, host, port, protocol, Map.copyOf(tags));
    }

    private static Msg.UserEventMsg readEvent(In in) {
        long ltime = in.i64();
        String name = in.str(MAX_STRING);
        byte[] payload = in.bytes();
        boolean cc = in.bool();
        if (ltime < 0) {
            throw new Malformed("negative event ltime");
        }
        return new Msg.UserEventMsg(ltime, name, payload, cc);
    }

    private static Msg.KeyOp readKeyOp(In in) {
        long ltime = in.i64();
        byte op = in.u8b();
        byte[] key = in.bytes();
        if (op < Msg.KeyOp.INSTALL || op > Msg.KeyOp.REMOVE) {
            throw new Malformed("unknown key op " + op);
        }
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new Malformed("bad key length " + key.length);
        }
        return new Msg.KeyOp(ltime, op, key);
    }

    private static Msg.KeyReport readKeyReport(In in) {
        String node = in.name();
        long version = in.i64();
        long primary = in.i64();
        int n = in.u8();
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = in.i64();
        }
        return new Msg.KeyReport(node, version, primary, keys);
    }

    private static Msg.PushPull readPushPull(In in) {
        int version = in.u8();
        if (version < 1) {
            throw new Malformed("bad push-pull version " + version);
        }
        boolean join = in.bool();
        long eventLTime = in.i64();
        long keyLTime = in.i64();
        int n = in.count(20);
        List<Msg.MemberEntry> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Msg.Alive a = readAlive(in);
            byte state = in.u8b();
            if (state < Msg.MemberEntry.ALIVE || state > Msg.MemberEntry.LEFT) {
                throw new Malformed("bad member state " + state);
            }
            members.add(new Msg.MemberEntry(a, state));
        }
        int ne = in.count(14);
        List<Msg.UserEventMsg> events = new ArrayList<>(ne);
        for (int i = 0; i < ne; i++) {
            events.add(readEvent(in));
        }
        int nk = in.count(13);
        List<Msg.KeyOp> ops = new ArrayList<>(nk);
        for (int i = 0; i < nk; i++) {
            ops.add(readKeyOp(in));
        }
        int nr = in.count(19);
        List<Msg.KeyReport> reports = new ArrayList<>(nr);
        for (int i = 0; i < nr; i++) {
            reports.add(readKeyReport(in));
        }
        return new Msg.PushPull(join, eventLTime, keyLTime, members, events, ops, reports);
    }

    // ---------------------------------------------------------------- primitives

    static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
        }

        void bool(boolean v) {
            u8(v ? 1 : 0);
        }

        void u16(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("does not fit in 16 bits: " + v);
            }
            ensure(2);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        }

        void i32(int v) {
            ensure(4);
            for (int s = 24; s >= 0; s -= 8) {
                buf[len++] = (byte) (v >>> s);
            }
        }

        void i64(long v) {
            ensure(8);
            for (int s = 56; s >= 0; s -= 8) {
                buf[len++] = (byte) (v >>> s);
            }
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void bytes(byte[] b) {
            i32(b.length);
            raw(b);
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u16(b.length);
            raw(b);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int remaining() {
            return buf.length - pos;
        }

        private void need(int n) {
            if (n < 0 || remaining() < n) {
                throw new Malformed("truncated: need " + n + " bytes at offset " + pos + ", have " + remaining());
            }
        }

        byte u8b() {
            need(1);
            return buf[pos++];
        }

        int u8() {
            return u8b() & 0xFF;
        }

        boolean bool() {
            int v = u8();
            if (v > 1) {
                throw new Malformed("bad boolean " + v);
            }
            return v == 1;
        }

        int u16() {
            need(2);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int i32() {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        long i64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        byte[] raw(int n) {
            need(n);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        byte[] bytes() {
            int n = i32();
            if (n < 0 || n > MAX_BYTES) {
                throw new Malformed("bad byte-string length " + n);
            }
            return raw(n);
        }

        String str(int max) {
            int n = u16();
            if (n > max) {
                throw new Malformed("string too long: " + n);
            }
            need(n);
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        /** A non-empty node name. */
        String name() {
            String s = str(MAX_NAME);
            if (s.isEmpty()) {
                throw new Malformed("empty node name");
            }
            return s;
        }

        /** A list count, checked against the bytes left (each element is at least {@code minSize}). */
        int count(int minSize) {
            int n = i32();
            if (n < 0 || (long) n * minSize > remaining()) {
                throw new Malformed("bad list count " + n);
            }
            return n;
        }
    }
}
