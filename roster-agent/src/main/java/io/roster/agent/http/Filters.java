package io.roster.agent.http;

import io.roster.agent.filter.Filter;
import io.roster.agent.filter.FilterException;
import io.roster.agent.filter.Schema;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import java.util.List;
import java.util.Map;

/** The query filters catalog and health reads share: {@code filter}, {@code tag} (all must match), {@code node-meta}, {@code passing}. */
final class Filters {
    private Filters() {
    }

    /**
     * The request's {@code ?filter=} checked against the fields of {@code type} (the element type
     * of the answer, as its wire JSON shows it); null when there is none. 400 with Consul's
     * {@code Failed to create boolean expression evaluator: ...} when it does not parse or names a
     * field the type lacks.
     */
    static Filter filter(Call call, Class<?> type) {
        return filter(call, consulSchema(type));
    }

    /** Fields of Consul's types (1.16, structs.go / api) that Roster does not answer; a filter may name them. */
    private static final Map<String, Schema> NODE_EXTRA = Map.of("PeerName", Schema.STRING, "Partition", Schema.STRING);
    private static final Map<String, Schema> SERVICE_EXTRA = Map.of("SocketPath", Schema.STRING, "Proxy", Schema.ANY,
            "Connect", Schema.ANY, "Locality", Schema.ANY, "PeerName", Schema.STRING, "Namespace", Schema.STRING,
            "Partition", Schema.STRING);
    private static final Map<String, Schema> SERVICE_NODE_EXTRA = Map.of("ServiceSocketPath", Schema.STRING,
            "ServiceProxy", Schema.ANY, "ServiceConnect", Schema.ANY, "ServiceLocality", Schema.ANY,
            "PeerName", Schema.STRING, "Namespace", Schema.STRING, "Partition", Schema.STRING);
    private static final Map<String, Schema> CHECK_EXTRA = Map.of("PeerName", Schema.STRING, "Namespace", Schema.STRING,
            "Partition", Schema.STRING);
    private static final Map<Class<?>, Schema> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The field set a filter is checked against: Roster's wire fields plus the Consul-only ones above. */
    static Schema consulSchema(Class<?> type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            Schema s = Schema.of(t);
            if (t == io.roster.api.Node.class) {
                return s.withFields(NODE_EXTRA);
            }
            if (t == io.roster.api.NodeService.class) {
                return s.withFields(SERVICE_EXTRA);
            }
            if (t == io.roster.api.CatalogService.class) {
                return s.withFields(SERVICE_NODE_EXTRA);
            }
            if (t == HealthCheck.class) {
                return s.withFields(CHECK_EXTRA);
            }
            if (t == io.roster.api.ServiceEntry.class) {
                Schema checks = Schema.list(Schema.of(HealthCheck.class).withFields(CHECK_EXTRA));
                return s.withField("Node", n -> n.withFields(NODE_EXTRA))
                        .withField("Service", n -> n.withFields(SERVICE_EXTRA))
                        .withField("Checks", n -> checks);
            }
            return s;
        });
    }

    /** {@link #filter(Call, Class)} for an element whose fields are given as a schema. */
    static Filter filter(Call call, Schema schema) {
        String text = call.param("filter");
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Filter.compile(text, schema);
        } catch (FilterException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    /** The items that pass {@code filter} (all of them when it is null), judged by their wire JSON. */
    static <T> List<T> apply(Filter filter, List<T> items) {
        try {
            return filter == null ? items : filter.apply(items, WireJson::tree);
        } catch (FilterException e) {
            throw HttpError.badRequest(Filter.ERROR_PREFIX + e.getMessage());
        }
    }

    /** The entries of {@code map} whose values pass {@code filter}, in order. */
    static <K, V> Map<K, V> applyValues(Filter filter, Map<K, V> map) {
        if (filter == null) {
            return map;
        }
        Map<K, V> out = new java.util.LinkedHashMap<>();
        try {
            map.forEach((k, v) -> {
                if (filter.test(WireJson.tree(v))) {
                    out.put(k, v);
                }
            });
        } catch (FilterException e) {
            throw HttpError.badRequest(Filter.ERROR_PREFIX + e.getMessage());
        }
        return out;
    }

    /** Every {@code ?tag=} value is among {@code tags} (Consul matches one tag; Roster requires all given). */
    static boolean tagsMatch(Call call, List<String> tags) {
        for (String t : call.params("tag")) {
            if (!tags.contains(t)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code ?node-meta=key:value} pairs as a map, for the node-meta index (a key given twice
     * keeps its last value; {@link #nodeMetaMatches} still checks every pair); 400 as there.
     */
    static Map<String, String> nodeMeta(Call call) {
        List<String> given = call.params("node-meta");
        if (given.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new java.util.HashMap<>();
        for (String kv : given) {
            int colon = kv.indexOf(':');
            if (colon < 0) {
                throw HttpError.badRequest("Invalid node-meta filter \"" + kv + "\": use key:value");
            }
            out.put(kv.substring(0, colon), kv.substring(colon + 1));
        }
        return out;
    }

    /** Every {@code ?node-meta=key:value} is in the node's meta. */
    static boolean nodeMetaMatches(Call call, Node node) {
        for (String kv : call.params("node-meta")) {
            int colon = kv.indexOf(':');
            if (colon < 0) {
                throw HttpError.badRequest("Invalid node-meta filter \"" + kv + "\": use key:value");
            }
            Map<String, String> meta = node == null ? Map.of() : node.meta();
            if (!kv.substring(colon + 1).equals(meta.get(kv.substring(0, colon)))) {
                return false;
            }
        }
        return true;
    }

    /** {@code ?passing} parsed as Consul does: present with no value or a true value means on. */
    static boolean passingOnly(Call call) {
        String v = call.param("passing");
        if (v == null) {
            return false;
        }
        if (v.isEmpty()) {
            return true;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw HttpError.badRequest("Invalid value for ?passing");
        };
    }

    /** The worst status of a set of checks: critical > warning > passing (maintenance counts as critical). */
    static String worst(List<HealthCheck> checks) {
        return HealthCheck.aggregate(checks);
    }
}
