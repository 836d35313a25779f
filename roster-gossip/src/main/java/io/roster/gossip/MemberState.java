package io.roster.gossip;

/**
 * A member's state as this member sees it, with the status code Consul's {@code /v1/agent/members}
 * shows (serf's member status): 1 alive, 2 leaving, 3 left, 4 failed. A suspect member is still
 * "alive" there: suspicion is a failure detector's doubt, not a verdict.
 */
public enum MemberState {
    ALIVE(1),
    SUSPECT(1),
    /**
     * The local member between {@code leave()} and the end of the leave broadcast; or a remote
     * member that was force-left while alive (serf's leave intent), until it refutes or is reaped.
     */
    LEAVING(2),
    LEFT(3),
    /** Declared dead by the failure detector (memberlist's "dead"). */
    FAILED(4);

    private final int status;

    MemberState(int status) {
        this.status = status;
    }

    /** Consul's member status code. */
    public int status() {
        return status;
    }
}
