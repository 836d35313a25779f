package io.roster.state;

import io.roster.api.Coordinate;
import io.roster.api.HealthCheck;
import io.roster.api.KvPair;
import io.roster.api.KvVersion;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.PreparedQuery;
import io.roster.api.SessionEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The state store: the lock, the tables, the one apply switch, and the public face of the tables'
 * reads.
 *
 * <p>Writes arrive only through {@link #apply(long, Command)}, from the replicator, in log order:
 * each command runs in its own {@link Tx} under the write lock, and a command that is rejected or
 * throws is undone row by row. Reads may run on any thread at any time: each is one table's read
 * (which registers its watches and picks the index it reports) run under the read lock by
 * {@link #read}.
 */
public final class Store {
    /** Topic woken by any session change. */
    public static final String TOPIC_SESSIONS = SessionTable.TOPIC;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Watches watches = new Watches();
    final SessionTable sessions = new SessionTable();
    final KvTable kv = new KvTable(sessions);
    final CatalogTable catalog = new CatalogTable();
    final QueryTable queries = new QueryTable();
    final CoordinateTable coordinates = new CoordinateTable();
    final AclTable acl = new AclTable();
    private final AclReads aclReads = new AclReads(this, acl);
    /** What a catalog write does to the other tables (sessions end with their checks and nodes). */
    private final CatalogTable.Hooks catalogHooks = new CatalogTable.Hooks() {
        @Override
        public void checkGone(Tx tx, String node, String checkId) {
            sessions.invalidateOnCheck(tx, node, checkId, kv, queries);
        }

        @Override
        public void nodeGone(Tx tx, String node) {
            coordinates.removeNode(tx, node);
            sessions.invalidateOnNode(tx, node, kv, queries);
        }
    };
    private volatile InvalidationListener invalidationListener;
    private volatile long lastIndex;

    /** A read's value and the index to report in {@code X-Consul-Index} (never 0). */
    public record Read<T>(T value, long index) {
    }

    /** A node and the service instances on it. */
    public record NodeInfo(Node node, List<NodeService> services) {
    }

    /** The ACL tables' reads (tokens, policies, roles). */
    public AclReads acl() {
        return aclReads;
    }

    public Watches watches() {
        return watches;
    }

    /** The index of the last applied command (0 when empty). */
    public long lastIndex() {
        return lastIndex;
    }

    /** Runs one read under the read lock: the one place reads take it. */
    <T> T read(Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ apply

    /**
     * Applies one command at {@code index}. Deterministic: the same sequence of (index, command)
     * gives the same state and results on every server. Returns the command's result:
     * {@code Boolean} for KV writes, the session ID for a create, {@link TxnOutcome} for a
     * transaction, or an {@link ApplyError} when the command was rejected without effect.
     */
    public ApplyResult apply(long index, Command command) {
        boolean batch = command instanceof Command.Batch;
        List<Command> commands = batch ? ((Command.Batch) command).commands() : List.of(command);
        List<Tx> txs = new ArrayList<>(commands.size());
        List<ApplyResult> results = new ArrayList<>(commands.size());
        lock.writeLock().lock();
        try {
            for (Command c : commands) {
                // The Tx remembers the table indexes to roll back to, so it must be opened under the lock.
                Tx tx = new Tx(index, kv, sessions);
                txs.add(tx);
                if (!batch) {
                    results.add(applyOrUndo(tx, c));
                } else if (!Command.Batch.mayCarry(c)) {
                    results.add(new ApplyError("a batch cannot carry a " + c.type() + " command"));
                } else {
                    // One command's failure is its own: the others in the batch still apply.
                    try {
                        results.add(applyOrUndo(tx, c));
                    } catch (RuntimeException e) {
                        results.add(new ApplyError("apply failed: " + e.getMessage()));
                    }
                }
            }
            lastIndex = Math.max(lastIndex, index);
        } finally {
            lock.writeLock().unlock();
        }
        InvalidationListener l = invalidationListener;
        for (Tx tx : txs) {
            tx.changes.fire(watches);
            if (l != null) {
                for (Map.Entry<SessionEntry, List<String>> e : tx.invalidated) {
                    l.invalidated(e.getKey(), e.getValue());
                }
            }
        }
        return batch ? new ApplyResult.Batch(results) : results.get(0);
    }

    /** Runs the apply switch; a command that fails half-way (rejected or thrown) leaves no trace. */
    private ApplyResult applyOrUndo(Tx tx, Command command) {
        ApplyResult result;
        try {
            result = switch (command) {
                case Command.Kv c -> kv.apply(tx, c);
                case Command.SessionCreate c -> sessions.create(tx, c);
                case Command.SessionDestroy c -> sessions.destroy(tx, c.id(), kv, queries);
                case Command.Txn c -> kv.applyTxn(tx, c);
                case Command.TombstoneReap c -> kv.reap(c.index());
                case Command.CatalogRegister c -> catalog.register(tx, c, catalogHooks);
                case Command.CatalogDeregister c -> catalog.deregister(tx, c, catalogHooks);
                case Command.Restore c -> applyRestore(c);
                // Only reachable as a member of a batch, which Command.Batch refuses to hold.
                case Command.Batch c -> throw new IllegalStateException("a batch inside a batch");
                case Command.PreparedQuerySet c -> queries.set(tx, c.query(), sessions);
                case Command.PreparedQueryDelete c -> queries.delete(tx, c.id());
                case Command.CoordinateBatch c -> coordinates.update(tx, c, catalog);
                case Command.AclBootstrap c -> acl.bootstrap(tx, c.token(), c.resetIndex());
                case Command.AclTokenSet c -> acl.setToken(tx, c.token(), c.mustExist());
                case Command.AclTokenDelete c -> new ApplyResult.Count(acl.deleteTokens(tx, c.accessorIds()));
                case Command.AclPolicySet c -> acl.setPolicy(tx, c.policy(), c.mustExist());
                case Command.AclPolicyDelete c -> acl.deletePolicy(tx, c.id());
                case Command.AclRoleSet c -> acl.setRole(tx, c.role(), c.mustExist());
                case Command.AclRoleDelete c -> acl.deleteRole(tx, c.id());
            };
        } catch (RuntimeException e) {
            tx.rollback(kv, sessions);
            throw e;
        }
        if (result.rejected()) {
            tx.rollback(kv, sessions);
        }
        return result;
    }

    /** A snapshot is parsed completely before anything is replaced; a bad one changes nothing. */
    private ApplyResult applyRestore(Command.Restore c) {
        try {
            restore(new ByteArrayInputStream(c.snapshot() == null ? new byte[0] : c.snapshot()));
            return ApplyResult.Bool.TRUE;
        } catch (IOException e) {
            return new ApplyError("Invalid snapshot: " + e.getMessage());
        }
    }

    /** Told (after the write lock is released) about sessions that apply invalidated on its own. */
    public interface InvalidationListener {
        void invalidated(SessionEntry session, List<String> heldKeys);
    }

    /** Sets the listener for sessions invalidated by catalog changes (the leader arms lock-delay with it). */
    public void onInvalidation(InvalidationListener l) {
        this.invalidationListener = l;
    }

    // ------------------------------------------------------------------ KV reads (KvTable decides watches and index)

    /**
     * What a KV read that finds nothing (a missing key, an empty listing) watches beside what it
     * asked for. Its answer carries the KV table's index, which every KV write moves: a blocking
     * query ({@code /v1/kv}) must then wake on every KV write ({@link #WATCH_TABLE}), as Consul's
     * does; {@link #WATCH_ASKED} watches only the key or prefix itself.
     */
    public enum IfEmpty { WATCH_ASKED, WATCH_TABLE }

    /** One key; the index is its ModifyIndex, or the KV table index when it does not exist. */
    public Read<KvPair> kvGet(WatchSet ws, String key) {
        return kvGet(ws, IfEmpty.WATCH_ASKED, key);
    }

    /** {@link #kvGet(WatchSet, String)}, watching the whole table when the key does not exist if {@code empty} says so. */
    public Read<KvPair> kvGet(WatchSet ws, IfEmpty empty, String key) {
        return read(() -> kv.get(ws, empty, key));
    }

    /**
     * Keeps the last {@code n} versions of every key from now on (0, the default of a bare store:
     * none). Every server must use the same value; set it before the first apply.
     */
    public void kvHistoryVersions(int n) {
        kv.history.limit(n);
    }

    /** The key's last versions, newest first; the index is the newest one's, or the KV table's. */
    public Read<List<KvVersion>> kvHistory(WatchSet ws, String key) {
        return kvHistory(ws, IfEmpty.WATCH_ASKED, key);
    }

    public Read<List<KvVersion>> kvHistory(WatchSet ws, IfEmpty empty, String key) {
        return read(() -> kv.history(ws, empty, key));
    }

    /** Every entry under a prefix; the index is the highest under it (tombstones included) or the table's. */
    public Read<List<KvPair>> kvList(WatchSet ws, String prefix) {
        return kvList(ws, IfEmpty.WATCH_ASKED, prefix);
    }

    public Read<List<KvPair>> kvList(WatchSet ws, IfEmpty empty, String prefix) {
        return read(() -> kv.list(ws, empty, prefix));
    }

    /** Key names under a prefix, folded at {@code separator} when given. */
    public Read<List<String>> kvKeys(WatchSet ws, String prefix, String separator) {
        return kvKeys(ws, IfEmpty.WATCH_ASKED, prefix, separator);
    }

    public Read<List<String>> kvKeys(WatchSet ws, IfEmpty empty, String prefix, String separator) {
        return read(() -> kv.keys(ws, empty, prefix, separator));
    }

    /** Runs a transaction made only of read verbs, without replication. */
    public Read<TxnOutcome> txnRead(List<Command.Kv> ops) {
        for (Command.Kv op : ops) {
            if (op.verb().isWrite()) {
                throw new IllegalArgumentException("txnRead given a write verb " + op.verb().wire());
            }
        }
        return read(() -> new Read<>(kv.txn(new Tx(lastIndex, kv, sessions), ops), kv.tableIndex()));
    }

    // ------------------------------------------------------------------ session reads

    public Read<SessionEntry> session(WatchSet ws, String id) {
        return read(() -> sessions.get(ws, id));
    }

    public Read<List<SessionEntry>> sessions(WatchSet ws) {
        return read(() -> sessions.list(ws));
    }

    public Read<List<SessionEntry>> sessionsByNode(WatchSet ws, String node) {
        return read(() -> sessions.byNode(ws, node));
    }

    /** The keys a session holds now (the leader uses this to arm lock-delay on invalidation). */
    public List<String> keysHeldBy(String sessionId) {
        return read(() -> sessions.heldKeys(sessionId));
    }

    // ------------------------------------------------------------------ catalog reads

    public Read<List<Node>> nodes(WatchSet ws) {
        return nodes(ws, Map.of());
    }

    /** The nodes whose meta has every pair of {@code meta} (all nodes when empty), by name; from the node-meta index. */
    public Read<List<Node>> nodes(WatchSet ws, Map<String, String> meta) {
        return read(() -> catalog.nodes(ws, meta));
    }

    /** Service names with the union of their instances' tags. */
    public Read<Map<String, List<String>>> serviceNames(WatchSet ws) {
        return read(() -> catalog.serviceNames(ws));
    }

    /**
     * What {@link #catalogService}, {@link #serviceHealth} and {@link #serviceChecks} watch, and the
     * index they report, without reading any instance (a blocking query's cheap probe).
     */
    public long serviceIndex(WatchSet ws, String name) {
        return read(() -> catalog.serviceIndex(ws, name));
    }

    /** What {@link #serviceNames} watches and the index it reports, without listing anything. */
    public long serviceNamesIndex(WatchSet ws) {
        return read(() -> catalog.serviceNamesIndex(ws));
    }

    /** Instances of a service with their nodes, for {@code /v1/catalog/service/<name>}. */
    public Read<List<io.roster.api.CatalogService>> catalogService(WatchSet ws, String name) {
        return catalogService(ws, name, List.of(), Map.of());
    }

    /**
     * Instances of a service carrying every tag in {@code tags} on nodes with every pair of
     * {@code meta}, from the name, tag and node-meta indexes (the watch and index are the service's).
     */
    public Read<List<io.roster.api.CatalogService>> catalogService(WatchSet ws, String name, List<String> tags,
                                                                    Map<String, String> meta) {
        return read(() -> catalog.catalogServices(ws, name, tags, meta));
    }

    /** Instances of a service with their nodes and every check of both, for {@code /v1/health/service/<name>}. */
    public Read<List<io.roster.api.ServiceEntry>> serviceHealth(WatchSet ws, String name) {
        return serviceHealth(ws, name, List.of(), Map.of());
    }

    /** {@link #serviceHealth(WatchSet, String)} narrowed by tags and node meta through the indexes. */
    public Read<List<io.roster.api.ServiceEntry>> serviceHealth(WatchSet ws, String name, List<String> tags,
                                                                Map<String, String> meta) {
        return read(() -> catalog.serviceEntries(ws, name, tags, meta));
    }

    /** The checks of every instance of a service. */
    public Read<List<HealthCheck>> serviceChecks(WatchSet ws, String name) {
        return read(() -> catalog.checksOfService(ws, name));
    }

    /** One node and its services; the value is null when the node is unknown. */
    public Read<NodeInfo> node(WatchSet ws, String name) {
        return read(() -> catalog.node(ws, name));
    }

    /** Every check of a node (node-level and service checks). */
    public Read<List<HealthCheck>> nodeChecks(WatchSet ws, String name) {
        return read(() -> catalog.checksOf(ws, name));
    }

    /** Checks in a state ({@code passing}, {@code warning}, {@code critical}) or all of them ({@code any}). */
    public Read<List<HealthCheck>> checksInState(WatchSet ws, String state) {
        return read(() -> catalog.checksInState(ws, state));
    }

    /** Catalog rows (nodes, instances, checks, index entries) that reads have looked at so far: a read's cost, for tests and metrics. */
    public long catalogRowsTouched() {
        return catalog.rowsTouched();
    }

    // ------------------------------------------------------------------ prepared query and coordinate reads

    /** Every prepared query, by ID. */
    public Read<List<PreparedQuery>> preparedQueries(WatchSet ws) {
        return read(() -> queries.list(ws));
    }

    /** One prepared query by ID; null when there is none. The index is the table's, as Consul's. */
    public Read<PreparedQuery> preparedQuery(WatchSet ws, String id) {
        return read(() -> queries.get(ws, id));
    }

    /**
     * The stored query an execute names: by ID, else by exact name (case-insensitive), else the
     * template with the longest matching name prefix; null when none. Rendering is the caller's.
     */
    public Read<PreparedQuery> resolvePreparedQuery(WatchSet ws, String idOrName) {
        return read(() -> queries.resolve(ws, idOrName));
    }

    /** Every node's coordinates (by node, then segment). */
    public Read<List<Coordinate.Entry>> coordinates(WatchSet ws) {
        return read(() -> coordinates.list(ws));
    }

    /** One node's coordinates (one per segment), empty when it has none. */
    public Read<List<Coordinate.Entry>> coordinatesOf(WatchSet ws, String node) {
        return read(() -> coordinates.ofNode(ws, node));
    }

    // ------------------------------------------------------------------ snapshot

    /** Writes the whole store to {@code out} in the versioned snapshot format (see {@link Snapshot}). */
    public void snapshot(OutputStream out) throws IOException {
        lock.readLock().lock();
        try {
            long[] c = catalog.snapshotIndexes();
            Snapshot.write(new Snapshot.Header(Snapshot.FORMAT, Snapshot.VERSION, lastIndex, kv.index, sessions.index,
                            c[0], c[1], c[2], queries.index, coordinates.index), out,
                    List.of(kv::snapshot, kv.tombstones::snapshot, sessions::snapshot, catalog::snapshot,
                            queries::snapshot, coordinates::snapshot, acl::snapshot, kv.history::snapshot));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaces the whole store with a snapshot. Everything is parsed before anything is replaced, so
     * a corrupt snapshot leaves the store untouched. Wakes every watcher.
     */
    public void restore(InputStream in) throws IOException {
        Snapshot.Contents c = Snapshot.read(in);
        lock.writeLock().lock();
        try {
            // Sessions first: the KV rows rebuild the sessions' held-keys index.
            sessions.restore(c.sessions(), c.sessionIndex());
            kv.restore(c.kv(), c.kvIndex());
            kv.tombstones.restore(c.tombstones());
            kv.history.restore(c.kvVersions());
            catalog.restore(c);
            queries.restore(c.queries(), c.queriesIndex());
            coordinates.restore(c.coordinates(), c.coordinatesIndex());
            acl.restore(c.acl());
            lastIndex = c.index();
        } finally {
            lock.writeLock().unlock();
        }
        watches.treeChanged("");
        watches.topicChanged(TOPIC_SESSIONS);
        watches.allTopicsChanged();
    }

    /** A SHA-256 of the snapshot bytes: equal on two servers exactly when their states are equal. */
    public String stateHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            snapshot(new DigestOutputStream(OutputStream.nullOutputStream(), md));
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
