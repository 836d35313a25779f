package io.roster.tools.template;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The functions a template may call: Go's built-ins ({@code and or not len index slice print printf
 * println eq ne lt le gt ge html js urlquery}) plus whatever the caller adds. Names are checked when a
 * template is parsed, so a {@code Funcs} must be complete before {@link Template#parse}.
 */
public final class Funcs {
    /** A template function. Arguments are the evaluated operands, the piped value last. */
    @FunctionalInterface
    public interface Function {
        Object apply(List<Object> args) throws Exception;
    }

    /** A call with the wrong number or kind of arguments; printed without "error calling". */
    public static final class ArgumentException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ArgumentException(String message) {
            super(message);
        }
    }

    private final Map<String, Function> fns = new LinkedHashMap<>();

    private Funcs() {
    }

    /** A fresh set holding Go's built-ins. */
    public static Funcs builtins() {
        Funcs f = new Funcs();
        f.put("and", a -> { throw new IllegalStateException("evaluated by the executor"); });
        f.put("or", a -> { throw new IllegalStateException("evaluated by the executor"); });
        f.fixed("not", 1, a -> !Template.truth(a.get(0)));
        f.fixed("len", 1, a -> {
            Object v = a.get(0);
            if (v instanceof String s) {
                return (long) s.getBytes(StandardCharsets.UTF_8).length;
            }
            if (v instanceof Collection<?> c) {
                return (long) c.size();
            }
            if (v instanceof Map<?, ?> m) {
                return (long) m.size();
            }
            throw new IllegalArgumentException("len of type " + Strings.typeName(v));
        });
        f.put("index", a -> {
            if (a.isEmpty()) {
                throw new ArgumentException("wrong number of args for index: want at least 1 got 0");
            }
            Object v = a.get(0);
            for (Object k : a.subList(1, a.size())) {
                if (v instanceof List<?> l) {
                    long i = toLong(k);
                    if (i < 0 || i >= l.size()) {
                        throw new IllegalArgumentException("index out of range: " + i);
                    }
                    v = l.get((int) i);
                } else if (v instanceof Map<?, ?> m) {
                    v = m.get(k);
                } else if (v == null) {
                    throw new IllegalArgumentException("index of untyped nil");
                } else {
                    throw new IllegalArgumentException("can't index item of type " + Strings.typeName(v));
                }
            }
            return v;
        });
        f.put("slice", a -> {
            Object v = a.get(0);
            long from = a.size() > 1 ? toLong(a.get(1)) : 0;
            if (v instanceof String s) {
                long to = a.size() > 2 ? toLong(a.get(2)) : s.length();
                return s.substring((int) from, (int) to);
            }
            if (v instanceof List<?> l) {
                long to = a.size() > 2 ? toLong(a.get(2)) : l.size();
                return new ArrayList<>(l.subList((int) from, (int) to));
            }
            throw new IllegalArgumentException("can't slice item of type " + Strings.typeName(v));
        });
        f.put("print", a -> goPrint(a, false));
        f.put("println", a -> goPrint(a, true) + "\n");
        f.put("printf", a -> {
            if (a.isEmpty() || !(a.get(0) instanceof String fmt)) {
                throw new ArgumentException("wrong number of args for printf: want at least 1 got 0");
            }
            return Strings.sprintf(fmt, a.subList(1, a.size()));
        });
        f.put("eq", a -> {
            if (a.size() < 2) {
                throw new ArgumentException("missing argument for comparison");
            }
            for (Object o : a.subList(1, a.size())) {
                if (equal(a.get(0), o)) {
                    return true;
                }
            }
            return false;
        });
        f.fixed("ne", 2, a -> !equal(a.get(0), a.get(1)));
        f.fixed("lt", 2, a -> compare(a.get(0), a.get(1)) < 0);
        f.fixed("le", 2, a -> compare(a.get(0), a.get(1)) <= 0);
        f.fixed("gt", 2, a -> compare(a.get(0), a.get(1)) > 0);
        f.fixed("ge", 2, a -> compare(a.get(0), a.get(1)) >= 0);
        f.put("urlquery", a -> URLEncoder.encode(goPrint(a, false), StandardCharsets.UTF_8));
        f.put("html", a -> goPrint(a, false).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&#34;").replace("'", "&#39;"));
        f.put("js", a -> goPrint(a, false).replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"")
                .replace("<", "\\u003C").replace(">", "\\u003E"));
        return f;
    }

    /** Adds or replaces a function that takes any number of arguments. */
    public Funcs put(String name, Function fn) {
        fns.put(name, fn);
        return this;
    }

    /** Adds a function of exactly {@code arity} arguments (Go's "wrong number of args" otherwise). */
    public Funcs fixed(String name, int arity, Function fn) {
        return put(name, a -> {
            if (a.size() != arity) {
                throw new ArgumentException("wrong number of args for " + name + ": want " + arity + " got " + a.size());
            }
            return fn.apply(a);
        });
    }

    Set<String> names() {
        return fns.keySet();
    }

    Function get(String name) {
        return fns.get(name);
    }

    /** Go's {@code fmt.Sprint}: spaces between operands when neither is a string. */
    static String goPrint(List<Object> a, boolean spaces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            if (i > 0 && (spaces || !(a.get(i) instanceof String) && !(a.get(i - 1) instanceof String))) {
                sb.append(' ');
            }
            sb.append(Strings.print(a.get(i)));
        }
        return sb.toString();
    }

    /** An integer argument (Long, Integer, or a Double without fraction). */
    public static long toLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("expected an integer, got " + Strings.typeName(o));
    }

    static boolean equal(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            if (x instanceof Double || y instanceof Double) {
                return x.doubleValue() == y.doubleValue();
            }
            return x.longValue() == y.longValue();
        }
        if (a != null && b != null && a.getClass() != b.getClass() && !(a instanceof Collection && b instanceof Collection)) {
            throw new IllegalArgumentException("incompatible types for comparison");
        }
        return Objects.equals(a, b);
    }

    static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            if (x instanceof Double || y instanceof Double) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
            return Long.compare(x.longValue(), y.longValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new IllegalArgumentException("incompatible types for comparison");
    }
}
