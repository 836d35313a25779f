package io.roster.api;

/** An HTTP error answered by the agent: its status code and its one-line message. */
public final class RosterException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public RosterException(int status, String message) {
        super(status + " " + message);
        this.status = status;
    }

    public RosterException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status, or 0 when the request never got an answer. */
    public int status() {
        return status;
    }
}
