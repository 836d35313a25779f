package io.roster.state;

/** Consul's KV verbs, used by single KV writes and by transaction operations. */
public enum KvVerb {
    SET("set", true),
    CAS("cas", true),
    LOCK("lock", true),
    UNLOCK("unlock", true),
    GET("get", false),
    GET_TREE("get-tree", false),
    CHECK_INDEX("check-index", false),
    CHECK_SESSION("check-session", false),
    CHECK_NOT_EXISTS("check-not-exists", false),
    DELETE("delete", true),
    DELETE_CAS("delete-cas", true),
    DELETE_TREE("delete-tree", true);

    private final String wire;
    private final boolean write;

    KvVerb(String wire, boolean write) {
        this.wire = wire;
        this.write = write;
    }

    /** The verb as it appears in {@code /v1/txn} bodies. */
    public String wire() {
        return wire;
    }

    /** Whether the verb changes state (and so must be replicated). */
    public boolean isWrite() {
        return write;
    }

    /** Parses a wire verb; {@code null} when unknown. */
    public static KvVerb fromWire(String s) {
        for (KvVerb v : values()) {
            if (v.wire.equals(s)) {
                return v;
            }
        }
        return null;
    }
}
