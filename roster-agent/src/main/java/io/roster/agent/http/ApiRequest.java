package io.roster.agent.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;

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
        String path = rawPath == null ? "/" : rawPath.indexOf('%') < 0 ? rawPath : percentDecode(rawPath, false);
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
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            e.setValue(List.copyOf(e.getValue()));
        }
        return q;
    }
}
