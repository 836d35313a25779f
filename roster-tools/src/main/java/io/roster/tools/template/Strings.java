package io.roster.tools.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Go's string literals and Go's {@code fmt} printing of template values ({@code %v}, {@code printf}). */
public final class Strings {
    private Strings() {
    }

    /** The value of a Go string literal: {@code "..."} with escapes, or {@code `...`} raw. */
    static String unquote(String lit) {
        if (lit.startsWith("`")) {
            return lit.substring(1, lit.length() - 1).replace("\r", "");
        }
        String s = lit.substring(1, lit.length() - 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= s.length()) {
                throw new IllegalArgumentException("invalid syntax");
            }
            char e = s.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '\\', '"', '\'' -> sb.append(e);
                case 'x' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> {
                    if (e >= '0' && e <= '7' && i + 2 < s.length()) {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                }
            }
        }
        return sb.toString();
    }

    static int unquoteChar(String lit) {
        String inner = unquote("\"" + lit.substring(1, lit.length() - 1).replace("\"", "\\\"") + "\"");
        return inner.codePointAt(0);
    }

    /** Go's {@code %q} of a string. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Go's {@code %v}: strings as they are, lists as {@code [a b]}, maps as {@code map[k:v]} in key order. */
    public static String print(Object v) {
        if (v == null) {
            return "<nil>";
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Double d) {
            return formatFloat(d);
        }
        if (v instanceof Float f) {
            return formatFloat(f.doubleValue());
        }
        if (v instanceof Collection<?> c) {
            List<String> parts = new ArrayList<>();
            for (Object o : c) {
                parts.add(print(o));
            }
            return "[" + String.join(" ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                parts.add(print(e.getKey()) + ":" + print(e.getValue()));
            }
            return "map[" + String.join(" ", parts) + "]";
        }
        return v.toString();
    }

    /** Go's shortest {@code %v} of a float64: {@code 3}, {@code 1.5}, {@code 1e+21}. */
    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1;
        if (exp < -4 || exp >= 21) {
            String digits = b.unscaledValue().abs().toString();
            String mant = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return b.toPlainString();
    }

    /** Go's {@code fmt.Sprintf} for the verbs templates use: v s d q t f e g x X c o b %. */
    public static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int start = i++;
            while (i < format.length() && "+-# 0123456789.".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            String flags = format.substring(start + 1, i);
            char verb = format.charAt(i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argi >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object a = args.get(argi++);
            out.append(formatOne(flags, verb, a));
        }
        if (argi < args.size()) {
            out.append("%!(EXTRA ");
            List<String> extra = new ArrayList<>();
            for (int j = argi; j < args.size(); j++) {
                Object a = args.get(j);
                extra.add(typeName(a) + "=" + print(a));
            }
            out.append(String.join(", ", extra)).append(')');
        }
        return out.toString();
    }

    private static String formatOne(String flags, char verb, Object a) {
        String jflags = flags.replace("#", "");
        try {
            return switch (verb) {
                case 'v', 's' -> String.format("%" + jflags + "s", print(a));
                case 'q' -> String.format("%" + jflags + "s", a instanceof String s ? quote(s) : print(a));
                case 't' -> String.format("%" + jflags + "s", print(a));
                case 'd' -> a instanceof Number n ? String.format("%" + jflags + "d", n.longValue()) : bad(verb, a);
                case 'c' -> a instanceof Number n ? new String(Character.toChars(n.intValue())) : bad(verb, a);
                case 'o' -> a instanceof Number n ? String.format("%" + jflags + "o", n.longValue()) : bad(verb, a);
                case 'b' -> a instanceof Number n ? Long.toBinaryString(n.longValue()) : bad(verb, a);
                case 'x', 'X' -> {
                    String r;
                    if (a instanceof Number n && !(a instanceof Double)) {
                        r = String.format("%" + jflags + "x", n.longValue());
                    } else if (a instanceof String s) {
                        StringBuilder sb = new StringBuilder();
                        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                            sb.append(String.format("%02x", b));
                        }
                        r = sb.toString();
                    } else {
                        yield bad(verb, a);
                    }
                    yield verb == 'X' ? r.toUpperCase(java.util.Locale.ROOT) : r;
                }
                case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                    if (!(a instanceof Number n)) {
                        yield bad(verb, a);
                    }
                    if ((verb == 'g' || verb == 'G') && !jflags.contains(".")) {
                        yield formatFloat(n.doubleValue());
                    }
                    String f = jflags.isEmpty() && (verb == 'f' || verb == 'F' || verb == 'e' || verb == 'E') ? ".6" : jflags;
                    yield String.format(java.util.Locale.ROOT, "%" + f + Character.toLowerCase(verb), n.doubleValue());
                }
                default -> "%!" + verb + "(" + typeName(a) + "=" + print(a) + ")";
            };
        } catch (java.util.IllegalFormatException e) {
            return "%!" + verb + "(BADFORMAT)";
        }
    }

    private static String bad(char verb, Object a) {
        return "%!" + verb + "(" + typeName(a) + "=" + print(a) + ")";
    }

    /** The Go type a value stands for, for messages. */
    static String typeName(Object a) {
        if (a == null) {
            return "<nil>";
        }
        if (a instanceof String) {
            return "string";
        }
        if (a instanceof Long || a instanceof Integer) {
            return "int";
        }
        if (a instanceof Double) {
            return "float64";
        }
        if (a instanceof Boolean) {
            return "bool";
        }
        if (a instanceof List<?>) {
            return "[]interface {}";
        }
        if (a instanceof Map<?, ?>) {
            return "map[string]interface {}";
        }
        return a.getClass().getSimpleName();
    }
}
