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
    BATCH(9),
    // 50 and up: issue 21 (prepared queries, coordinates). Not 10: other branches were adding codes
    // from 10 at the same time, and a code is never reused or renumbered once merged.
    PREPARED_QUERY_SET(50),
    PREPARED_QUERY_DELETE(51),
    COORDINATE_BATCH(52),
    // 60-69: issue 18 (ACLs). 70-79 are issue 20's (KV history).
    ACL_BOOTSTRAP(60),
    ACL_TOKEN_SET(61),
    ACL_TOKEN_DELETE(62),
    ACL_POLICY_SET(63),
    ACL_POLICY_DELETE(64),
    ACL_ROLE_SET(65),
    ACL_ROLE_DELETE(66);

    /** Codes at or above this one are safe for an older server to skip. */
    public static final int IGNORABLE = 128;

    /**
     * Reserved, never a command type: the first byte of a piece of a command too large for one Raft
     * entry (a snapshot restore), framed and reassembled by roster-server's state machine, which
     * applies the whole command at the index of its last piece. (40, not the next free code: other
     * changes were adding codes at the time; codes are never reused.)
     */
    public static final int CHUNK = 40;

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
