package io.roster.agent.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.filter.Filter;
import io.roster.agent.filter.Schema;
import io.roster.api.HealthCheck;
import io.roster.api.PreparedQuery;
import io.roster.api.ServiceEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Selects the instances a prepared query's {@code Service} part answers (no ordering, no failover). */
public final class QueryExecutor {
    private QueryExecutor() {
    }

    /**
     * Checks a definition before it is stored: a service name, and a filter that parses and fits
     * the health entry's fields. Returns null when valid, else Consul-style one-line message.
     */
    public static String validate(PreparedQuery q, Schema entrySchema) {
        if (q.service().service().isEmpty()) {
            return "Must provide a Service name to query";
        }
        if (!q.service().filter().isEmpty()) {
            try {
                Filter.compile(q.service().filter(), entrySchema);
            } catch (io.roster.agent.filter.FilterException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    /**
     * The entries that pass the query, in their given order.
     *
     * @param tree each entry as its wire JSON (what {@code Filter} is evaluated against)
     */
    public static List<ServiceEntry> select(PreparedQuery.ServiceQuery q, List<ServiceEntry> entries, Schema entrySchema,
                                            Function<ServiceEntry, JsonNode> tree) {
        Filter filter = q.filter().isEmpty() ? null : Filter.compile(q.filter(), entrySchema);
        Set<String> ignored = Set.copyOf(q.ignoreCheckIds());
        List<ServiceEntry> out = new ArrayList<>();
        for (ServiceEntry e : entries) {
            if (healthy(e, q.onlyPassing(), ignored) && tagsMatch(q.tags(), e.service().tags())
                    && metaMatches(q.nodeMeta(), e.node().meta()) && metaMatches(q.serviceMeta(), e.service().meta())
                    && (filter == null || filter.test(tree.apply(e)))) {
                out.add(e);
            }
        }
        return out;
    }

    /** Critical (or maintenance) checks always drop an instance; warning ones too when {@code onlyPassing}. */
    static boolean healthy(ServiceEntry e, boolean onlyPassing, Set<String> ignored) {
        for (HealthCheck c : e.checks()) {
            if (ignored.contains(c.checkId())) {
                continue;
            }
            String s = c.status();
            if (s.equals(HealthCheck.CRITICAL) || s.equals(HealthCheck.MAINTENANCE)
                    || (onlyPassing && s.equals(HealthCheck.WARNING))) {
                return false;
            }
        }
        return true;
    }

    /** Every plain tag present and every {@code !tag} absent, compared case-insensitively as Consul does. */
    static boolean tagsMatch(List<String> want, List<String> have) {
        if (want.isEmpty()) {
            return true;
        }
        Set<String> lower = new java.util.HashSet<>();
        for (String t : have) {
            lower.add(t.toLowerCase(Locale.ROOT));
        }
        for (String t : want) {
            String w = t.strip().toLowerCase(Locale.ROOT);
            if (w.isEmpty()) {
                continue;
            }
            boolean negated = w.startsWith("!");
            String tag = negated ? w.substring(1) : w;
            if (lower.contains(tag) == negated) {
                return false;
            }
        }
        return true;
    }

    /** Every wanted pair is in {@code meta}. */
    static boolean metaMatches(Map<String, String> want, Map<String, String> meta) {
        for (Map.Entry<String, String> w : want.entrySet()) {
            if (!w.getValue().equals(meta.get(w.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
