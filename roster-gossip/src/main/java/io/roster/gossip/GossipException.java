package io.roster.gossip;

/** A gossip operation that cannot be done, with a message fit for an operator. */
public class GossipException extends RuntimeException {
    public GossipException(String message) {
        super(message);
    }

    public GossipException(String message, Throwable cause) {
        super(message, cause);
    }
}
