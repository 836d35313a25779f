package io.roster.agent.http;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import java.util.List;
import java.util.Map;

/** The query filters catalog and health reads share: {@code tag} (all must match), {@code node-meta}, {@code passing}. */
final class Filters {
    private Filters() {
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
