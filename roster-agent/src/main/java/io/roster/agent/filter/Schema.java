package io.roster.agent.filter;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.roster.api.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The field set an endpoint's elements have, as go-bexpr derives it from a Go type: a selector is
 * valid when every step names a field of a struct, any key of a map, or (through a list) a field
 * of the list's elements.
 *
 * @param kind   what the value is
 * @param fields a struct's fields by wire name (empty otherwise)
 * @param elem   a list's element or a map's value (null otherwise)
 */
public record Schema(Kind kind, Map<String, Schema> fields, Schema elem) {
    /** The kinds of value a selector can reach. */
    public enum Kind { STRING, BOOL, INT, FLOAT, LIST, MAP, STRUCT, ANY }

    public static final Schema STRING = new Schema(Kind.STRING, Map.of(), null);
    public static final Schema BOOL = new Schema(Kind.BOOL, Map.of(), null);
    public static final Schema INT = new Schema(Kind.INT, Map.of(), null);
    public static final Schema FLOAT = new Schema(Kind.FLOAT, Map.of(), null);
    /** Anything: every selector below it is valid (untyped JSON such as a check's definition). */
    public static final Schema ANY = new Schema(Kind.ANY, Map.of(), null);

    private static final Map<Class<?>, Schema> CACHE = new ConcurrentHashMap<>();

    public static Schema list(Schema elem) {
        return new Schema(Kind.LIST, Map.of(), elem);
    }

    public static Schema map(Schema value) {
        return new Schema(Kind.MAP, Map.of(), value);
    }

    public static Schema struct(Map<String, Schema> fields) {
        return new Schema(Kind.STRUCT, Map.copyOf(fields), null);
    }

    /**
     * This struct with {@code extra} fields added where it has none of that name (fields Consul's
     * type has and Roster's answers leave out: a filter may name them, and they read as absent).
     */
    public Schema withFields(Map<String, Schema> extra) {
        if (kind != Kind.STRUCT) {
            return this;
        }
        Map<String, Schema> all = new LinkedHashMap<>(extra);
        all.putAll(fields);
        return struct(all);
    }

    /** This struct with its field {@code name} (a struct) replaced by {@code f(field)}. */
    public Schema withField(String name, java.util.function.UnaryOperator<Schema> f) {
        if (kind != Kind.STRUCT || !fields.containsKey(name)) {
            return this;
        }
        Map<String, Schema> all = new LinkedHashMap<>(fields);
        all.put(name, f.apply(fields.get(name)));
        return struct(all);
    }

    /** The schema of a Jackson-serialized API type (records with {@code @JsonProperty} names). */
    public static Schema of(Class<?> type) {
        Schema s = CACHE.get(type);
        if (s == null) {
            ObjectMapper mapper = Json.mapper();
            s = of(mapper, mapper.constructType(type), 0);
            CACHE.put(type, s);
        }
        return s;
    }

    private static Schema of(ObjectMapper mapper, JavaType t, int depth) {
        Class<?> raw = t.getRawClass();
        if (raw == String.class || raw.isEnum() || raw == Character.class || raw == char.class) {
            return STRING;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return BOOL;
        }
        if (raw == int.class || raw == long.class || raw == short.class || raw == byte.class
                || raw == Integer.class || raw == Long.class || raw == Short.class || raw == Byte.class) {
            return INT;
        }
        if (raw == double.class || raw == float.class || raw == Double.class || raw == Float.class
                || Number.class.isAssignableFrom(raw)) {
            return FLOAT;
        }
        if (t.isCollectionLikeType() || t.isArrayType()) {
            return list(of(mapper, t.getContentType(), depth + 1));
        }
        if (t.isMapLikeType()) {
            return map(of(mapper, t.getContentType(), depth + 1));
        }
        if (raw == Object.class || raw.isInterface() || depth > 8 || raw.getName().startsWith("java.")) {
            return ANY;
        }
        Map<String, Schema> fields = new LinkedHashMap<>();
        for (BeanPropertyDefinition p : mapper.getSerializationConfig().introspect(t).findProperties()) {
            if (p.couldSerialize()) {
                fields.put(p.getName(), of(mapper, p.getPrimaryType(), depth + 1));
            }
        }
        return struct(fields);
    }
}
