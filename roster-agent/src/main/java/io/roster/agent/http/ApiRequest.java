package io.roster.agent.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * A request as the route table and the handlers see it, whichever way it came (a socket on
 * {@code client_addr}, or a client agent's {@code Forward} over the server RPC): method, decoded
 * path, path parameters of the matched route, query, headers, body, and the token as sent.
 * Immutable; the router gives the handler a copy with the route's parameters
 * ({@link #withParams}).
 *
 * @param method    upper-case HTTP method
 * @param path      the percent-decoded path ({@code %2F} becomes {@code /}, as in Consul)
 * @param rawPath   the path as sent, still percent-encoded
 * @param rawQuery  the query as sent (without {@code ?}), or null
 * @param query     decoded query parameters, in order; a parameter without value maps to {@code ""}
 * @param headers   request headers (case-insensitive lookup)
 * @param params    the matched route's path parameters ({@code key} of {@code /v1/kv/{key...}})
 * @param body      the body, read on demand
 * @param remoteAddr the peer's IP address on a socket; null for a request forwarded over the server RPC
 */
public record ApiRequest(String method, String path, String rawPath, String rawQuery,
                         Map<String, List<String>> query, HttpFields headers, Map<String, String> params, Body body,
                         String remoteAddr) {
    /** A request body, read at most once, with a size limit. */
    public interface Body {
        /** The declared length, or -1 when unknown. */
        long length();

        /** The whole body, refusing more than {@code max} bytes with 413 and {@code tooLarge} ({@code %d}: the size). */
        byte[] read(long max, String tooLarge);

        /** An in-memory body (a forwarded request's). */
        static Body of(byte[] bytes) {
            return new Body() {
                @Override
                public long length() {
                    return bytes.length;
                }

                @Override
                public byte[] read(long max, String tooLarge) {
                    if (bytes.length > max) {
                        throw new HttpError(413, tooLarge.replace("%d", Integer.toString(bytes.length)));
                    }
                    return bytes;
                }
            };
        }
    }

    public ApiRequest {
        query = java.util.Collections.unmodifiableMap(query);
        params = Map.copyOf(params);
    }

    /**
     * A request from its parts as sent; 400 {@code Invalid URL encoding} when the path or query is
     * not valid percent-encoded UTF-8.
     */
    public static ApiRequest of(String method, String rawPath, String rawQuery, HttpFields headers, Body body) {
        return of(method, rawPath, rawQuery, headers, body, null);
    }

    /** The same, from a socket whose peer is {@code remoteAddr}. */
    public static ApiRequest of(String method, String rawPath, String rawQuery, HttpFields headers, Body body, String remoteAddr) {
        String path = rawPath == null ? "/" : rawPath.indexOf('%') < 0 ? rawPath : decodePath(rawPath);
        return new ApiRequest(method, path, rawPath == null ? "/" : rawPath, rawQuery, parseQuery(rawQuery),
                headers, Map.of(), body, remoteAddr);
    }

    /** This request with the matched route's path parameters. */
    public ApiRequest withParams(Map<String, String> p) {
        return new ApiRequest(method, path, rawPath, rawQuery, query, headers, p, body, remoteAddr);
    }

    /** The path and query as sent ({@code /v1/kv/a%2Fb?recurse}). */
    public String pathQuery() {
        return rawQuery == null || rawQuery.isEmpty() ? rawPath : rawPath + "?" + rawQuery;
    }

    /** A request header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /**
     * The ACL token as the client sent it: {@code X-Consul-Token}, else {@code Authorization:
     * Bearer}, else {@code ?token=}, as Consul reads them; {@code ""} when none. Never log it.
     */
    public String token() {
        String t = headers.get("X-Consul-Token");
        if (t != null && !t.isEmpty()) {
            return t;
        }
        String auth = headers.get("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).strip();
        }
        List<String> q = query.get("token");
        return q == null || q.isEmpty() ? "" : q.get(0);
    }

    /**
     * Decodes the path's percent escapes with Jetty's {@link UrlEncoded} (a {@code %} that starts no
     * escape is kept; {@code +} stays a plus); 400 when the bytes are not UTF-8. Jetty's
     * {@code URIUtil.decodePath} would cut a KV key at {@code ;} and refuse a stray {@code %}, so the
     * path goes through the query decoder as one name, with what that decoder gives a meaning
     * ({@code + & =}) and a stray {@code %} escaped first.
     */
    static String decodePath(String rawPath) {
        StringBuilder b = new StringBuilder(rawPath.length() + 16);
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            switch (c) {
                case '+' -> b.append("%2B");
                case '&' -> b.append("%26");
                case '=' -> b.append("%3D");
                case '%' -> b.append(i + 2 < rawPath.length() && isHex(rawPath.charAt(i + 1)) && isHex(rawPath.charAt(i + 2))
                        ? "%" : "%25");
                default -> b.append(c);
            }
        }
        String[] out = {""};
        decode(b.toString(), (name, value) -> out[0] = name);
        return out[0];
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    /** Query parameters in order, decoded by Jetty's {@link UrlEncoded}; a parameter without value maps to {@code ""}. */
    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        decode(raw, (k, v) -> q.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v));
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            e.setValue(List.copyOf(e.getValue()));
        }
        return q;
    }

    /** Consul's leniency: a bad {@code %} escape is kept as sent; bytes that are not UTF-8 are a 400. */
    private static void decode(String s, java.util.function.BiConsumer<String, String> to) {
        try {
            UrlEncoded.decodeUtf8To(s, 0, s.length(), to, true, false, false);
        } catch (IllegalArgumentException e) { // Utf8StringBuilder.Utf8IllegalArgumentException
            throw HttpError.badRequest("Invalid URL encoding: not valid UTF-8");
        }
    }
}
