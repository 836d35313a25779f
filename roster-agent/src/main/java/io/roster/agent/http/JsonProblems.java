package io.roster.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one-line text a client gets for a request body that is not the JSON an endpoint expects, in
 * the terms of the wire (JSON kinds and the field path, e.g. {@code [0].KV.Index}), never Jackson's
 * own message, which names Java types ({@code java.util.ArrayList<io.roster.api.TxnOp>}) and
 * source locations. {@link #scrub} is the safety net {@link Call#error} applies to every error
 * text: any Java class name left in a message is replaced by its JSON kind word.
 */
final class JsonProblems {
    /** A fully qualified Java (or JDK, Jackson, Jetty, Ratis...) type name, with its generic arguments. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "`?\\b(?:java|javax|jdk|sun|com|org|io|net)\\.(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:<[^>\\s]*>)?(?:\\[\\])*`?");

    private JsonProblems() {
    }

    /** Why a body did not decode: {@code invalid JSON ...} or {@code cannot decode <path>: expected <kind>}. */
    static String describe(IOException e) {
        if (e instanceof StreamReadException s && !(e instanceof DatabindException)) {
            String where = s.getLocation() == null ? "" : " at line " + s.getLocation().getLineNr() + ", column " + s.getLocation().getColumnNr();
            String what = Call.oneLine(s.getOriginalMessage());
            int marker = what.indexOf(" (start marker at ");
            return "invalid JSON" + where + ": " + scrub(marker >= 0 ? what.substring(0, marker) : what);
        }
        if (e instanceof JsonMappingException m) {
            String path = path(m);
            String field = path.isEmpty() ? "the body" : path;
            if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
                return "cannot decode " + field + ": expected " + kind(mi.getTargetType());
            }
            return "cannot decode " + field + ": " + scrub(Call.oneLine(m.getOriginalMessage()));
        }
        if (e instanceof JsonProcessingException j) {
            return scrub(Call.oneLine(j.getOriginalMessage()));
        }
        return scrub(Call.oneLine(e.getMessage()));
    }

    /** The JSON path of a mapping problem: {@code [0].KV.Index}. */
    private static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** The JSON kind a Java type is written as. */
    static String kind(Class<?> t) {
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (t == String.class || t == Character.class || t == char.class || t.isEnum()) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "a boolean";
        }
        if (Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != void.class)) {
            return "a number";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "an object";
        }
        return "an object";
    }

    /** Replaces every Java class name in {@code s} by a neutral word, so no answer names one. */
    static String scrub(String s) {
        if (s == null || s.indexOf('.') < 0) {
            return s;
        }
        return CLASS_NAME.matcher(s).replaceAll("value");
    }
}
