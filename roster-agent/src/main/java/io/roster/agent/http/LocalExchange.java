package io.roster.agent.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.LocalConnector;

/**
 * This agent's own HTTP handlers without a socket: a request goes through Jetty's in-memory
 * {@link LocalConnector} into the same route table, blocking queries, metrics and error pages as a
 * request on {@code client_addr}. The server RPC's {@code Forward} uses it, so a forwarded request
 * is answered exactly as a local one would be.
 *
 * <p>{@link Exchange#await} blocks until the answer is complete (a parked blocking query: up to
 * {@code wait} plus jitter): call it on a virtual thread.
 */
public final class LocalExchange {
    private final LocalConnector connector;

    LocalExchange(LocalConnector connector) {
        this.connector = connector;
    }

    /** An answer: status, headers (name, value pairs, in order), content type (or null), body. */
    public record Answer(int status, List<String[]> headers, String contentType, byte[] body) {
    }

    /** One request in flight; {@link #cancel} drops it (its parked query, if any, goes away). */
    public static final class Exchange {
        private final LocalConnector.LocalEndPoint endPoint;
        private final boolean head;

        private Exchange(LocalConnector.LocalEndPoint endPoint, boolean head) {
            this.endPoint = endPoint;
            this.head = head;
        }

        /** The whole answer, or null when none came within {@code timeoutMillis} or it was cancelled. */
        public Answer await(long timeoutMillis) throws Exception {
            try {
                ByteBuffer raw = endPoint.waitForResponse(head, timeoutMillis, TimeUnit.MILLISECONDS);
                return raw == null ? null : parse(raw, head);
            } finally {
                endPoint.close();
            }
        }

        public void cancel() {
            endPoint.close();
        }
    }

    /**
     * Starts a request. {@code pathQuery} is the path and query as a client sent them (still
     * percent-encoded); {@code headers} are name, value pairs.
     *
     * @throws IllegalArgumentException when the method, path or a header cannot be sent as HTTP/1.1
     */
    public Exchange start(String method, String pathQuery, List<String[]> headers, byte[] body) {
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("invalid method");
        }
        if (!pathQuery.startsWith("/") || !pathQuery.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("invalid request URI");
        }
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(pathQuery)
                .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (String[] h : headers) {
            if (!h[0].chars().allMatch(c -> c > 0x20 && c < 0x7F && c != ':')
                    || h[1].chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("invalid header " + h[0]);
            }
            head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer request = ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip();
        LocalConnector.LocalEndPoint endPoint = connector.connect();
        endPoint.addInputAndExecute(request);
        return new Exchange(endPoint, method.equals("HEAD"));
    }

    private static Answer parse(ByteBuffer raw, boolean head) {
        List<String[]> headers = new ArrayList<>();
        int[] status = {0};
        String[] type = {null};
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(Math.max(16, raw.remaining()));
        HttpParser parser = new HttpParser(new HttpParser.ResponseHandler() {
            @Override
            public void startResponse(HttpVersion version, int s, String reason) {
                status[0] = s;
            }

            @Override
            public void parsedHeader(HttpField field) {
                if (field.getName().equalsIgnoreCase("Content-Type")) {
                    type[0] = field.getValue();
                } else {
                    headers.add(new String[] {field.getName(), field.getValue()});
                }
            }

            @Override
            public boolean content(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                body.write(b, 0, b.length);
                return false;
            }

            @Override
            public boolean headerComplete() {
                return false;
            }

            @Override
            public boolean contentComplete() {
                return false;
            }

            @Override
            public boolean messageComplete() {
                return true;
            }

            @Override
            public void earlyEOF() {
            }
        });
        parser.setHeadResponse(head);
        // The connector hands over a whole answer: parse it, then tell the parser the stream ended
        // (an answer delimited by Connection: close). Bounded: each pass consumes input or ends.
        for (int i = 0; i < 1_000_000 && !parser.isComplete(); i++) {
            if (!parser.parseNext(raw) && !raw.hasRemaining()) {
                if (parser.isAtEOF()) {
                    break;
                }
                parser.atEOF();
            }
        }
        return new Answer(status[0], headers, type[0], body.toByteArray());
    }
}
