package io.roster.gossip;

/**
 * A user event as delivered to {@link Listener#onUserEvent}: its Lamport time on the event clock,
 * name, opaque payload, and whether the sender allowed coalescing (the agent decides what that means).
 */
public record UserEvent(long ltime, String name, byte[] payload, boolean coalesce) {
}
