package io.roster.agent.http;

import io.roster.api.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * One exchange: the immutable request ({@link ApiRequest}: decoded path, the route's path
 * parameters, query, headers, body, token) and the ways to answer it exactly once (now, or later
 * from another thread for blocking queries and replicated writes), to whichever {@link Responder}
 * it came from. The router builds it once the route is known and never changes it.
 */
public final class Call {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final HttpField KNOWN_LEADER = new PreEncodedHttpField("X-Consul-KnownLeader", "true");
    private static final HttpField NO_KNOWN_LEADER = new PreEncodedHttpField("X-Consul-KnownLeader", "false");
    private static final HttpField LAST_CONTACT = new PreEncodedHttpField("X-Consul-LastContact", "0");
    private static final HttpField VARY = new PreEncodedHttpField("Vary", "Accept-Encoding");
    private static final HttpField GZIP = new PreEncodedHttpField("Content-Encoding", "gzip");

    private final ApiRequest request;
    private final Responder out;
    private final String tail;
    private final BooleanSupplier knownLeader;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** Told once, when the call is answered (metrics); set by decorators before the handler runs. */
    private volatile IntConsumer onAnswer;
    private volatile boolean bodyRead;
    /** The body once read (the ACL decorator may read a name from it before the handler does). */
    private byte[] body;
    /** Who the call runs as: set by the ACL decorator; everything allowed when ACLs are off. */
    private volatile io.roster.agent.acl.Identity identity = io.roster.agent.acl.Identity.OPEN;

    /**
     * @param route        the matched route (its tail parameter is {@link #rest()}), or null before matching
     * @param knownLeader  whether a leader is known now ({@code X-Consul-KnownLeader})
     */
    Call(ApiRequest request, Responder out, Route route, BooleanSupplier knownLeader) {
        this(request, out, tailOf(request, route), knownLeader);
    }

    private Call(ApiRequest request, Responder out, String tail, BooleanSupplier knownLeader) {
        this.request = request;
        this.out = out;
        this.knownLeader = knownLeader;
        this.tail = tail;
    }

    private static String tailOf(ApiRequest request, Route route) {
        String name = route == null ? null : route.pattern().tailName();
        return name == null ? "" : request.params().getOrDefault(name, "");
    }

    // ------------------------------------------------------------------ answers rendered once, sent to many

    /**
     * Answers of at least this many bytes are gzipped for a client that accepts gzip: Consul wraps
     * its handlers in gziphandler with its default minimum size, 1,400 bytes.
     */
    static final int GZIP_MIN_SIZE = 1400;

    /** An answer rendered once (status, the headers the renderer set, type, body), to be sent to many calls. */
    static final class Captured {
        final int status;
        final String type;
        final List<HttpField> headers;
        final byte[] body;
        private volatile byte[] gzipped;

        Captured(int status, String type, List<HttpField> headers, byte[] body) {
            this.status = status;
            this.type = type;
            this.headers = headers;
            this.body = body;
        }

        /** The body gzipped, computed by the first caller that needs it. */
        byte[] gzipped() {
            byte[] g = gzipped;
            if (g == null) {
                synchronized (this) {
                    g = gzipped;
                    if (g == null) {
                        g = gzip(body);
                        gzipped = g;
                    }
                }
            }
            return g;
        }

        /** Bodies from this size on are sent from a direct copy made once (the socket write copies a heap buffer per write). */
        static final int DIRECT_MIN_SIZE = 64 * 1024;
        private volatile ByteBuffer direct;
        private volatile ByteBuffer directGzipped;

        /** {@code b} (this answer's body or its gzip) to send: a view of its direct copy when it is large. */
        ByteBuffer wire(byte[] b) {
            if (b.length < DIRECT_MIN_SIZE) {
                return ByteBuffer.wrap(b);
            }
            boolean gz = b != body;
            ByteBuffer d = gz ? directGzipped : direct;
            if (d == null) {
                synchronized (this) {
                    d = gz ? directGzipped : direct;
                    if (d == null) {
                        try {
                            d = ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer();
                        } catch (OutOfMemoryError e) {
                            return ByteBuffer.wrap(b); // the direct memory limit reached: send the heap bytes
                        }
                        if (gz) {
                            directGzipped = d;
                        } else {
                            direct = d;
                        }
                    }
                }
            }
            return d.duplicate();
        }
    }

    /** Where a capturing call's answer goes: kept, not sent. */
    private static final class Capture implements Responder {
        private final HttpFields.Mutable headers = HttpFields.build();
        private volatile Captured result;

        @Override
        public HttpFields.Mutable headers() {
            return headers;
        }

        @Override
        public void send(int status, String contentType, ByteBuffer body, boolean bodyUnread) {
            byte[] b = new byte[body.remaining()];
            body.get(b);
            // Pre-encoded once (HTTP/1.1 and HPACK), as they go to every watcher sharing the answer.
            List<HttpField> hs = new java.util.ArrayList<>(headers.size());
            for (HttpField f : headers) {
                hs.add(f instanceof PreEncodedHttpField ? f : new PreEncodedHttpField(f.getName(), f.getValue()));
            }
            result = new Captured(status, contentType, List.copyOf(hs), b);
        }

        @Override
        public void onCancel(Runnable r) {
        }
    }

    /** A call on the same request whose answer is captured instead of sent ({@link #captured()}). */
    Call capturing() {
        Call c = new Call(request, new Capture(), tail, knownLeader);
        // The render filters by the caller's token (AclFilter): the capture must carry it, or the
        // answer shared with every watcher of this query and token would be rendered unfiltered.
        c.identity = identity;
        return c;
    }

    /** What a {@link #capturing()} call answered, or null when it has not answered. */
    Captured captured() {
        return out instanceof Capture c ? c.result : null;
    }

    /** Sends an answer captured from another call on an equal request (its headers, status and body). */
    void replay(Captured c) {
        HttpFields.Mutable h = out.headers();
        for (HttpField f : c.headers) {
            h.put(f);
        }
        send(c.status, c.type, c.body, c::gzipped, c);
    }

    /**
     * What makes two reads render the same answer at the same index: method, path, the query as
     * sent without its {@code index}, {@code wait} and {@code hash} parameters, and the token.
     * Null with {@code ?near=}. Cheap on purpose (a profile of 100k woken watchers showed a sorted copy of the query
     * costing half of the sharing): two equal queries written in another order only share less.
     */
    String shareKey() {
        if (request.query().containsKey("near")) {
            // ?near= sorts by coordinates, which change without moving the read's index.
            return null;
        }
        String q = request.rawQuery();
        StringBuilder b = new StringBuilder(request.method().length() + request.rawPath().length() + (q == null ? 0 : q.length()) + 48)
                .append(request.method()).append(' ').append(request.rawPath()).append('?');
        if (q != null) {
            int start = 0;
            while (start <= q.length()) {
                int amp = q.indexOf('&', start);
                int end = amp < 0 ? q.length() : amp;
                if (!(isParam(q, start, end, "index") || isParam(q, start, end, "wait") || isParam(q, start, end, "hash"))) {
                    b.append(q, start, end).append('&');
                }
                start = end + 1;
            }
        }
        return b.append('\0').append(request.token()).toString();
    }

    private static boolean isParam(String q, int start, int end, String name) {
        int n = name.length();
        return end - start >= n && q.startsWith(name, start) && (end - start == n || q.charAt(start + n) == '=');
    }

    private static byte[] gzip(byte[] body) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(Math.max(64, body.length / 4));
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes, 8192)) {
            gz.write(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether the client listed gzip in {@code Accept-Encoding} with a non-zero q (as Go's gziphandler reads it). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.split(";");
            if (!p[0].strip().equalsIgnoreCase("gzip")) {
                continue;
            }
            for (int i = 1; i < p.length; i++) {
                String param = p[i].strip();
                if (param.startsWith("q=")) {
                    try {
                        return Double.parseDouble(param.substring(2).strip()) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The same exchange with the body already read into {@code bytes} (a decorator that had to look
     * into the body, such as the datacenter of a catalog write, hands this on); answers go to the
     * same caller and the same answer listeners.
     */
    Call withBody(byte[] bytes) {
        ApiRequest r = new ApiRequest(request.method(), request.path(), request.rawPath(), request.rawQuery(),
                request.query(), request.headers(), request.params(), ApiRequest.Body.of(bytes), request.remoteAddr());
        Call c = new Call(r, out, tail, knownLeader);
        c.onAnswer = onAnswer;
        c.bodyRead = true;
        c.identity = identity;
        return c;
    }

    /** The request, as sent (immutable). */
    public ApiRequest request() {
        return request;
    }

    public String method() {
        return request.method();
    }

    /** The percent-decoded path; {@code %2F} becomes {@code /} as in Consul. */
    public String path() {
        return request.path();
    }

    /** The route's {@code {name...}} tail, decoded (a KV key, a session ID, a node name); {@code ""} for none. */
    public String rest() {
        return tail;
    }

    /** A path parameter of the route ({@code {name}} or {@code {name...}}), or null. */
    public String pathParam(String name) {
        return request.params().get(name);
    }

    /** Whether a query parameter is present, with any value (Consul's presence flags: {@code ?recurse}, {@code ?stale=1}). */
    public boolean has(String name) {
        return request.query().containsKey(name);
    }

    /** The first value of a query parameter, or {@code null} when absent ({@code ""} when present without value). */
    public String param(String name) {
        List<String> v = request.query().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Every value of a repeated query parameter. */
    public List<String> params(String name) {
        return request.query().getOrDefault(name, List.of());
    }

    /** An unsigned integer query parameter, or {@code dflt} when absent; 400 with {@code message} when malformed. */
    public long longParam(String name, long dflt, String message) {
        String v = param(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(message);
        }
    }

    public String header(String name) {
        return request.header(name);
    }

    /** The answer's headers (set them before answering). */
    public HttpFields.Mutable responseHeaders() {
        return out.headers();
    }

    /** Runs {@code r} when the caller goes away before the answer (cancels forwarded or parked work). */
    public void onCancel(Runnable r) {
        out.onCancel(r);
    }

    /** Adds a listener told the status once the call is answered (a decorator's, before the handler runs). */
    void onAnswer(IntConsumer l) {
        IntConsumer prev = onAnswer;
        onAnswer = prev == null ? l : prev.andThen(l);
    }

    /**
     * Reads the whole request body, refusing more than {@code max} bytes with 413 and {@code tooLarge}.
     * Blocks the handler thread while the body arrives.
     */
    public synchronized byte[] body(long max, String tooLarge) {
        bodyRead = true;
        if (body == null) {
            body = request.body().read(max, tooLarge);
        } else if (body.length > max) {
            throw new HttpError(413, tooLarge.replace("%d", Integer.toString(body.length)));
        }
        return body;
    }

    /** Re-resolves and re-authorizes the call's token (set by the ACL decorator; nothing when ACLs are off). */
    private volatile Runnable aclRecheck = () -> { };

    void onAclRecheck(Runnable r) {
        aclRecheck = r;
    }

    /**
     * Checks the call's token again, as a woken blocking query does before it answers (a token
     * deleted or changed while the query was parked); throws the 403 {@link HttpError} when it no longer passes.
     */
    void recheckAcl() {
        aclRecheck.run();
    }

    /** Who this call runs as (the ACL decorator resolved its token). */
    public io.roster.agent.acl.Identity identity() {
        return identity;
    }

    void identity(io.roster.agent.acl.Identity id) {
        identity = id;
    }

    /** Parses the body as JSON into {@code type}; 400 {@code Request decode failed: ...} when malformed. */
    public <T> T json(Class<T> type, long max) {
        byte[] b = body(max, "Request body(%d bytes) too large, max size: " + max + " bytes");
        if (b.length == 0) {
            return null;
        }
        try {
            return Json.mapper().readValue(b, type);
        } catch (IOException e) {
            throw HttpError.badRequest("Request decode failed: " + JsonProblems.describe(e));
        }
    }

    /** Sets {@code X-Consul-Index} (at least 1), {@code X-Consul-KnownLeader} and {@code X-Consul-LastContact}. */
    public void meta(long index) {
        HttpFields.Mutable h = out.headers();
        h.put("X-Consul-Index", Long.toString(Math.max(1, index)));
        h.put(knownLeader == null || knownLeader.getAsBoolean() ? KNOWN_LEADER : NO_KNOWN_LEADER);
        h.put(LAST_CONTACT);
    }

    /** Answers 200 with {@code value} as JSON. */
    public void json(Object value) {
        send(200, JSON, ByteBuffer.wrap(WireJson.write(value)));
    }

    /** Answers with a pre-serialized JSON body. */
    public void jsonBytes(int status, byte[] body) {
        send(status, JSON, ByteBuffer.wrap(body));
    }

    /** Answers raw bytes with the given content type. */
    public void bytes(int status, String contentType, byte[] body) {
        send(status, contentType, ByteBuffer.wrap(body));
    }

    /** Answers raw bytes as {@code text/plain}. */
    public void raw(int status, byte[] body) {
        send(status, TEXT, ByteBuffer.wrap(body == null ? new byte[0] : body));
    }

    /** Answers {@code status} with a one-line text message. */
    public void error(int status, String message) {
        // No answer may name a Java type (Jackson's, the JDK's or ours): scrubbed here, for every error.
        send(status, TEXT, ByteBuffer.wrap((JsonProblems.scrub(oneLine(message)) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Answers {@code status} with no body. */
    public void empty(int status) {
        send(status, null, null);
    }

    /** Whether this call has been answered. */
    public boolean isAnswered() {
        return answered.get();
    }

    private void send(int status, String type, ByteBuffer body) {
        send(status, type, body == null ? new byte[0] : bytesOf(body), null);
    }

    private static byte[] bytesOf(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Sends once; gzips (with {@code gzipped} when given, else now) when the responder and the client allow it. */
    private void send(int status, String type, byte[] body, java.util.function.Supplier<byte[]> gzipped) {
        send(status, type, body, gzipped, null);
    }

    private void send(int status, String type, byte[] body, java.util.function.Supplier<byte[]> gzipped, Captured shared) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        IntConsumer l = onAnswer;
        if (l != null) {
            l.accept(status);
        }
        byte[] b = body;
        if (out.compresses()) {
            HttpFields.Mutable h = out.headers();
            h.add(VARY);
            if (b.length >= GZIP_MIN_SIZE && !"HEAD".equals(request.method()) && !h.contains("Content-Encoding")
                    && acceptsGzip(request.header("Accept-Encoding"))) {
                b = gzipped != null ? gzipped.get() : gzip(b);
                h.put(GZIP);
            }
        }
        out.send(status, type, shared == null ? ByteBuffer.wrap(b) : shared.wire(b), status >= 400 && !bodyRead);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl >= 0 ? s.substring(0, nl) : s;
        return line.strip();
    }
}
