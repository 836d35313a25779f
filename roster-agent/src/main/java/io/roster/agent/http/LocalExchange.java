package io.roster.agent.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * This agent's route table without a socket and without HTTP encoding: a request (method, path
 * and query as sent, headers, body) is dispatched straight into the same route table, decorators,
 * blocking queries, metrics and error texts as a request on {@code client_addr}, and the answer
 * comes back as status, headers and body. The server RPC's {@code Forward} uses it, so a forwarded
 * request is answered exactly as a local one would be.
 *
 * <p>{@link Exchange#await} blocks until the answer is complete (a parked blocking query: up to
 * {@code wait} plus jitter): call it on a virtual thread.
 */
public final class LocalExchange {
    private final HttpApi api;

    LocalExchange(HttpApi api) {
        this.api = api;
    }

    /** An answer: status, headers (name, value pairs, in order), content type (or null), body. */
    public record Answer(int status, List<String[]> headers, String contentType, byte[] body) {
    }

    /** One request in flight; {@link #cancel} drops it (work it forwarded is cancelled). */
    public static final class Exchange implements Responder {
        private final boolean head;
        private final HttpFields.Mutable headers = HttpFields.build();
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();

        private Exchange(boolean head) {
            this.head = head;
        }

        /** The whole answer, or null when none came within {@code timeoutMillis} or it was cancelled. */
        public Answer await(long timeoutMillis) throws Exception {
            try {
                return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.CancellationException e) {
                cancel();
                return null;
            }
        }

        public void cancel() {
            if (answer.cancel(false)) {
                for (Runnable r : onCancel) {
                    r.run();
                }
            }
        }

        @Override
        public HttpFields.Mutable headers() {
            return headers;
        }

        @Override
        public void send(int status, String contentType, ByteBuffer body, boolean bodyUnread) {
            List<String[]> out = new ArrayList<>(headers.size());
            for (HttpField f : headers) {
                out.add(new String[] {f.getName(), f.getValue()});
            }
            byte[] b = new byte[head ? 0 : body.remaining()];
            body.get(b);
            answer.complete(new Answer(status, out, contentType, b));
        }

        @Override
        public void onCancel(Runnable r) {
            onCancel.add(r);
            if (answer.isCancelled()) {
                r.run();
            }
        }
    }

    /**
     * Starts a request. {@code pathQuery} is the path and query as a client sent them (still
     * percent-encoded); {@code headers} are name, value pairs.
     *
     * @throws IllegalArgumentException when the method, path or a header is not one HTTP/1.1 could carry
     */
    public Exchange start(String method, String pathQuery, List<String[]> headers, byte[] body) {
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("invalid method");
        }
        if (!pathQuery.startsWith("/") || !pathQuery.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("invalid request URI");
        }
        HttpFields.Mutable fields = HttpFields.build(headers.size() + 1);
        for (String[] h : headers) {
            if (!h[0].chars().allMatch(c -> c > 0x20 && c < 0x7F && c != ':')
                    || h[1].chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("invalid header " + h[0]);
            }
            fields.add(h[0], h[1]);
        }
        int hash = pathQuery.indexOf('#');
        String pq = hash < 0 ? pathQuery : pathQuery.substring(0, hash);
        int q = pq.indexOf('?');
        String rawPath = q < 0 ? pq : pq.substring(0, q);
        String rawQuery = q < 0 ? null : pq.substring(q + 1);
        Exchange x = new Exchange(method.equals("HEAD"));
        ApiRequest req;
        try {
            req = ApiRequest.of(method, rawPath, rawQuery, fields.asImmutable(), ApiRequest.Body.of(body));
        } catch (HttpError e) {
            Call call = new Call(ApiRequest.of(method, "/", null, fields.asImmutable(), ApiRequest.Body.of(body)), x, null, null);
            call.error(e.status(), e.getMessage());
            return x;
        }
        api.dispatch(req, x);
        return x;
    }
}
