package io.roster.agent.http;

import io.roster.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP exchange: the decoded path and query of the request, and the ways to answer it exactly
 * once (now, or later from another thread for blocking queries and replicated writes).
 */
public final class Call {
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField TEXT_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    private static final HttpField KNOWN_LEADER = new PreEncodedHttpField("X-Consul-KnownLeader", "true");
    private static final HttpField NO_KNOWN_LEADER = new PreEncodedHttpField("X-Consul-KnownLeader", "false");
    private static final HttpField LAST_CONTACT = new PreEncodedHttpField("X-Consul-LastContact", "0");

    final Request request;
    final Response response;
    private final Callback callback;
    private final String path;
    private final Map<String, List<String>> query;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** The part of the path after the route's prefix (e.g. the key of {@code /v1/kv/<key>}). */
    String rest = "";
    /** The route pattern that matched, for metrics and logs. */
    String route = "";
    /** Whether a leader is known now ({@code X-Consul-KnownLeader}); null means always. */
    java.util.function.BooleanSupplier knownLeader;
    /** Told once, when the call is answered (metrics). */
    java.util.function.IntConsumer onAnswer;

    Call(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.path = decodePath(request.getHttpURI().getPath());
        this.query = parseQuery(request.getHttpURI().getQuery());
    }

    public String method() {
        return request.getMethod();
    }

    /** The percent-decoded path; {@code %2F} becomes {@code /} as in Consul. */
    public String path() {
        return path;
    }

    /** What follows the route's prefix, decoded (a KV key, a session ID, a node name). */
    public String rest() {
        return rest;
    }

    /** Whether a query parameter is present, with any value (Consul's presence flags: {@code ?recurse}, {@code ?stale=1}). */
    public boolean has(String name) {
        return query.containsKey(name);
    }

    /** The first value of a query parameter, or {@code null} when absent ({@code ""} when present without value). */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Every value of a repeated query parameter. */
    public List<String> params(String name) {
        return query.getOrDefault(name, List.of());
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
        return request.getHeaders().get(name);
    }

    /**
     * Reads the whole request body, refusing more than {@code max} bytes with 413 and {@code tooLarge}.
     * Blocks the handler thread while the body arrives.
     */
    public byte[] body(long max, String tooLarge) {
        bodyRead = true;
        long declared = request.getLength();
        if (declared > max) {
            throw new HttpError(413, tooLarge.replace("%d", Long.toString(declared)));
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) {
                throw new HttpError(413, tooLarge.replace("%d", "more than " + max));
            }
            return bytes;
        } catch (IOException e) {
            throw HttpError.badRequest("Failed to read request body: " + e.getMessage());
        }
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
        response.getHeaders().put("X-Consul-Index", Long.toString(Math.max(1, index)));
        response.getHeaders().put(knownLeader == null || knownLeader.getAsBoolean() ? KNOWN_LEADER : NO_KNOWN_LEADER);
        response.getHeaders().put(LAST_CONTACT);
    }

    /** Answers 200 with {@code value} as JSON. */
    public void json(Object value) {
        send(200, JSON_TYPE, ByteBuffer.wrap(WireJson.write(value)));
    }

    /** Answers with a pre-serialized JSON body. */
    public void jsonBytes(int status, byte[] body) {
        send(status, JSON_TYPE, ByteBuffer.wrap(body));
    }

    /** Answers raw bytes with the given content type. */
    public void bytes(int status, String contentType, byte[] body) {
        send(status, new HttpField(HttpHeader.CONTENT_TYPE, contentType), ByteBuffer.wrap(body));
    }

    /** Answers raw bytes as {@code text/plain}. */
    public void raw(int status, byte[] body) {
        send(status, TEXT_TYPE, ByteBuffer.wrap(body == null ? new byte[0] : body));
    }

    /** Answers {@code status} with a one-line text message. */
    public void error(int status, String message) {
        // No answer may name a Java type (Jackson's, the JDK's or ours): scrubbed here, for every error.
        send(status, TEXT_TYPE, ByteBuffer.wrap((JsonProblems.scrub(oneLine(message)) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Answers {@code status} with no body. */
    public void empty(int status) {
        send(status, null, null);
    }

    private volatile boolean bodyRead;

    /** Whether this call has been answered. */
    public boolean isAnswered() {
        return answered.get();
    }

    private void send(int status, HttpField type, ByteBuffer body) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        response.setStatus(status);
        if (status >= 400 && !bodyRead && request.getLength() != 0
                && request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            // An error before the request body was read: Jetty may close the connection instead of
            // reading the rest, and a client that reuses it would see it die under its next request
            // ("header parser received no bytes"). Say so, so it opens a new connection.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        if (onAnswer != null) {
            onAnswer.accept(status);
        }
        if (type != null) {
            response.getHeaders().put(type);
        }
        response.write(true, body == null ? ByteBuffer.allocate(0) : body, callback);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl >= 0 ? s.substring(0, nl) : s;
        return line.strip();
    }

    private static String decodePath(String raw) {
        if (raw == null) {
            return "/";
        }
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        return percentDecode(raw, false);
    }

    /** Decodes percent escapes (and {@code +} as space when {@code plus}); 400 when the bytes are not UTF-8. */
    static String percentDecode(String s, boolean plus) {
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 3), 16);
                i += 2;
            } else if (c == '+' && plus) {
                out[n++] = ' ';
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + enc.length > out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2 + enc.length);
                }
                System.arraycopy(enc, 0, out, n, enc.length);
                n += enc.length;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest("Invalid URL encoding: not valid UTF-8");
        }
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = percentDecode(eq < 0 ? part : part.substring(0, eq), true);
            String v = eq < 0 ? "" : percentDecode(part.substring(eq + 1), true);
            q.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v);
        }
        return q;
    }
}
