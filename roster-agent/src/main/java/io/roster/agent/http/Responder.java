package io.roster.agent.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;

/**
 * Where a {@link Call}'s one answer goes: a Jetty response on a socket, or the server RPC's
 * answer to a forwarded request (no HTTP encoding in between).
 */
public interface Responder {
    /** The answer's headers, set before {@link #send}. */
    HttpFields.Mutable headers();

    /**
     * Sends the answer (once). {@code contentType} may be null (no body);
     * {@code bodyUnread}: an error answered before the request body was read.
     */
    void send(int status, String contentType, ByteBuffer body, boolean bodyUnread);

    /**
     * Whether answers may be gzipped for a client that asks ({@code Accept-Encoding}): true for an
     * HTTP socket, false where the answer travels on (a forwarded request's, which the agent that
     * received it encodes for its own client).
     */
    default boolean compresses() {
        return false;
    }

    /** Runs {@code r} when the caller goes away before the answer is sent (to cancel forwarded work). */
    void onCancel(Runnable r);
}
