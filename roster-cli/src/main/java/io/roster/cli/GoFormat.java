package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Text layouts Consul's commands produce through Go libraries, rewritten from their documented
 * behaviour so that Roster's output lines up character for character: {@code columnize} tables
 * ({@code members}, {@code catalog nodes}), {@code text/tabwriter} tables ({@code kv get -detailed},
 * {@code catalog services -tags}), {@code encoding/json} output ({@code kv export}, {@code watch})
 * and {@code path.Join} ({@code kv import -prefix}).
 */
final class GoFormat {
    private GoFormat() {
    }

    /**
     * A table as the {@code columnize} library lays it out: cells trimmed, every column but the last
     * padded to its widest cell, columns joined by two spaces, no newline after the last row.
     */
    static String columnize(List<List<String>> rows) {
        List<Integer> widths = new ArrayList<>();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                int w = row.get(i).strip().length();
                if (widths.size() <= i) {
                    widths.add(w);
                } else if (widths.get(i) < w) {
                    widths.set(i, w);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i).strip();
                b.append(cell);
                if (i < row.size() - 1) {
                    b.append(" ".repeat(widths.get(i) - cell.length())).append("  ");
                }
            }
            b.append('\n');
        }
        if (!b.isEmpty()) {
            b.setLength(b.length() - 1);
        }
        return b.toString();
    }

    /**
     * A table as {@code tabwriter.NewWriter(w, 0, 2, padding, ' ', 0)} writes it: every cell but the
     * last of a row padded to the column's widest cell plus {@code padding} spaces; each row ends
     * with a newline.
     */
    static String tabwriter(List<List<String>> rows, int padding) {
        List<Integer> widths = new ArrayList<>();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() - 1; i++) {
                int w = row.get(i).length();
                if (widths.size() <= i) {
                    widths.add(w);
                } else if (widths.get(i) < w) {
                    widths.set(i, w);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                b.append(cell);
                if (i < row.size() - 1) {
                    b.append(" ".repeat(widths.get(i) + padding - cell.length()));
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** {@code k1=v1<joiner>k2=v2}, sorted by key, as Consul prints metadata and tagged addresses. */
    static String mapToKv(Map<String, String> m, String joiner) {
        List<String> out = new ArrayList<>();
        m.keySet().stream().sorted().forEach(k -> out.add(k + "=" + m.get(k)));
        return String.join(joiner, out);
    }

    /** JSON as Go's {@code json.MarshalIndent(v, "", indent)} writes it (no trailing newline). */
    static String indent(JsonNode node, String indent) {
        StringBuilder b = new StringBuilder();
        write(b, node, indent, 0);
        return b.toString();
    }

    /** JSON as Go's {@code json.Marshal} writes it. */
    static String compact(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(b, node, null, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, JsonNode n, String indent, int depth) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            b.append("null");
        } else if (n.isObject()) {
            if (n.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    b.append(',');
                }
                first = false;
                newline(b, indent, depth + 1);
                string(b, e.getKey());
                b.append(indent == null ? ":" : ": ");
                write(b, e.getValue(), indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append('}');
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                newline(b, indent, depth + 1);
                write(b, n.get(i), indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append(']');
        } else if (n.isTextual()) {
            string(b, n.textValue());
        } else {
            b.append(n.toString());
        }
    }

    private static void newline(StringBuilder b, String indent, int depth) {
        if (indent != null) {
            b.append('\n').append(indent.repeat(depth));
        }
    }

    /** A JSON string with Go's escaping: {@code <}, {@code >} and {@code &} as {@code \u003c}..., as Go's HTML-safe default. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Go's {@code path.Join}: the non-empty elements joined by {@code /}, then cleaned ({@code //}, {@code .}, {@code ..}). */
    static String pathJoin(String... elements) {
        List<String> parts = new ArrayList<>();
        for (String e : elements) {
            if (e != null && !e.isEmpty()) {
                parts.add(e);
            }
        }
        return parts.isEmpty() ? "" : pathClean(String.join("/", parts));
    }

    /** Go's {@code path.Clean}. */
    static String pathClean(String p) {
        if (p.isEmpty()) {
            return ".";
        }
        boolean rooted = p.startsWith("/");
        Deque<String> out = new ArrayDeque<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!out.isEmpty() && !out.peekLast().equals("..")) {
                    out.removeLast();
                } else if (!rooted) {
                    out.addLast("..");
                }
                continue;
            }
            out.addLast(seg);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
