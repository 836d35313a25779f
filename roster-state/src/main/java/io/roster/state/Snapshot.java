package io.roster.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.roster.api.Json;
import io.roster.api.HealthCheck;
import io.roster.api.KvPair;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.SessionEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot format, version 5: UTF-8 JSON lines. The first line is a header
 * ({@code Format}, {@code Version}, indexes); then one line per row ({@code {"KV":...}},
 * {@code {"Tombstone":...}}, {@code {"Session":...}}, and since version 2 the catalog:
 * {@code {"Node":...}}, {@code {"Service":...,"ServiceNode":...}}, {@code {"Check":...}},
 * {@code {"ServiceIndex":...}}, {@code {"NodeIndex":...}}, since version 3 prepared queries
 * {@code {"Query":...}} and network coordinates {@code {"Coordinate":...}}, with
 * {@code QueriesIndex} and {@code CoordinatesIndex} in the header, since version 4 the ACL tables'
 * rows {@code {"Acl":{"Meta"|"Policy"|"Role"|"Token":...}}} ({@link AclTable.Row}), and since
 * version 5 KV history, {@code {"KvVersion":...}} rows (key order, oldest first; a row's
 * {@code Time} is optional: files written before it existed read as versions without a time)) in key order;
 * the last line is {@code {"End":{"Rows":n}}}, so a truncated file is detected. Rows and map
 * entries are sorted, so the same state always gives the same bytes (golden-file tested). A reader
 * refuses versions it does not know, rows it cannot place (a row kind newer than the file's
 * version), and catalog rows that point at a missing node or service; every older version is
 * still read, as a version without the newer tables' rows.
 */
public final class Snapshot {
    public static final String FORMAT = "roster-snapshot";
    public static final int VERSION = 5;
    private static final ObjectMapper JSON = Json.mapper();
    /**
     * Map entries sorted by key: node meta, tagged addresses and check definitions are immutable maps
     * whose iteration order changes from one JVM to the next, and equal states must give equal bytes
     * on every server.
     */
    private static final ObjectWriter ROW_WRITER = JSON.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Snapshot() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(@JsonProperty("Format") String format, @JsonProperty("Version") int version,
                  @JsonProperty("Index") long index, @JsonProperty("KVIndex") long kvIndex,
                  @JsonProperty("SessionIndex") long sessionIndex, @JsonProperty("NodesIndex") long nodesIndex,
                  @JsonProperty("ServicesIndex") long servicesIndex, @JsonProperty("ChecksIndex") long checksIndex,
                  @JsonProperty("QueriesIndex") long queriesIndex, @JsonProperty("CoordinatesIndex") long coordinatesIndex) {
    }

    record NamedIndex(@JsonProperty("Name") String name, @JsonProperty("Index") long index) {
    }

    /** A service instance with the node it runs on. */
    record ServiceRow(String node, NodeService service) {
    }

    record Tombstone(@JsonProperty("Key") String key, @JsonProperty("Index") long index) {
    }

    record End(@JsonProperty("Rows") long rows) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(@JsonProperty("KV") KvPair kv, @JsonProperty("Tombstone") Tombstone tombstone,
               @JsonProperty("Session") SessionEntry session, @JsonProperty("Node") Node node,
               @JsonProperty("Service") NodeService service, @JsonProperty("ServiceNode") String serviceNode,
               @JsonProperty("Check") HealthCheck check, @JsonProperty("ServiceIndex") NamedIndex serviceIndex,
               @JsonProperty("NodeIndex") NamedIndex nodeIndex,
               @JsonProperty("Query") io.roster.api.PreparedQuery query,
               @JsonProperty("Coordinate") io.roster.api.Coordinate.Entry coordinate, @JsonProperty("End") End end,
               @JsonProperty("Acl") AclTable.Row acl, @JsonProperty("KvVersion") io.roster.api.KvVersion kvVersion) {
        /** A row of the kinds before version 4 (no ACL tables, no KV history). */
        Row(KvPair kv, Tombstone tombstone, SessionEntry session, Node node, NodeService service, String serviceNode,
            HealthCheck check, NamedIndex serviceIndex, NamedIndex nodeIndex, io.roster.api.PreparedQuery query,
            io.roster.api.Coordinate.Entry coordinate, End end) {
            this(kv, tombstone, session, node, service, serviceNode, check, serviceIndex, nodeIndex, query, coordinate, end, null, null);
        }

        static Row acl(AclTable.Row r) {
            return new Row(null, null, null, null, null, null, null, null, null, null, null, null, r, null);
        }

        static Row kvVersion(io.roster.api.KvVersion v) {
            return new Row(null, null, null, null, null, null, null, null, null, null, null, null, null, v);
        }

        static Row kv(KvPair e) {
            return new Row(e, null, null, null, null, null, null, null, null, null, null, null);
        }

        static Row tombstone(Tombstone t) {
            return new Row(null, t, null, null, null, null, null, null, null, null, null, null);
        }

        static Row session(SessionEntry e) {
            return new Row(null, null, e, null, null, null, null, null, null, null, null, null);
        }

        static Row node(Node n) {
            return new Row(null, null, null, n, null, null, null, null, null, null, null, null);
        }

        static Row service(String node, NodeService s) {
            return new Row(null, null, null, null, s, node, null, null, null, null, null, null);
        }

        static Row check(HealthCheck c) {
            return new Row(null, null, null, null, null, null, c, null, null, null, null, null);
        }

        static Row serviceIndex(String name, long idx) {
            return new Row(null, null, null, null, null, null, null, new NamedIndex(name, idx), null, null, null, null);
        }

        static Row nodeIndex(String name, long idx) {
            return new Row(null, null, null, null, null, null, null, null, new NamedIndex(name, idx), null, null, null);
        }

        static Row query(io.roster.api.PreparedQuery q) {
            return new Row(null, null, null, null, null, null, null, null, null, q, null, null);
        }

        static Row coordinate(io.roster.api.Coordinate.Entry e) {
            return new Row(null, null, null, null, null, null, null, null, null, null, e, null);
        }

        static Row end(long rows) {
            return new Row(null, null, null, null, null, null, null, null, null, null, null, new End(rows));
        }
    }

    /** What a snapshot holds, fully parsed. */
    record Contents(long index, long kvIndex, long sessionIndex, List<KvPair> kv,
                    Map<String, Long> tombstones, List<SessionEntry> sessions, long nodesIndex, long servicesIndex,
                    long checksIndex, List<Node> nodes, List<ServiceRow> services, List<HealthCheck> checks,
                    Map<String, Long> serviceIndexes, Map<String, Long> nodeIndexes, long queriesIndex,
                    List<io.roster.api.PreparedQuery> queries, long coordinatesIndex,
                    List<io.roster.api.Coordinate.Entry> coordinates, List<AclTable.Row> acl,
                    List<io.roster.api.KvVersion> kvVersions) {
    }

    /** Where a table writes its snapshot rows. */
    @FunctionalInterface
    interface Sink {
        void row(Row row) throws IOException;
    }

    /** A table's rows, written in its key order. */
    @FunctionalInterface
    interface Rows {
        void write(Sink out) throws IOException;
    }

    /**
     * Writes the header, every table's rows in the order given (which is the format's, frozen by
     * the golden files) and the end marker with the row count.
     */
    static void write(Header header, OutputStream out, List<Rows> tables) throws IOException {
        long[] rows = {0};
        line(out, header);
        Sink sink = row -> {
            line(out, row);
            rows[0]++;
        };
        for (Rows t : tables) {
            t.write(sink);
        }
        line(out, Row.end(rows[0]));
        out.flush();
    }

    /**
     * Refuses catalog rows that point at nothing: a service on an unknown node, a check on an unknown
     * node or of an unknown service. Apply never writes such rows, and reads would fail on them.
     */
    private static void checkCatalog(List<Node> nodes, List<ServiceRow> services, List<HealthCheck> checks)
            throws IOException {
        java.util.Set<String> nodeNames = new java.util.HashSet<>();
        for (Node n : nodes) {
            nodeNames.add(n.node());
        }
        java.util.Set<String> serviceKeys = new java.util.HashSet<>();
        for (ServiceRow r : services) {
            if (!nodeNames.contains(r.node())) {
                throw new IOException("corrupt snapshot: service " + r.service().id() + " on unknown node " + r.node());
            }
            serviceKeys.add(r.node() + '\0' + r.service().id());
        }
        for (HealthCheck c : checks) {
            if (!nodeNames.contains(c.node())) {
                throw new IOException("corrupt snapshot: check " + c.checkId() + " on unknown node " + c.node());
            }
            if (!c.serviceId().isEmpty() && !serviceKeys.contains(c.node() + '\0' + c.serviceId())) {
                throw new IOException("corrupt snapshot: check " + c.checkId() + " of unknown service " + c.serviceId());
            }
        }
    }

    private static void line(OutputStream out, Object o) throws IOException {
        out.write(ROW_WRITER.writeValueAsBytes(o));
        out.write('\n');
    }

    static Contents read(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String first = r.readLine();
        if (first == null) {
            throw new IOException("empty snapshot");
        }
        Header h;
        try {
            h = JSON.readValue(first, Header.class);
        } catch (IOException e) {
            throw new IOException("not a Roster snapshot (bad header)", e);
        }
        if (!FORMAT.equals(h.format())) {
            throw new IOException("not a Roster snapshot (format " + h.format() + ")");
        }
        if (h.version() < 1 || h.version() > VERSION) {
            throw new IOException("unsupported snapshot version " + h.version() + " (this server reads " + VERSION + ")");
        }
        List<KvPair> kv = new ArrayList<>();
        Map<String, Long> tombs = new TreeMap<>();
        List<SessionEntry> sessions = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<ServiceRow> services = new ArrayList<>();
        List<HealthCheck> checks = new ArrayList<>();
        Map<String, Long> serviceIndexes = new TreeMap<>();
        Map<String, Long> nodeIndexes = new TreeMap<>();
        List<io.roster.api.PreparedQuery> queries = new ArrayList<>();
        List<io.roster.api.Coordinate.Entry> coords = new ArrayList<>();
        List<AclTable.Row> acl = new ArrayList<>();
        List<io.roster.api.KvVersion> versions = new ArrayList<>();
        long rows = 0;
        String line;
        while ((line = r.readLine()) != null) {
            Row row;
            try {
                row = JSON.readValue(line, Row.class);
            } catch (IOException e) {
                throw new IOException("corrupt snapshot row " + (rows + 1), e);
            }
            if (row.end() != null) {
                if (row.end().rows() != rows) {
                    throw new IOException("snapshot says " + row.end().rows() + " rows, found " + rows);
                }
                checkCatalog(nodes, services, checks);
                return new Contents(h.index(), h.kvIndex(), h.sessionIndex(), kv, tombs, sessions, h.nodesIndex(),
                        h.servicesIndex(), h.checksIndex(), nodes, services, checks, serviceIndexes, nodeIndexes,
                        h.queriesIndex(), queries, h.coordinatesIndex(), coords, acl, versions);
            }
            if (row.kv() != null) {
                kv.add(row.kv());
            } else if (row.tombstone() != null) {
                tombs.put(row.tombstone().key(), row.tombstone().index());
            } else if (row.session() != null) {
                sessions.add(row.session());
            } else if (row.node() != null) {
                nodes.add(row.node());
            } else if (row.service() != null && row.serviceNode() != null) {
                services.add(new ServiceRow(row.serviceNode(), row.service()));
            } else if (row.check() != null) {
                checks.add(row.check());
            } else if (row.serviceIndex() != null) {
                serviceIndexes.put(row.serviceIndex().name(), row.serviceIndex().index());
            } else if (row.nodeIndex() != null) {
                nodeIndexes.put(row.nodeIndex().name(), row.nodeIndex().index());
            } else if (row.query() != null && h.version() >= 3 && !row.query().id().isEmpty()) {
                queries.add(row.query());
            } else if (row.coordinate() != null && h.version() >= 3 && row.coordinate().coord() != null) {
                coords.add(row.coordinate());
            } else if (row.acl() != null && h.version() >= 4 && row.acl().valid()) {
                acl.add(row.acl());
            } else if (row.kvVersion() != null && h.version() >= 5 && row.kvVersion().key() != null) {
                versions.add(row.kvVersion());
            } else {
                // Every row kind of a version this server reads is known: anything else is damage, and
                // skipping it would silently lose a row (a service without its node, say).
                throw new IOException("corrupt snapshot row " + (rows + 1) + ": not a row of version " + h.version());
            }
            rows++;
        }
        throw new IOException("truncated snapshot: no end marker after " + rows + " rows");
    }
}
