package io.roster.state;

/**
 * Stable numeric codes of the commands, as stored in the Raft log and in snapshots.
 * Append only: never renumber or reuse a code. Codes at or above {@link #IGNORABLE} may be skipped by
 * an older server that does not know them; any other unknown code stops the server.
 */
public enum CommandType {
    KV(1),
    SESSION_CREATE(2),
    SESSION_DESTROY(3),
    TXN(4),
    TOMBSTONE_REAP(5),
    CATALOG_REGISTER(6),
    CATALOG_DEREGISTER(7),
    RESTORE(8),
    BATCH(9);

    /** Codes at or above this one are safe for an older server to skip. */
    public static final int IGNORABLE = 128;

    private final int code;

    CommandType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a code, or {@code null} when this server does not know it. */
    public static CommandType of(int code) {
        for (CommandType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
