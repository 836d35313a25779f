package io.roster.tools.ctmpl;

import com.fasterxml.jackson.annotation.JsonValue;
import io.roster.tools.template.Strings;
import io.roster.tools.template.Template;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Go struct as consul-template's dependency types are: named fields in declaration order (the
 * order {@code toJSON} writes them), and an error for a field it does not have.
 */
public final class Struct implements Template.GoObject {
    private final String type;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Struct(String type) {
        this.type = type;
    }

    Struct put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    /** The field's value (for code that knows it is there). */
    public Object get(String name) {
        return fields.get(name);
    }

    @Override
    public Object field(String name) throws NoSuchFieldException {
        if (!fields.containsKey(name)) {
            throw new NoSuchFieldException(name);
        }
        return fields.get(name);
    }

    @JsonValue
    Map<String, Object> fields() {
        return fields;
    }

    String type() {
        return type;
    }

    /** Go's {@code %v} of a struct: {@code {a b c}}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Object v : fields.values()) {
            parts.add(Strings.print(v));
        }
        return "{" + String.join(" ", parts) + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Struct s && s.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }
}
