package io.roster.tools.ctmpl;

import io.roster.tools.template.Strings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON as Go's {@code encoding/json} writes it: map keys sorted, struct fields in order, {@code <>&}
 * escaped as {@code \u003c}-style, floats without a needless {@code .0}, {@code MarshalIndent}'s two spaces.
 */
final class GoJson {
    private GoJson() {
    }

    static String write(Object v, boolean pretty) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, pretty, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, boolean pretty, int depth) {
        if (v instanceof Struct s) {
            v = s.fields();
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            sb.append(v);
        } else if (v instanceof Double d) {
            sb.append(Strings.print(d));
        } else if (v instanceof Map<?, ?> m) {
            // A LinkedHashMap is a struct's fields (Struct, an API record): Go writes them in order. Other maps sort, as Go's.
            Map<?, ?> ordered = m instanceof LinkedHashMap<?, ?> ? m : new TreeMap<>(m);
            if (ordered.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ordered.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, pretty, depth + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(pretty ? ": " : ":");
                write(sb, e.getValue(), pretty, depth + 1);
            }
            newline(sb, pretty, depth);
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            if (c.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, pretty, depth + 1);
                write(sb, o, pretty, depth + 1);
            }
            newline(sb, pretty, depth);
            sb.append(']');
        } else {
            string(sb, Strings.print(v));
        }
    }

    private static void newline(StringBuilder sb, boolean pretty, int depth) {
        if (pretty) {
            sb.append('\n').append("  ".repeat(depth));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Go decodes every JSON number into a float64: so must parseJSON. */
    @SuppressWarnings("unchecked")
    static Object floats(Object o) {
        if (o instanceof Number n && !(o instanceof Double)) {
            return n.doubleValue();
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            for (Object x : l) {
                r.add(floats(x));
            }
            return r;
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new TreeMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> r.put(k, floats(v)));
            return r;
        }
        return o;
    }
}
