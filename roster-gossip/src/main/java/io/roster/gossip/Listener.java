package io.roster.gossip;

/**
 * Membership and event notifications. Called on the member's event loop, one at a time and in order:
 * return quickly, and hand anything slow to another thread. Never called for the local member.
 * Every method has an empty default.
 */
public interface Listener {

    /** A member was seen alive for the first time, or again after it had failed or left. */
    default void onJoin(Member m) { }

    /** A known alive member published new tags or a new address. */
    default void onUpdate(Member m) { }

    /** A member was declared failed (dead) by the failure detector. */
    default void onFail(Member m) { }

    /** A member left gracefully (or was force-left). */
    default void onLeave(Member m) { }

    /** A failed or left member was forgotten: after the reconnect/tombstone timeout, or pruned. */
    default void onReap(Member m) { }

    /** A user event, delivered exactly once per member. */
    default void onUserEvent(UserEvent e) { }

    Listener NONE = new Listener() { };
}
