package io.roster.agent.filter;

/** A filter that cannot be parsed or does not fit the endpoint's fields; the message is one line for the client. */
public final class FilterException extends RuntimeException {
    public FilterException(String message) {
        super(message, null, false, false);
    }
}
