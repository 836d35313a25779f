package io.roster.agent.config;

import io.roster.api.Durations;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and normalises the values of one file. Every failure is a {@link ConfigException} naming
 * the file and the field ({@code services[0].check.interval}).
 *
 * <p>Types are strict, as Consul's are: a port is a number, not {@code "8500"}; a duration is a
 * string in Go's syntax. Two leniencies, both harmless: a single string where a list of strings is
 * expected, and a list of objects where one object is expected (HCL turns repeated blocks into a
 * list; they are merged in order).
 */
final class Decoder {
    private final Path file;
    private final List<Ignored> ignored = new ArrayList<>();

    /** A key Consul has and Roster ignores; {@code warn} when ignoring it leaves the agent less protected. */
    record Ignored(Path file, String path, boolean warn) {
    }

    Decoder(Path file) {
        this.file = file;
    }

    /** Notes an ignored key; the loader logs these once the whole configuration has loaded. */
    void ignore(String path, boolean warn) {
        ignored.add(new Ignored(file, path, warn));
    }

    List<Ignored> ignored() {
        return ignored;
    }

    Path file() {
        return file;
    }

    ConfigException fail(String path, String message) {
        return new ConfigException(file, path + ": " + message);
    }

    ConfigException unknown(String path) {
        return new ConfigException(file, "unknown config key '" + path + "'");
    }

    String string(String path, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw fail(path, "must be a string, not " + describe(v));
    }

    boolean bool(String path, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw fail(path, "must be true or false, not " + describe(v));
    }

    /** A whole number in {@code [min, max]}. HCL numbers may arrive as Double: 8500.0 is 8500. */
    long whole(String path, Object v, long min, long max) {
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof BigInteger b && b.bitLength() < 64) {
            n = b.longValue();
        } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            BigDecimal d = new BigDecimal(v.toString());
            try {
                n = d.longValueExact();
            } catch (ArithmeticException e) {
                throw fail(path, "must be a whole number, not " + v);
            }
        } else if (v instanceof BigInteger) {
            throw fail(path, v + " is out of range (" + min + "-" + max + ")");
        } else {
            throw fail(path, "must be a number, not " + describe(v));
        }
        if (n < min || n > max) {
            throw fail(path, n + " is out of range (" + min + "-" + max + ")");
        }
        return n;
    }

    int integer(String path, Object v, int min, int max) {
        return (int) whole(path, v, min, max);
    }

    /** A Go duration string ({@code 15s}, {@code 1m30s}); kept as written, checked by parsing it. */
    String duration(String path, Object v, boolean allowNegative) {
        String s = string(path, v);
        Duration d;
        try {
            d = Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw fail(path, e.getMessage());
        }
        if (!allowNegative && d.isNegative()) {
            throw fail(path, "duration \"" + s + "\" must not be negative");
        }
        return s;
    }

    List<String> strings(String path, Object v) {
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> l)) {
            throw fail(path, "must be a list of strings, not " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add(string(path + "[" + i + "]", l.get(i)));
        }
        return out;
    }

    /** A user map (meta, node_meta): keys exactly as written, string values. */
    Map<String, String> stringMap(String path, Object v) {
        Map<String, Object> m = object(path, v);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            out.put(e.getKey(), string(path + "." + e.getKey(), e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String path, Object v) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Map)) {
            Map<String, Object> merged = new LinkedHashMap<>();
            l.forEach(x -> merged.putAll((Map<String, Object>) x));
            return merged;
        }
        throw fail(path, "must be an object, not " + describe(v));
    }

    /** A list; a single object counts as a list of one (HCL writes one block as an object). */
    List<?> list(String path, Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof Map<?, ?> m) {
            return List.of(m);
        }
        throw fail(path, "must be a list, not " + describe(v));
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (v instanceof Boolean || v instanceof Number) {
            return v.toString();
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "an object";
        }
        return v.getClass().getSimpleName();
    }
}
