package io.roster.tools.ctmpl;

import io.roster.tools.template.Strings;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** YAML as consul-template's {@code toYAML} writes it (go-yaml): sorted keys, two-space indent, strings quoted only when they would read back as something else. */
final class GoYaml {
    /** What YAML would read back as a number, a timestamp-ish sexagesimal, or a special float. */
    private static final Pattern NOT_A_STRING = Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+"
            + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");
    private static final java.util.Set<String> RESERVED = java.util.Set.of("true", "false", "yes", "no", "on", "off", "y", "n",
            "null", "~", "True", "False", "TRUE", "FALSE", "Yes", "No", "YES", "NO", "On", "Off", "ON", "OFF", "Null", "NULL");

    private GoYaml() {
    }

    static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        if (v instanceof Struct s) {
            v = s.fields();
        }
        if (v instanceof Map<?, ?> m && !m.isEmpty() || v instanceof Collection<?> c && !c.isEmpty()) {
            block(sb, v, 0);
        } else {
            sb.append(scalar(v)).append('\n');
        }
        String out = sb.toString();
        // consul-template trims the trailing newline go-yaml writes.
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    private static void block(StringBuilder sb, Object v, int indent) {
        String pad = "  ".repeat(indent);
        if (v instanceof Struct s) {
            v = s.fields();
        }
        if (v instanceof Map<?, ?> m) {
            Map<?, ?> ordered = m instanceof java.util.LinkedHashMap<?, ?> ? m : new TreeMap<>(m);
            for (Map.Entry<?, ?> e : ordered.entrySet()) {
                Object val = e.getValue() instanceof Struct s ? s.fields() : e.getValue();
                sb.append(pad).append(scalar(String.valueOf(e.getKey()))).append(':');
                if (val instanceof Map<?, ?> mm && !mm.isEmpty()) {
                    sb.append('\n');
                    block(sb, val, indent + 1);
                } else if (val instanceof Collection<?> c && !c.isEmpty()) {
                    sb.append('\n');
                    block(sb, val, indent);
                } else {
                    sb.append(' ').append(scalar(val)).append('\n');
                }
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                Object val = o instanceof Struct s ? s.fields() : o;
                if (val instanceof Map<?, ?> mm && !mm.isEmpty()) {
                    StringBuilder inner = new StringBuilder();
                    block(inner, val, indent + 1);
                    sb.append(pad).append("- ").append(inner.substring((indent + 1) * 2));
                } else if (val instanceof Collection<?> cc && !cc.isEmpty()) {
                    StringBuilder inner = new StringBuilder();
                    block(inner, val, indent + 1);
                    sb.append(pad).append("- ").append(inner.substring((indent + 1) * 2));
                } else {
                    sb.append(pad).append("- ").append(scalar(val)).append('\n');
                }
            }
        }
    }

    /** libyaml's plain-scalar rules: no leading indicator or space, no ": " or " #", no trailing ':' or space, one line. */
    private static boolean needsQuotes(String s) {
        if ("-?:,[]{}#&*!|>'\"%@`".indexOf(s.charAt(0)) >= 0 && !(s.length() > 1 && "-?:".indexOf(s.charAt(0)) >= 0
                && s.charAt(1) != ' ')) {
            return true;
        }
        if (s.startsWith(" ") || s.endsWith(" ") || s.endsWith(":") || s.contains(": ") || s.contains(" #")) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map<?, ?>) {
            return "{}";
        }
        if (v instanceof Collection<?>) {
            return "[]";
        }
        if (!(v instanceof String s)) {
            return Strings.print(v);
        }
        if (s.isEmpty() || RESERVED.contains(s) || NOT_A_STRING.matcher(s).matches() || needsQuotes(s)) {
            return Strings.quote(s);
        }
        return s;
    }
}
