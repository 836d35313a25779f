package io.roster.agent.dns;

import io.roster.api.Node;
import io.roster.api.ServiceEntry;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.xbill.DNS.Name;

/**
 * What the resolver read from the store, kept until the store changes. The store's last applied
 * index ({@link Store#lastIndex()}) is the version: it is set under the store's write lock after
 * the tables change, so a value read after seeing index I is at least as new as I, and any write
 * makes every entry stale. A lower index than seen before (a snapshot restore) drops everything.
 *
 * <p>Without it every query would copy a service's instances and checks out of the store under its
 * read lock; with it a steady stream of queries for the same names costs a map lookup. Bounded:
 * past {@link #MAX_ENTRIES} names it starts afresh, so a flood of random names cannot grow it.
 */
final class ReadCache {
    static final int MAX_ENTRIES = 10_000;

    private record Entry<T>(long index, T value) {
    }

    /** Lower-case service and node names to the names as registered. */
    private record Names(long index, Map<String, String> services, Map<String, String> nodes) {
    }

    private final Store store;
    private final ConcurrentHashMap<String, Entry<Object>> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry<Store.NodeInfo>> nodes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Name> dnsNames = new ConcurrentHashMap<>();
    private volatile Names names = new Names(-1, Map.of(), Map.of());
    private volatile long highest;

    ReadCache(Store store) {
        this.store = store;
    }

    private long index() {
        long i = store.lastIndex();
        if (i < highest) {
            services.clear();
            nodes.clear();
            names = new Names(-1, Map.of(), Map.of());
        }
        highest = i;
        return i;
    }

    /**
     * The instances of a service (matched case-insensitively), passed through {@code filter}; null
     * when no instance of that name is registered at all.
     */
    List<ServiceEntry> service(String name, UnaryOperator<List<ServiceEntry>> filter) {
        return service(name, "list", all -> List.copyOf(filter.apply(all)));
    }

    /**
     * What {@code build} makes of the instances of a service (matched case-insensitively), kept under
     * {@code name} and {@code variant} until the store changes; null when no instance of that name is
     * registered at all. One store read per name and index, however many queries ask.
     */
    @SuppressWarnings("unchecked")
    <T> T service(String name, String variant, Function<List<ServiceEntry>, T> build) {
        long idx = index();
        String key = variant + "\u0000" + name;
        Entry<Object> e = services.get(key);
        if (e != null && e.index() == idx) {
            return (T) e.value();
        }
        List<ServiceEntry> all = store.serviceHealth(WatchSet.NONE, name).value();
        if (all.isEmpty()) {
            String actual = names(idx).services().get(name.toLowerCase(Locale.ROOT));
            if (actual != null && !actual.equals(name)) {
                all = store.serviceHealth(WatchSet.NONE, actual).value();
            }
        }
        T value = all.isEmpty() ? null : build.apply(all);
        put(services, key, new Entry<>(idx, value));
        return value;
    }

    /** A node and its services (matched case-insensitively), or null. */
    Store.NodeInfo node(String name) {
        long idx = index();
        Entry<Store.NodeInfo> e = nodes.get(name);
        if (e != null && e.index() == idx) {
            return e.value();
        }
        Store.NodeInfo info = store.node(WatchSet.NONE, name).value();
        if (info == null) {
            String actual = names(idx).nodes().get(name.toLowerCase(Locale.ROOT));
            if (actual != null && !actual.equals(name)) {
                info = store.node(WatchSet.NONE, actual).value();
            }
        }
        put(nodes, name, new Entry<>(idx, info));
        return info;
    }

    /** {@code relative} under {@code zone} as a DNS name, or null when it is not a valid one. */
    Name name(String relative, Name zone) {
        String key = relative + "\u0000" + zone;
        Name n = dnsNames.get(key);
        if (n == null) {
            n = Resolver.name(relative, zone);
            if (n != null) {
                put(dnsNames, key, n);
            }
        }
        return n;
    }

    private Names names(long idx) {
        Names n = names;
        if (n.index() == idx) {
            return n;
        }
        Map<String, String> svc = new HashMap<>();
        for (String s : store.serviceNames(WatchSet.NONE).value().keySet()) {
            svc.putIfAbsent(s.toLowerCase(Locale.ROOT), s);
        }
        Map<String, String> nd = new HashMap<>();
        for (Node node : store.nodes(WatchSet.NONE).value()) {
            nd.putIfAbsent(node.node().toLowerCase(Locale.ROOT), node.node());
        }
        n = new Names(idx, svc, nd);
        names = n;
        return n;
    }

    private static <V> void put(ConcurrentHashMap<String, V> map, String key, V value) {
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
        map.put(key, value);
    }
}
