package io.roster.agent.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one place list results are filtered by ACL, as Consul filters them: what the call's token
 * may not read is dropped, and {@code X-Consul-Results-Filtered-By-ACLs: true} says that something
 * was. Used by the endpoints of routes declared {@link Acl#filtered} (and KV's recursive reads).
 */
final class AclFilter {
    static final String HEADER = "X-Consul-Results-Filtered-By-ACLs";

    private AclFilter() {
    }

    /** The items whose name ({@code name}) the call's token may {@code access} on {@code resource}. */
    static <T> List<T> list(Call call, Collection<T> items, String resource, String access, Function<T, String> name) {
        io.roster.agent.acl.Authorizer a = call.identity().authz();
        if (a.isManagement()) {
            return items instanceof List<T> l ? l : new ArrayList<>(items);
        }
        List<T> out = new ArrayList<>(items.size());
        for (T t : items) {
            if (a.allowed(resource, name.apply(t), access)) {
                out.add(t);
            }
        }
        if (out.size() != items.size()) {
            filtered(call);
        }
        return out;
    }

    /** The entries whose key the token may read on {@code resource}. */
    static <V> Map<String, V> keys(Call call, Map<String, V> items, String resource) {
        io.roster.agent.acl.Authorizer a = call.identity().authz();
        if (a.isManagement()) {
            return items;
        }
        Map<String, V> out = new LinkedHashMap<>();
        items.forEach((k, v) -> {
            if (a.allowed(resource, k, "read")) {
                out.put(k, v);
            }
        });
        if (out.size() != items.size()) {
            filtered(call);
        }
        return out;
    }

    /** Whether the token may read {@code name}; when not, marks the answer filtered. */
    static boolean visible(Call call, String resource, String name) {
        boolean ok = call.identity().authz().allowed(resource, name, "read");
        if (!ok) {
            filtered(call);
        }
        return ok;
    }

    private static void filtered(Call call) {
        call.responseHeaders().put(HEADER, "true");
    }
}
