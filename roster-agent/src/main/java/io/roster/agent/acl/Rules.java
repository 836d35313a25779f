package io.roster.agent.acl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Consul's ACL rule language, in HCL or JSON: {@code key}/{@code key_prefix}, {@code service}/
 * {@code service_prefix}, {@code node}/{@code node_prefix}, {@code session}/{@code session_prefix},
 * {@code event}/{@code event_prefix}, {@code query}/{@code query_prefix}, {@code agent}/{@code
 * agent_prefix} blocks ({@code key_prefix "app/" { policy = "write" }}) and the {@code operator},
 * {@code keyring}, {@code acl}, {@code mesh}, {@code peering} values ({@code operator = "read"}).
 * Policies are {@code read}, {@code write}, {@code deny}, and {@code list} for keys. A text that
 * starts with '{' is JSON ({@code {"key_prefix": {"app/": {"policy": "write"}}}}), anything else
 * HCL. Every error is one line naming the line of the text it is about.
 */
public final class Rules {
    /** What a rule grants, weakest first; {@code DENY} grants nothing and wins a merge. */
    public enum Access { DENY, READ, LIST, WRITE }

    /**
     * One rule: {@code resource} ({@code key}, {@code service}, ..., {@code operator}), its
     * {@code segment} (the name or prefix; empty for operator-like resources), whether it is a prefix rule.
     */
    public record Rule(String resource, String segment, boolean prefix, Access access) {
    }

    /** Resources whose rules name a segment (exact and {@code _prefix} forms). */
    public static final Set<String> SEGMENTED = Set.of("key", "service", "node", "session", "event", "query", "agent");
    /** Resources that take one policy for the whole resource. */
    public static final Set<String> SINGLE = Set.of("operator", "keyring", "acl", "mesh", "peering");

    /** A rule text that cannot be parsed or names what Consul does not have. */
    public static final class RuleException extends IllegalArgumentException {
        RuleException(int line, String message) {
            super("Failed to parse ACL rules: line " + line + ": " + message);
        }
    }

    private Rules() {
    }

    /** Parses and validates a rule text; an empty text grants nothing. */
    public static List<Rule> parse(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<Entry> entries = text.strip().startsWith("{") ? Json.read(text) : new Hcl(text).body(false);
        List<Rule> out = new ArrayList<>();
        for (Entry e : entries) {
            out.addAll(toRules(e));
        }
        return List.copyOf(out);
    }

    /** A parsed item: {@code name = value} (value a String) or {@code name "label" { fields }}. */
    private record Entry(String name, String label, Object value, int line) {
    }

    private static List<Rule> toRules(Entry e) {
        String name = e.name().toLowerCase(Locale.ROOT);
        if (SINGLE.contains(name)) {
            if (!(e.value() instanceof String s) || e.label() != null) {
                throw new RuleException(e.line(), name + " takes a policy string: " + name + " = \"read\"");
            }
            return List.of(new Rule(name, "", false, access(name, s, e.line())));
        }
        boolean prefix = name.endsWith("_prefix");
        String resource = prefix ? name.substring(0, name.length() - "_prefix".length()) : name;
        if (!SEGMENTED.contains(resource)) {
            throw new RuleException(e.line(), "unknown rule \"" + e.name() + "\"");
        }
        if (e.label() == null || !(e.value() instanceof List<?> fields)) {
            throw new RuleException(e.line(), name + " needs a name and a block: " + name + " \"...\" { policy = \"read\" }");
        }
        String policy = null;
        Access intentions = null;
        for (Object o : fields) {
            Entry f = (Entry) o;
            String fname = f.name().toLowerCase(Locale.ROOT);
            if (!(f.value() instanceof String v) || f.label() != null) {
                throw new RuleException(f.line(), fname + " takes a string");
            }
            switch (fname) {
                case "policy" -> policy = v;
                case "intentions" -> {
                    if (!resource.equals("service")) {
                        throw new RuleException(f.line(), "intentions are only allowed in service rules");
                    }
                    intentions = access("intentions", v, f.line());
                }
                default -> throw new RuleException(f.line(), "unknown field \"" + f.name() + "\" in " + name + " \"" + e.label() + "\"");
            }
        }
        if (policy == null) {
            throw new RuleException(e.line(), name + " \"" + e.label() + "\" has no policy");
        }
        Rule rule = new Rule(resource, e.label(), prefix, access(resource, policy, e.line()));
        // A service rule's intentions are Consul's intention:<access> on the same name.
        return intentions == null ? List.of(rule) : List.of(rule, new Rule("intention", e.label(), prefix, intentions));
    }

    private static Access access(String resource, String policy, int line) {
        return switch (policy) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            case "deny" -> Access.DENY;
            case "list" -> {
                if (!resource.equals("key")) {
                    throw new RuleException(line, "Invalid " + resource + " policy: \"list\" (list is only valid for keys)");
                }
                yield Access.LIST;
            }
            default -> throw new RuleException(line, "Invalid " + resource + " policy: \"" + policy + "\"");
        };
    }

    // ------------------------------------------------------------------ HCL

    /** The subset of HCL that ACL rules use: blocks with one label, string assignments, comments. */
    private static final class Hcl {
        private final String s;
        private int i;
        private int line = 1;

        Hcl(String s) {
            this.s = s;
        }

        List<Entry> body(boolean nested) {
            List<Entry> out = new ArrayList<>();
            while (true) {
                skip();
                if (i >= s.length()) {
                    if (nested) {
                        throw new RuleException(line, "unclosed block: expected '}'");
                    }
                    return out;
                }
                char c = s.charAt(i);
                if (c == '}') {
                    if (!nested) {
                        throw new RuleException(line, "unexpected '}'");
                    }
                    i++;
                    return out;
                }
                if (c == ',') {
                    i++;
                    continue;
                }
                int at = line;
                String name = c == '"' ? string() : ident();
                skip();
                if (i < s.length() && s.charAt(i) == '=') {
                    i++;
                    skip();
                    if (i < s.length() && s.charAt(i) == '{') {
                        // key = { "foo" = { policy = "read" } }: the object form
                        i++;
                        for (Entry inner : body(true)) {
                            out.add(new Entry(name, inner.name(), inner.value(), inner.line()));
                        }
                        continue;
                    }
                    if (i >= s.length() || s.charAt(i) != '"') {
                        throw new RuleException(line, "expected a quoted string after " + name + " =");
                    }
                    out.add(new Entry(name, null, string(), at));
                } else if (i < s.length() && s.charAt(i) == '"') {
                    String label = string();
                    skip();
                    if (i >= s.length() || s.charAt(i) != '{') {
                        throw new RuleException(line, "expected '{' after " + name + " \"" + label + "\"");
                    }
                    i++;
                    out.add(new Entry(name, label, body(true), at));
                } else if (i < s.length() && s.charAt(i) == '{') {
                    i++;
                    out.add(new Entry(name, null, body(true), at));
                } else {
                    throw new RuleException(line, "expected '=' or a quoted name after " + name);
                }
            }
        }

        private String ident() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) {
                i++;
            }
            if (start == i) {
                char c = s.charAt(i);
                throw new RuleException(line, "unexpected " + (c < 0x20 ? String.format("\\u%04x", (int) c) : "'" + c + "'"));
            }
            return s.substring(start, i);
        }

        private String string() {
            int at = line;
            StringBuilder b = new StringBuilder();
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\n') {
                    throw new RuleException(at, "unterminated string");
                }
                if (c == '\\' && i < s.length()) {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case '"', '\\', '/' -> b.append(e);
                        default -> throw new RuleException(at, "invalid escape \\" + e);
                    }
                } else {
                    b.append(c);
                }
            }
            throw new RuleException(at, "unterminated string");
        }

        private void skip() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    line++;
                    i++;
                } else if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '#' || (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/')) {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                    int at = line;
                    int end = s.indexOf("*/", i + 2);
                    if (end < 0) {
                        throw new RuleException(at, "unterminated comment");
                    }
                    for (int k = i; k < end; k++) {
                        if (s.charAt(k) == '\n') {
                            line++;
                        }
                    }
                    i = end + 2;
                } else {
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ JSON

    /** JSON rules: the same shape as HCL's, blocks as nested objects (or lists of them). */
    private static final class Json {
        private static final JsonFactory FACTORY = new JsonFactory();

        static List<Entry> read(String text) {
            try (JsonParser p = FACTORY.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new RuleException(line(p), "expected a JSON object");
                }
                List<Entry> out = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    int at = line(p);
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.VALUE_STRING) {
                        out.add(new Entry(name, null, p.getText(), at));
                    } else if (t == JsonToken.START_OBJECT) {
                        labelled(p, name, out);
                    } else if (t == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            labelled(p, name, out);
                        }
                    } else {
                        throw new RuleException(at, name + " takes a string or an object");
                    }
                }
                if (p.nextToken() != null) {
                    throw new RuleException(line(p), "unexpected content after the rules object");
                }
                return out;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                String m = e.getOriginalMessage().lines().findFirst().orElse("invalid JSON");
                int cut = m.indexOf(" (start marker");
                throw new RuleException(e.getLocation() == null ? 1 : e.getLocation().getLineNr(), cut < 0 ? m : m.substring(0, cut));
            } catch (IOException e) {
                throw new RuleException(1, "invalid JSON");
            }
        }

        /** {"prefix": {"policy": "read"}, ...} after the opening brace. */
        private static void labelled(JsonParser p, String name, List<Entry> out) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String label = p.currentName();
                int at = line(p);
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new RuleException(at, name + " \"" + label + "\" takes an object: {\"policy\": \"read\"}");
                }
                List<Entry> fields = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    int fl = line(p);
                    JsonToken t = p.nextToken();
                    if (t != JsonToken.VALUE_STRING) {
                        p.skipChildren();
                        fields.add(new Entry(f, "", null, fl));
                    } else {
                        fields.add(new Entry(f, null, p.getText(), fl));
                    }
                }
                out.add(new Entry(name, label, fields, at));
            }
        }

        private static int line(JsonParser p) {
            return p.currentTokenLocation().getLineNr();
        }
    }

    /** For tests and docs: the rules as {@code resource[_prefix] "segment" = access}. */
    static Map<String, Access> describe(List<Rule> rules) {
        Map<String, Access> out = new LinkedHashMap<>();
        for (Rule r : rules) {
            out.put(r.resource() + (r.prefix() ? "_prefix" : "") + (SINGLE.contains(r.resource()) ? "" : " \"" + r.segment() + "\""),
                    r.access());
        }
        return out;
    }
}
