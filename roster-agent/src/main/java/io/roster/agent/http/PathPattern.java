package io.roster.agent.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's path pattern: literal segments, {@code {name}} (exactly one segment) and a trailing
 * {@code {name...}} (the rest of the path, slashes and empty segments included, possibly empty:
 * {@code /v1/kv/{key...}} takes {@code a/b/c} from {@code /v1/kv/a/b/c} and {@code ""} from
 * {@code /v1/kv/}, but does not match {@code /v1/kv}). Patterns order by specificity, segment by
 * segment from the left: a literal beats a parameter, a parameter beats a tail; so the most
 * specific match never depends on the order routes were declared in.
 */
public final class PathPattern implements Comparable<PathPattern> {
    private enum Kind { LITERAL, PARAM, TAIL }

    private record Segment(Kind kind, String text) {
    }

    private final String text;
    private final List<Segment> segments;

    private PathPattern(String text, List<Segment> segments) {
        this.text = text;
        this.segments = segments;
    }

    /** Parses a pattern; an unclosed brace, an empty name or a tail before the end is refused. */
    static PathPattern parse(String pattern) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("pattern must start with /: " + pattern);
        }
        String[] parts = pattern.substring(1).split("/", -1);
        List<Segment> segs = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                String name = p.substring(1, p.length() - 1);
                boolean tail = name.endsWith("...");
                if (tail) {
                    name = name.substring(0, name.length() - 3);
                    if (i != parts.length - 1) {
                        throw new IllegalArgumentException("a {name...} tail must be the last segment: " + pattern);
                    }
                }
                if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
                    throw new IllegalArgumentException("bad parameter name in " + pattern);
                }
                segs.add(new Segment(tail ? Kind.TAIL : Kind.PARAM, name));
            } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                throw new IllegalArgumentException("a parameter must be a whole segment: " + pattern);
            } else {
                segs.add(new Segment(Kind.LITERAL, p));
            }
        }
        return new PathPattern(pattern, List.copyOf(segs));
    }

    /** The pattern as declared ({@code /v1/kv/{key...}}): the route's name in metrics and docs. */
    String text() {
        return text;
    }

    /** The literal part before the first parameter ({@code /v1/kv/} for {@code /v1/kv/{key...}}). */
    String literalPrefix() {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) {
            if (s.kind != Kind.LITERAL) {
                return b.append('/').toString();
            }
            b.append('/').append(s.text);
        }
        return b.toString();
    }

    /** The name of the trailing {@code {name...}}, or null when the pattern has none. */
    String tailName() {
        return hasTail() ? segments.get(segments.size() - 1).text : null;
    }

    /** Whether the pattern ends in a {@code {name...}} tail. */
    boolean hasTail() {
        return !segments.isEmpty() && segments.get(segments.size() - 1).kind == Kind.TAIL;
    }

    /**
     * The path parameters when {@code segs} (a decoded path split on {@code /}, without the leading
     * empty segment) matches, else null.
     */
    Map<String, String> match(String[] segs) {
        Map<String, String> params = null;
        int n = segments.size();
        for (int i = 0; i < n; i++) {
            Segment s = segments.get(i);
            if (s.kind == Kind.TAIL) {
                if (i >= segs.length) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(2);
                }
                params.put(s.text, String.join("/", java.util.Arrays.asList(segs).subList(i, segs.length)));
                return params;
            }
            if (i >= segs.length) {
                return null;
            }
            if (s.kind == Kind.LITERAL) {
                if (!s.text.equals(segs[i])) {
                    return null;
                }
            } else {
                if (segs[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(2);
                }
                params.put(s.text, segs[i]);
            }
        }
        if (segs.length != n) {
            return null;
        }
        return params == null ? Map.of() : params;
    }

    /** Same shape: same literals and kinds at every position (parameter names aside). */
    boolean sameShape(PathPattern o) {
        if (segments.size() != o.segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            Segment a = segments.get(i);
            Segment b = o.segments.get(i);
            if (a.kind != b.kind || (a.kind == Kind.LITERAL && !a.text.equals(b.text))) {
                return false;
            }
        }
        return true;
    }

    /** Negative when this pattern is more specific than {@code o} (sorts first). */
    @Override
    public int compareTo(PathPattern o) {
        int n = Math.min(segments.size(), o.segments.size());
        for (int i = 0; i < n; i++) {
            int c = segments.get(i).kind.compareTo(o.segments.get(i).kind);
            if (c != 0) {
                return c;
            }
        }
        // More segments: a longer literal prefix before a tail, or a longer exact path.
        int c = Integer.compare(o.segments.size(), segments.size());
        if (c != 0) {
            return c;
        }
        // Same kinds everywhere: order by the literals, so patterns of one shape sort together.
        for (int i = 0; i < n; i++) {
            Segment a = segments.get(i);
            if (a.kind == Kind.LITERAL) {
                c = a.text.compareTo(o.segments.get(i).text);
                if (c != 0) {
                    return c;
                }
            }
        }
        return 0;
    }

    /** Splits a decoded path into segments for {@link #match}; null when it does not start with {@code /}. */
    static String[] split(String path) {
        if (path == null || !path.startsWith("/")) {
            return null;
        }
        return path.substring(1).split("/", -1);
    }

    @Override
    public String toString() {
        return text;
    }
}
