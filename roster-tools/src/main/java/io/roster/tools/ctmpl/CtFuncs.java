package io.roster.tools.ctmpl;

import com.fasterxml.jackson.core.type.TypeReference;
import io.roster.api.Json;
import io.roster.tools.template.Funcs;
import io.roster.tools.template.Strings;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * consul-template's template functions over a {@link Brain} of fetched data. A function that needs
 * data adds its {@link Dependency} to the render's used set; when the brain has nothing for it yet
 * (or {@code key}'s key does not exist, or {@code safeLs}'s prefix is empty) it also adds it to the
 * missing set, and the runner will not write that render: this is consul-template's multi-phase
 * execution, which makes a missing {@code key} block and the first render wait for every dependency.
 */
public final class CtFuncs {
    /** The data the watchers fetched, by dependency; a present entry may hold null ("fetched, nothing there"). */
    public static final class Brain {
        private record Box(Object value) { }

        private final Map<Dependency, Box> data = new ConcurrentHashMap<>();

        /** Stores a fetch's value; returns whether it differs from what was there. */
        public boolean remember(Dependency d, Object value) {
            Box old = data.put(d, new Box(value));
            return old == null || !java.util.Objects.equals(old.value(), value);
        }

        public void forget(Dependency d) {
            data.remove(d);
        }

        public boolean has(Dependency d) {
            return data.containsKey(d);
        }

        public Object recall(Dependency d) {
            Box b = data.get(d);
            return b == null ? null : b.value();
        }
    }

    /** What one render used and what it lacked. */
    public static final class Render {
        public final Set<Dependency> used = new LinkedHashSet<>();
        public final Set<Dependency> missing = new LinkedHashSet<>();
    }

    private CtFuncs() {
    }

    /**
     * The functions, reading {@code brain}, recording into whatever {@code render} supplies at call
     * time, and reading environment variables through {@code env}.
     */
    public static Funcs create(Brain brain, Supplier<Render> render, UnaryOperator<String> env) {
        Funcs f = Funcs.builtins();
        f.fixed("key", 1, a -> {
            String s = str(a.get(0));
            if (s.isEmpty()) {
                return "";
            }
            String[] pd = Dependency.pathAndDc(s);
            Dependency d = new Dependency.KvGet(pd[0], pd[1], true);
            Render r = render.get();
            r.used.add(d);
            Object v = brain.recall(d);
            if (brain.has(d) && v != null) {
                return v;
            }
            r.missing.add(d);
            return "";
        });
        f.fixed("keyExists", 1, a -> {
            Object v = nonBlockingKey(brain, render.get(), str(a.get(0)));
            return v != null;
        });
        f.fixed("keyOrDefault", 2, a -> {
            Object v = nonBlockingKey(brain, render.get(), str(a.get(0)));
            return v != null ? v : a.get(1);
        });
        f.fixed("ls", 1, a -> list(brain, render.get(), str(a.get(0)), true, true));
        f.fixed("safeLs", 1, a -> list(brain, render.get(), str(a.get(0)), true, false));
        f.fixed("tree", 1, a -> list(brain, render.get(), str(a.get(0)), false, true));
        f.fixed("safeTree", 1, a -> list(brain, render.get(), str(a.get(0)), false, false));
        f.put("service", a -> {
            if (a.isEmpty() || a.size() > 2) {
                throw new Funcs.ArgumentException("wrong number of args for service: want 1 or 2 got " + a.size());
            }
            String q = str(a.get(0)) + (a.size() == 2 ? "|" + str(a.get(1)) : "");
            return recallList(brain, render.get(), Dependency.parseService(q));
        });
        f.put("services", a -> {
            String dc = a.isEmpty() ? null : Dependency.pathAndDc(str(a.get(0)))[1];
            return recallList(brain, render.get(), new Dependency.CatalogServices(dc));
        });
        f.put("nodes", a -> {
            String dc = a.isEmpty() ? null : Dependency.pathAndDc(str(a.get(0)).replaceAll("~.*$", ""))[1];
            return recallList(brain, render.get(), new Dependency.CatalogNodes(dc));
        });
        f.put("node", a -> {
            String[] pd = a.isEmpty() ? new String[] {null, null} : Dependency.pathAndDc(str(a.get(0)));
            Dependency d = new Dependency.CatalogNode(pd[0] == null || pd[0].isEmpty() ? null : pd[0], pd[1]);
            Render r = render.get();
            r.used.add(d);
            if (brain.has(d)) {
                return brain.recall(d);
            }
            r.missing.add(d);
            return null;
        });
        f.fixed("file", 1, a -> {
            Dependency d = new Dependency.LocalFile(str(a.get(0)));
            Render r = render.get();
            r.used.add(d);
            if (brain.has(d)) {
                return brain.recall(d);
            }
            r.missing.add(d);
            return "";
        });
        f.fixed("env", 1, a -> {
            String v = env.apply(str(a.get(0)));
            return v == null ? "" : v;
        });
        f.fixed("byKey", 1, a -> byKey(a.get(0)));
        f.fixed("byTag", 1, a -> byTag(a.get(0)));
        f.fixed("explode", 1, a -> explode(a.get(0)));
        f.fixed("contains", 2, a -> in(a.get(1), a.get(0)));
        f.fixed("in", 2, a -> in(a.get(0), a.get(1)));
        f.fixed("containsAll", 2, a -> containsSome(a.get(0), a.get(1), true, true));
        f.fixed("containsAny", 2, a -> containsSome(a.get(0), a.get(1), false, true));
        f.fixed("containsNone", 2, a -> !containsSome(a.get(0), a.get(1), false, true));
        f.fixed("containsNotAll", 2, a -> !containsSome(a.get(0), a.get(1), true, true));
        f.fixed("join", 2, a -> {
            List<String> parts = new ArrayList<>();
            for (Object o : asList(a.get(1), "join")) {
                parts.add(Strings.print(o));
            }
            return String.join(str(a.get(0)), parts);
        });
        f.fixed("split", 2, a -> {
            String s = str(a.get(1)).strip();
            if (s.isEmpty()) {
                return new ArrayList<String>();
            }
            return goSplit(s, str(a.get(0)));
        });
        f.fixed("trimSpace", 1, a -> str(a.get(0)).strip());
        f.fixed("toLower", 1, a -> str(a.get(0)).toLowerCase(java.util.Locale.ROOT));
        f.fixed("toUpper", 1, a -> str(a.get(0)).toUpperCase(java.util.Locale.ROOT));
        f.fixed("toTitle", 1, a -> title(str(a.get(0))));
        f.fixed("replaceAll", 3, a -> str(a.get(2)).replace(str(a.get(0)), str(a.get(1))));
        f.fixed("regexMatch", 2, a -> Pattern.compile(str(a.get(0))).matcher(str(a.get(1))).find());
        f.fixed("regexReplaceAll", 3, a -> Pattern.compile(str(a.get(0))).matcher(str(a.get(2))).replaceAll(str(a.get(1))));
        f.fixed("toJSON", 1, a -> GoJson.write(a.get(0), false));
        f.fixed("toJSONPretty", 1, a -> GoJson.write(a.get(0), true));
        f.fixed("toYAML", 1, a -> GoYaml.write(a.get(0)));
        f.fixed("parseJSON", 1, a -> {
            String s = str(a.get(0));
            if (s.isBlank()) {
                return new LinkedHashMap<String, Object>();
            }
            return GoJson.floats(Json.mapper().readValue(s, new TypeReference<Object>() { }));
        });
        f.fixed("parseBool", 1, a -> {
            String s = str(a.get(0));
            return switch (s) {
                case "" -> false;
                case "1", "t", "T", "TRUE", "true", "True" -> true;
                case "0", "f", "F", "FALSE", "false", "False" -> false;
                default -> throw new IllegalArgumentException("parseBool: strconv.ParseBool: parsing " + Strings.quote(s) + ": invalid syntax");
            };
        });
        f.fixed("parseInt", 1, a -> {
            String s = str(a.get(0));
            try {
                return s.isEmpty() ? 0L : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parseInt: strconv.ParseInt: parsing " + Strings.quote(s) + ": invalid syntax");
            }
        });
        f.fixed("parseFloat", 1, a -> {
            String s = str(a.get(0));
            try {
                return s.isEmpty() ? 0.0 : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("parseFloat: strconv.ParseFloat: parsing " + Strings.quote(s) + ": invalid syntax");
            }
        });
        f.put("timestamp", a -> {
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            if (a.isEmpty()) {
                return GoTime.format(now, GoTime.RFC3339);
            }
            String layout = str(a.get(0));
            return layout.equals("unix") ? Long.toString(Instant.now().getEpochSecond()) : GoTime.format(now, layout);
        });
        f.put("loop", a -> {
            long from;
            long to;
            if (a.size() == 1) {
                from = 0;
                to = Funcs.toLong(a.get(0));
            } else if (a.size() == 2) {
                from = Funcs.toLong(a.get(0));
                to = Funcs.toLong(a.get(1));
            } else {
                throw new Funcs.ArgumentException("loop: wrong number of arguments, expected 1 or 2, but got " + a.size());
            }
            List<Long> r = new ArrayList<>();
            for (long i = from; i < to && r.size() < 10_000_000; i++) {
                r.add(i);
            }
            return r;
        });
        f.fixed("add", 2, a -> arith("add", a.get(1), a.get(0)));
        f.fixed("subtract", 2, a -> arith("subtract", a.get(1), a.get(0)));
        f.fixed("multiply", 2, a -> arith("multiply", a.get(1), a.get(0)));
        f.fixed("divide", 2, a -> arith("divide", a.get(1), a.get(0)));
        f.fixed("modulo", 2, a -> arith("modulo", a.get(1), a.get(0)));
        return f;
    }

    private static Object nonBlockingKey(Brain brain, Render r, String s) {
        if (s.isEmpty()) {
            return null;
        }
        String[] pd = Dependency.pathAndDc(s);
        Dependency d = new Dependency.KvGet(pd[0], pd[1], false);
        r.used.add(d);
        if (brain.has(d)) {
            return brain.recall(d);
        }
        r.missing.add(d);
        return null;
    }

    @SuppressWarnings("unchecked")
    private static List<Struct> list(Brain brain, Render r, String s, boolean topLevel, boolean emptyIsSafe) {
        List<Struct> result = new ArrayList<>();
        if (s.isEmpty()) {
            return result;
        }
        String[] pd = Dependency.pathAndDc(s);
        Dependency d = new Dependency.KvList(pd[0], pd[1]);
        r.used.add(d);
        if (brain.has(d)) {
            for (Struct p : (List<Struct>) brain.recall(d)) {
                String k = (String) p.get("Key");
                if (topLevel ? !k.isEmpty() && !k.contains("/") : !k.endsWith("/") && !k.isEmpty()) {
                    result.add(p);
                }
            }
            if (!result.isEmpty() || emptyIsSafe) {
                return result;
            }
        }
        r.missing.add(d);
        return result;
    }

    private static Object recallList(Brain brain, Render r, Dependency d) {
        r.used.add(d);
        if (brain.has(d)) {
            return brain.recall(d);
        }
        r.missing.add(d);
        return new ArrayList<>();
    }

    private static String str(Object o) {
        if (o instanceof String s) {
            return s;
        }
        throw new Funcs.ArgumentException("expected string; found " + Strings.print(o));
    }

    private static List<?> asList(Object o, String fn) {
        if (o instanceof List<?> l) {
            return l;
        }
        if (o instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (o == null) {
            return List.of();
        }
        throw new Funcs.ArgumentException(fn + ": expected a list, got " + Strings.print(o));
    }

    /** consul-template's {@code in}: a list holds the value, or a string contains the substring. */
    static boolean in(Object haystack, Object needle) {
        if (haystack == null) {
            return false;
        }
        if (haystack instanceof String s) {
            return s.contains(Strings.print(needle));
        }
        if (haystack instanceof Collection<?> c) {
            for (Object o : c) {
                if (java.util.Objects.equals(o, needle)) {
                    return true;
                }
            }
            return false;
        }
        if (haystack instanceof Map<?, ?> m) {
            return m.containsKey(needle);
        }
        throw new IllegalArgumentException("in: unsupported type " + Strings.print(haystack));
    }

    private static boolean containsSome(Object values, Object haystack, boolean all, boolean unused) {
        List<?> vs = asList(values, all ? "containsAll" : "containsAny");
        if (vs.isEmpty()) {
            return all;
        }
        for (Object v : vs) {
            boolean hit = in(haystack, v);
            if (all && !hit) {
                return false;
            }
            if (!all && hit) {
                return true;
            }
        }
        return all;
    }

    private static Object byKey(Object pairs) {
        Map<String, Map<String, Struct>> out = new TreeMap<>();
        for (Object o : asList(pairs, "byKey")) {
            Struct p = (Struct) o;
            String k = (String) p.get("Key");
            int slash = k.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String top = k.substring(0, slash);
            String rest = k.substring(slash + 1);
            if (rest.isEmpty()) {
                continue;
            }
            Struct copy = new Struct("KeyPair");
            p.fields().forEach(copy::put);
            copy.put("Key", rest);
            out.computeIfAbsent(top, x -> new TreeMap<>()).put(rest, copy);
        }
        return out;
    }

    private static Object byTag(Object services) {
        Map<String, List<Object>> out = new TreeMap<>();
        for (Object o : asList(services, "byTag")) {
            Struct s = (Struct) o;
            Object tags = s.get("Tags");
            for (Object t : tags instanceof Collection<?> c ? c : List.of()) {
                out.computeIfAbsent((String) t, x -> new ArrayList<>()).add(s);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object explode(Object pairs) {
        Map<String, Object> root = new TreeMap<>();
        for (Object o : asList(pairs, "explode")) {
            Struct p = (Struct) o;
            String[] parts = ((String) p.get("Key")).split("/");
            Map<String, Object> m = root;
            for (int i = 0; i < parts.length - 1; i++) {
                Object next = m.get(parts[i]);
                if (!(next instanceof Map)) {
                    next = new TreeMap<String, Object>();
                    m.put(parts[i], next);
                }
                m = (Map<String, Object>) next;
            }
            if (parts.length > 0 && !parts[parts.length - 1].isEmpty()) {
                m.put(parts[parts.length - 1], p.get("Value"));
            }
        }
        return root;
    }

    /** Go's {@code strings.Split}: an empty separator splits into characters; no regex. */
    private static List<String> goSplit(String s, String sep) {
        List<String> out = new ArrayList<>();
        if (sep.isEmpty()) {
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        int from = 0;
        while (true) {
            int i = s.indexOf(sep, from);
            if (i < 0) {
                out.add(s.substring(from));
                return out;
            }
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
    }

    /** Go's {@code strings.Title}: the first letter of every word upper-cased. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(start ? Character.toTitleCase(c) : c);
            start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
        }
        return sb.toString();
    }

    private static Object arith(String op, Object a, Object b) {
        Object x = a instanceof String s ? parseNumber(s) : a;
        Object y = b instanceof String s ? parseNumber(s) : b;
        if (!(x instanceof Number nx) || !(y instanceof Number ny)) {
            throw new IllegalArgumentException(op + ": unknown type for " + Strings.quote(Strings.print(a)) + " ("
                    + Strings.print(a) + ")");
        }
        if (x instanceof Double || y instanceof Double) {
            double p = nx.doubleValue();
            double q = ny.doubleValue();
            return switch (op) {
                case "add" -> p + q;
                case "subtract" -> p - q;
                case "multiply" -> p * q;
                case "divide" -> {
                    if (q == 0) {
                        throw new IllegalArgumentException("divide: division by zero");
                    }
                    yield p / q;
                }
                default -> {
                    if (q == 0) {
                        throw new IllegalArgumentException("modulo: division by zero");
                    }
                    yield (double) ((long) p % (long) q);
                }
            };
        }
        long p = nx.longValue();
        long q = ny.longValue();
        return switch (op) {
            case "add" -> p + q;
            case "subtract" -> p - q;
            case "multiply" -> p * q;
            case "divide" -> {
                if (q == 0) {
                    throw new IllegalArgumentException("divide: division by zero");
                }
                yield p / q;
            }
            default -> {
                if (q == 0) {
                    throw new IllegalArgumentException("modulo: division by zero");
                }
                yield p % q;
            }
        };
    }

    private static Object parseNumber(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(s.strip());
            } catch (NumberFormatException e2) {
                return s;
            }
        }
    }
}
