package io.roster.tools.ctmpl;

import com.fasterxml.jackson.core.type.TypeReference;
import io.roster.api.HealthCheck;
import io.roster.api.Json;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.QueryResult;
import io.roster.api.RosterClient;
import io.roster.api.ServiceEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One thing a template reads, fetched with a blocking query: consul-template's dependency types,
 * converted into the shapes its templates see ({@code KeyPair}, {@code HealthService}, ...).
 * Two uses of the same query in any templates are one dependency (equal records), watched once.
 */
public sealed interface Dependency {
    /** consul-template's name for it, as in its logs: {@code kv.block(a/b)}, {@code health.service(web|passing)}. */
    String describe();

    /** Fetches the data; {@code index} 0 answers at once, else the agent parks the request up to {@code wait}. */
    Fetched fetch(RosterClient client, long index, Duration wait) throws Exception;

    /** A fetch's result: the value (null: nothing yet, for {@code key}'s blocking), and the index to block on next. */
    record Fetched(Object value, long index, boolean blockOnNil) { }

    private static QueryOptions opts(long index, Duration wait, String dc) {
        QueryOptions q = index > 0 ? QueryOptions.blocking(index, wait) : QueryOptions.DEFAULT;
        return dc == null || dc.isEmpty() ? q : q.withDatacenter(dc);
    }

    /** {@code key} (blocking: a missing key is waited for) and {@code keyExists}/{@code keyOrDefault} (not blocking). */
    record KvGet(String key, String dc, boolean block) implements Dependency {
        @Override
        public String describe() {
            return (block ? "kv.block(" : "kv.get(") + key + (dc == null ? "" : "@" + dc) + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            QueryResult<Optional<KvPair>> r = client.kv().get(key, opts(index, wait, dc));
            Object v = r.value().map(p -> p.value() == null ? "" : new String(p.value(), StandardCharsets.UTF_8)).orElse(null);
            return new Fetched(v, r.index(), block);
        }
    }

    /** {@code ls}, {@code tree}, {@code safeLs}, {@code safeTree}: every pair under a prefix, keys relative to it. */
    record KvList(String prefix, String dc) implements Dependency {
        @Override
        public String describe() {
            return "kv.list(" + prefix + (dc == null ? "" : "@" + dc) + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            QueryResult<List<KvPair>> r = client.kv().list(prefix, opts(index, wait, dc));
            List<Struct> pairs = new ArrayList<>();
            for (KvPair p : r.value()) {
                String k = p.key().startsWith(prefix) ? p.key().substring(prefix.length()) : p.key();
                while (k.startsWith("/")) {
                    k = k.substring(1);
                }
                pairs.add(keyPair(p, k));
            }
            return new Fetched(pairs, r.index(), false);
        }
    }

    /** {@code service "tag.name@dc|filter"}: instances with their health, sorted by node then ID. */
    record HealthService(String name, String tag, String dc, List<String> filters) implements Dependency {
        @Override
        public String describe() {
            return "health.service(" + (tag == null ? "" : tag + ".") + name + (dc == null ? "" : "@" + dc)
                    + "|" + String.join(",", filters) + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            boolean passingOnly = filters.size() == 1 && filters.get(0).equals("passing");
            QueryResult<List<ServiceEntry>> r = client.health().service(name, tag == null ? List.of() : List.of(tag),
                    passingOnly, opts(index, wait, dc));
            List<Struct> list = new ArrayList<>();
            for (ServiceEntry e : r.value()) {
                String status = aggregatedStatus(e.checks());
                if (!filters.contains("any") && !filters.contains(status)) {
                    continue;
                }
                String address = e.service().address() == null || e.service().address().isEmpty()
                        ? e.node().address() : e.service().address();
                list.add(new Struct("HealthService")
                        .put("Node", e.node().node())
                        .put("NodeID", nz(e.node().id()))
                        .put("NodeAddress", e.node().address())
                        .put("NodeDatacenter", nz(e.node().datacenter()))
                        .put("NodeTaggedAddresses", stringMap(e.node().taggedAddresses()))
                        .put("NodeMeta", stringMap(e.node().meta()))
                        .put("ServiceMeta", stringMap(e.service().meta()))
                        .put("Address", address)
                        .put("ServiceTaggedAddresses", plain(e.service().taggedAddresses()))
                        .put("ID", e.service().id())
                        .put("Name", e.service().service())
                        .put("Kind", nz(e.service().kind()))
                        .put("Tags", new ServiceTags(e.service().tags()))
                        .put("Checks", plain(e.checks()))
                        .put("Status", status)
                        .put("Port", (long) e.service().port())
                        .put("Weights", plain(e.service().weights())));
            }
            list.sort(Comparator.comparing((Struct s) -> (String) s.get("Node")).thenComparing(s -> (String) s.get("ID")));
            return new Fetched(list, r.index(), false);
        }
    }

    /** {@code services}: every service name with its tags, by name. */
    record CatalogServices(String dc) implements Dependency {
        @Override
        public String describe() {
            return "catalog.services" + (dc == null ? "" : "(@" + dc + ")");
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            QueryResult<Map<String, List<String>>> r = client.catalog().services(Map.of(), opts(index, wait, dc));
            List<Struct> list = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : new TreeMap<>(r.value()).entrySet()) {
                list.add(new Struct("CatalogSnippet").put("Name", e.getKey()).put("Tags", new ServiceTags(e.getValue())));
            }
            return new Fetched(list, r.index(), false);
        }
    }

    /** envexec's {@code -service}: the catalog's instances of a service (envconsul reads the catalog, not health). */
    record CatalogServiceInstances(String name, String tag, String dc) implements Dependency {
        @Override
        public String describe() {
            return "catalog.service(" + (tag == null ? "" : tag + ".") + name + (dc == null ? "" : "@" + dc) + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            QueryResult<List<io.roster.api.CatalogService>> r = client.catalog().service(name, tag == null ? List.of() : List.of(tag),
                    Map.of(), opts(index, wait, dc));
            List<Struct> list = new ArrayList<>();
            for (io.roster.api.CatalogService s : r.value()) {
                list.add(new Struct("CatalogService").put("ServiceID", s.serviceId()).put("ServiceName", s.serviceName())
                        .put("ServiceAddress", s.serviceAddress() == null ? "" : s.serviceAddress())
                        .put("ServiceTags", new ServiceTags(s.serviceTags())).put("ServicePort", (long) s.servicePort()));
            }
            return new Fetched(list, r.index(), false);
        }
    }

    /** {@code nodes}: every node of the catalog. */
    record CatalogNodes(String dc) implements Dependency {
        @Override
        public String describe() {
            return "catalog.nodes" + (dc == null ? "" : "(@" + dc + ")");
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            QueryResult<List<io.roster.api.Node>> r = client.catalog().nodes(Map.of(), opts(index, wait, dc));
            List<Struct> list = new ArrayList<>();
            for (io.roster.api.Node n : r.value()) {
                list.add(node(n));
            }
            return new Fetched(list, r.index(), false);
        }
    }

    /** {@code node} / {@code node "name"}: a node and its services; the local agent's node when no name is given. */
    record CatalogNode(String name, String dc) implements Dependency {
        @Override
        public String describe() {
            return "catalog.node(" + (name == null ? "" : name) + (dc == null ? "" : "@" + dc) + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) {
            String n = name == null || name.isEmpty() ? client.agent().nodeName() : name;
            QueryResult<Optional<RosterClient.CatalogNode>> r = client.catalog().node(n, opts(index, wait, dc));
            if (r.value().isEmpty()) {
                return new Fetched(null, r.index(), false);
            }
            RosterClient.CatalogNode cn = r.value().get();
            List<Struct> services = new ArrayList<>();
            cn.services().values().stream().sorted(Comparator.comparing(io.roster.api.NodeService::service)
                    .thenComparing(io.roster.api.NodeService::id)).forEach(s -> services.add(new Struct("CatalogNodeService")
                    .put("ID", s.id()).put("Service", s.service()).put("Tags", new ServiceTags(s.tags()))
                    .put("Meta", stringMap(s.meta())).put("Port", (long) s.port()).put("Address", nz(s.address()))
                    .put("EnableTagOverride", s.enableTagOverride())));
            return new Fetched(new Struct("CatalogNode").put("Node", node(cn.node())).put("Services", services), r.index(), false);
        }
    }

    /** {@code file "path"}: a local file, re-read when its modification time or size changes (polled). */
    record LocalFile(String path) implements Dependency {
        static final Duration POLL = Duration.ofSeconds(2);

        @Override
        public String describe() {
            return "file(" + path + ")";
        }

        @Override
        public Fetched fetch(RosterClient client, long index, Duration wait) throws Exception {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                long stamp = stamp();
                if (index == 0 || stamp != index || System.nanoTime() >= deadline) {
                    return new Fetched(Files.readString(Path.of(path), StandardCharsets.UTF_8), stamp, false);
                }
                Thread.sleep(POLL.toMillis());
            }
        }

        private long stamp() throws IOException {
            try {
                Path p = Path.of(path);
                return Math.max(1, Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p));
            } catch (NoSuchFileException e) {
                throw new IOException("open " + path + ": no such file or directory");
            }
        }
    }

    /** The syntax of a {@code service} argument. */
    Pattern SERVICE = Pattern.compile("^(?:(?<tag>[^.@|?~]+)\\.)?(?<name>[^.@|?~]+)(?:\\?[^@|~]*)?"
            + "(?:@(?<dc>[^|~]+))?(?:~[^|]+)?(?:\\|(?<filter>.*))?$");

    /** Parses {@code [tag.]name[?query][@dc][~near][|filter,...]}. */
    static HealthService parseService(String s) {
        Matcher m = SERVICE.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("health.service: invalid format: \"" + s + "\"");
        }
        List<String> filters = new ArrayList<>();
        if (m.group("filter") != null) {
            for (String f : m.group("filter").split(",")) {
                String t = f.strip();
                if (!List.of("any", "passing", "warning", "critical", "maintenance").contains(t)) {
                    throw new IllegalArgumentException("health.service: invalid filter: \"" + t + "\" in \"" + s + "\"");
                }
                filters.add(t);
            }
        }
        if (filters.isEmpty()) {
            filters.add("passing");
        }
        return new HealthService(m.group("name"), m.group("tag"), m.group("dc"), List.copyOf(filters));
    }

    /** Splits {@code path[?query][@dc]} into the path and the datacenter (null when absent); the query is ignored. */
    static String[] pathAndDc(String s) {
        String p = s;
        String dc = null;
        int at = p.lastIndexOf('@');
        if (at >= 0) {
            dc = p.substring(at + 1);
            p = p.substring(0, at);
        }
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        return new String[] {p, dc == null || dc.isEmpty() ? null : dc};
    }

    private static String aggregatedStatus(List<HealthCheck> checks) {
        boolean warning = false;
        boolean critical = false;
        boolean maintenance = false;
        for (HealthCheck c : checks == null ? List.<HealthCheck>of() : checks) {
            if (c.checkId() != null && (c.checkId().equals("_node_maintenance") || c.checkId().startsWith("_service_maintenance:"))) {
                maintenance = true;
            } else if ("critical".equals(c.status())) {
                critical = true;
            } else if ("warning".equals(c.status())) {
                warning = true;
            }
        }
        return maintenance ? "maintenance" : critical ? "critical" : warning ? "warning" : "passing";
    }

    private static Struct keyPair(KvPair p, String relative) {
        return new Struct("KeyPair").put("Path", p.key()).put("Key", relative)
                .put("Value", p.value() == null ? "" : new String(p.value(), StandardCharsets.UTF_8))
                .put("CreateIndex", p.createIndex()).put("ModifyIndex", p.modifyIndex()).put("LockIndex", p.lockIndex())
                .put("Flags", p.flags()).put("Session", p.session() == null ? "" : p.session());
    }

    private static Struct node(io.roster.api.Node n) {
        return new Struct("Node").put("ID", nz(n.id())).put("Node", n.node()).put("Address", n.address())
                .put("Datacenter", nz(n.datacenter())).put("TaggedAddresses", stringMap(n.taggedAddresses()))
                .put("Meta", stringMap(n.meta()));
    }

    private static Map<String, String> stringMap(Map<String, String> m) {
        return m == null ? new TreeMap<>() : new TreeMap<>(m);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** An API record as the plain maps and lists of its JSON, with integral numbers as Long. */
    private static Object plain(Object o) {
        if (o == null) {
            return null;
        }
        return normalize(Json.mapper().convertValue(o, new TypeReference<Object>() { }));
    }

    @SuppressWarnings("unchecked")
    static Object normalize(Object o) {
        if (o instanceof Integer i) {
            return (long) i;
        }
        if (o instanceof java.math.BigInteger b) {
            return b.longValue();
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            for (Object x : l) {
                r.add(normalize(x));
            }
            return r;
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> r.put(k, normalize(v)));
            return r;
        }
        return o;
    }
}
