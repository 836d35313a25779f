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
        this.request = request;
        this.out = out;
        this.knownLeader = knownLeader;
        String name = route == null ? null : route.pattern().tailName();
        this.tail = name == null ? "" : request.params().getOrDefault(name, "");
    }

    private Call(ApiRequest request, Responder out, String tail, BooleanSupplier knownLeader) {
        this.request = request;
        this.out = out;
        this.knownLeader = knownLeader;
        this.tail = tail;
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
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        IntConsumer l = onAnswer;
        if (l != null) {
            l.accept(status);
        }
        out.send(status, type, body == null ? ByteBuffer.allocate(0) : body, status >= 400 && !bodyRead);
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
