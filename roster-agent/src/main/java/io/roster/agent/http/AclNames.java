package io.roster.agent.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The name sources of {@link Acl} declarations that read the request body or the query: a JSON
 * field of the body (case-insensitive, as the decoder reads it), KV reads (a recursive or keys
 * read is filtered by the endpoint, not checked on the prefix), the keys a transaction reads and
 * writes, a session's node. A body that is not JSON gives no name: the endpoint refuses it with
 * its own 400.
 */
final class AclNames {
    /** Bodies are read once and kept for the handler; this only bounds what is read for a name. */
    private static final long MAX = 64L * 1024 * 1024;
    private static final Set<String> TXN_READ_VERBS = Set.of("get", "get-tree", "check-index", "check-session", "check-not-exists");

    private AclNames() {
    }

    private static JsonNode json(Call call) {
        byte[] b = call.body(MAX, "Request body(%d bytes) too large, max size: " + MAX + " bytes");
        if (b.length == 0) {
            return null;
        }
        try {
            return io.roster.api.Json.mapper().readTree(b);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static JsonNode field(JsonNode n, String name) {
        if (n == null || !n.isObject()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The string at {@code path} in the JSON body; no name when absent or empty. */
    static Acl.Name body(String describe, String... path) {
        return new Acl.Name("body " + String.join(".", path), (call, agent) -> {
            JsonNode n = json(call);
            for (String p : path) {
                n = field(n, p);
            }
            return n != null && n.isTextual() && !n.asText().isEmpty() ? List.of(n.asText()) : List.of();
        });
    }

    /** The key of a KV read; none for {@code ?recurse} and {@code ?keys}, which the endpoint filters. */
    static final Acl.Name KV_READ = new Acl.Name("path key (recurse, keys: results filtered)", (call, agent) ->
            call.has("recurse") || call.has("keys") ? List.of() : List.of(call.rest()));

    /** The node a session is created on: the body's {@code Node}, else this agent's. */
    static final Acl.Name SESSION_NODE = new Acl.Name("body Node, else agent node", (call, agent) -> {
        JsonNode n = field(json(call), "Node");
        return List.of(n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : agent);
    });

    /** The keys a transaction's read operations name. */
    static final Acl.Name TXN_READS = new Acl.Name("body KV keys read", (call, agent) -> txnKeys(call, true));
    /** The keys a transaction's write operations name. */
    static final Acl.Name TXN_WRITES = new Acl.Name("body KV keys written", (call, agent) -> txnKeys(call, false));

    private static List<String> txnKeys(Call call, boolean reads) {
        JsonNode ops = json(call);
        List<String> out = new ArrayList<>();
        if (ops == null || !ops.isArray()) {
            return out;
        }
        for (JsonNode op : ops) {
            JsonNode kv = field(op, "KV");
            if (kv == null) {
                continue;
            }
            JsonNode verb = field(kv, "Verb");
            JsonNode key = field(kv, "Key");
            String v = verb == null ? "" : verb.asText().toLowerCase(Locale.ROOT);
            if (TXN_READ_VERBS.contains(v) == reads) {
                out.add(key == null ? "" : key.asText());
            }
        }
        return out;
    }
}
