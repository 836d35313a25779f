package io.roster.server;

import io.roster.state.ApplyError;
import io.roster.state.Command;
import io.roster.state.CommandCodec;
import io.roster.state.CommandType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Commands larger than one Raft entry may be (a {@code PUT /v1/snapshot} of tens of MB) travel as
 * {@link CommandType#CHUNK} entries (a reserved code): {@code [code][id: 8][seq: 4][count: 4][piece]}, sent one after
 * the other by the submitting server. The state machine keeps the pieces (not the store) and
 * applies the whole command at the index of the last piece, so the store changes atomically and
 * every server, replaying the same log, does the same. While an assembly is open the state machine
 * takes no snapshot, so no server can restart into the middle of one. An assembly that got no piece
 * for {@link #ABANDON_AFTER} log indexes (its submitter died) is dropped; a piece out of order fails
 * the command. All of this depends on log contents only: deterministic.
 */
final class Chunks {
    /**
     * Largest piece: well under Ratis' appender byte limit ({@code raft.server.log.appender.buffer.byte-limit},
     * 4 MB by default), which no single entry may exceed, and under the log write buffer (8 MB).
     */
    static final int PIECE_BYTES = Integer.getInteger("roster.raft.chunkBytes", 2 << 20);
    static final long ABANDON_AFTER = 100_000;
    private static final int HEADER = 1 + 8 + 4 + 4;

    /** One assembly in progress; {@code pieces} in order. */
    private static final class Assembly {
        final int count;
        final List<byte[]> pieces = new ArrayList<>();
        long bytes;
        long lastIndex;

        Assembly(int count) {
            this.count = count;
        }
    }

    private final Map<Long, Assembly> open = new LinkedHashMap<>();

    /** Splits an encoded command into chunk entries. */
    static List<byte[]> split(byte[] encoded, long id) {
        int count = (encoded.length + PIECE_BYTES - 1) / PIECE_BYTES;
        List<byte[]> out = new ArrayList<>(count);
        for (int seq = 0; seq < count; seq++) {
            int from = seq * PIECE_BYTES;
            int len = Math.min(PIECE_BYTES, encoded.length - from);
            ByteBuffer b = ByteBuffer.allocate(HEADER + len);
            b.put((byte) CommandType.CHUNK).putLong(id).putInt(seq).putInt(count).put(encoded, from, len);
            out.add(b.array());
        }
        return out;
    }

    static boolean isChunk(byte[] entry) {
        return entry.length >= HEADER && (entry[0] & 0xff) == CommandType.CHUNK;
    }

    /** The outcome of one chunk entry: still assembling, a whole command to apply, or a failure. */
    sealed interface Outcome permits Pending, Whole, Failed {
    }

    record Pending() implements Outcome {
    }

    record Whole(Command command) implements Outcome {
    }

    record Failed(ApplyError error) implements Outcome {
    }

    /** Takes the chunk entry at {@code index}. */
    Outcome accept(long index, byte[] entry) {
        expire(index);
        ByteBuffer b = ByteBuffer.wrap(entry, 1, entry.length - 1);
        long id = b.getLong();
        int seq = b.getInt();
        int count = b.getInt();
        Assembly a = open.get(id);
        if (seq == 0 && a == null) {
            a = new Assembly(count);
            open.put(id, a);
        }
        if (a == null || seq != a.pieces.size() || count != a.count) {
            open.remove(id);
            return new Failed(new ApplyError("restore interrupted: part " + (seq + 1) + " of " + count + " arrived out of order"));
        }
        byte[] piece = new byte[entry.length - HEADER];
        System.arraycopy(entry, HEADER, piece, 0, piece.length);
        a.pieces.add(piece);
        a.bytes += piece.length;
        a.lastIndex = index;
        if (a.pieces.size() < a.count) {
            return new Pending();
        }
        open.remove(id);
        byte[] whole = new byte[Math.toIntExact(a.bytes)];
        int at = 0;
        for (byte[] p : a.pieces) {
            System.arraycopy(p, 0, whole, at, p.length);
            at += p.length;
        }
        try {
            Command c = CommandCodec.decode(whole);
            return c == null ? new Pending() : new Whole(c);
        } catch (RuntimeException e) {
            return new Failed(new ApplyError("invalid chunked command: " + e.getMessage()));
        }
    }

    /** Drops assemblies that got no piece for {@link #ABANDON_AFTER} indexes before {@code index}. */
    void expire(long index) {
        for (Iterator<Assembly> i = open.values().iterator(); i.hasNext(); ) {
            if (index - i.next().lastIndex > ABANDON_AFTER) {
                i.remove();
            }
        }
    }

    /** True while no assembly is open (a snapshot may be taken). */
    boolean idle() {
        return open.isEmpty();
    }

    /** Forgets every assembly (the state was replaced by a snapshot). */
    void clear() {
        open.clear();
    }
}
