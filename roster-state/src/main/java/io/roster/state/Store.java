package io.roster.state;

import io.roster.api.HealthCheck;
import io.roster.api.KvPair;
import io.roster.api.Node;
import io.roster.api.NodeService;
import java.util.Map;
import io.roster.api.SessionEntry;
import io.roster.api.TxnResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The state store: every table, the one apply switch, and consistent reads that register watches.
 *
 * <p>Writes arrive only through {@link #apply(long, Command)}, from the replicator, in log order.
 * Reads may run on any thread at any time.
 */
public final class Store {
    /** Topic woken by any session change. */
    public static final String TOPIC_SESSIONS = "sessions";

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Watches watches = new Watches();
    final SessionTable sessions = new SessionTable();
    final KvTable kv = new KvTable(sessions);
    final CatalogTable catalog = new CatalogTable();
    final QueryTable queries = new QueryTable();
    final CoordinateTable coordinates = new CoordinateTable();
    final AclTable acl = new AclTable();
    private final AclReads aclReads = new AclReads(lock.readLock(), acl);
    private volatile InvalidationListener invalidationListener;
    private volatile long lastIndex;

    /** A read's value and the index to report in {@code X-Consul-Index} (never 0). */
    public record Read<T>(T value, long index) {
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

    // ------------------------------------------------------------------ apply

    /**
     * Applies one command at {@code index}. Deterministic: the same sequence of (index, command)
     * gives the same state and results on every server. Returns the command's result:
     * {@code Boolean} for KV writes, the session ID for a create, {@link TxnOutcome} for a
     * transaction, or an {@link ApplyError} when the command was rejected without effect.
     */
    public Object apply(long index, Command command) {
        boolean batch = command instanceof Command.Batch;
        List<Command> commands = batch ? ((Command.Batch) command).commands() : List.of(command);
        List<Tx> txs = new ArrayList<>(commands.size());
        List<Object> results = new ArrayList<>(commands.size());
        lock.writeLock().lock();
        try {
            for (Command c : commands) {
                // The Tx remembers the table indexes to roll back to, so it must be opened under the lock.
                Tx tx = new Tx(index, kv, sessions);
                txs.add(tx);
                if (!batch) {
                    results.add(applyOrUndo(tx, c));
                } else if (c instanceof Command.Restore) {
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
        return batch ? java.util.Collections.unmodifiableList(results) : results.get(0);
    }

    /** Runs the apply switch; a command that fails half-way (rejected or thrown) leaves no trace. */
    private Object applyOrUndo(Tx tx, Command command) {
        Object result;
        try {
            result = switch (command) {
                case Command.Kv c -> applyKv(tx, c);
                case Command.SessionCreate c -> applySessionCreate(tx, c);
                case Command.SessionDestroy c -> applySessionDestroy(tx, c.id());
                case Command.Txn c -> applyTxn(tx, c);
                case Command.TombstoneReap c -> kv.reap(c.index());
                case Command.CatalogRegister c -> applyRegister(tx, c);
                case Command.CatalogDeregister c -> applyDeregister(tx, c);
                case Command.Restore c -> applyRestore(c);
                case Command.Batch c -> new ApplyError("a batch cannot contain a batch");
                case Command.PreparedQuerySet c -> applyQuerySet(tx, c.query());
                case Command.PreparedQueryDelete c -> applyQueryDelete(tx, c.id());
                case Command.CoordinateBatch c -> applyCoordinates(tx, c);
                case Command.AclBootstrap c -> acl.bootstrap(tx, c.token(), c.resetIndex());
                case Command.AclTokenSet c -> acl.setToken(tx, c.token(), c.mustExist());
                case Command.AclTokenDelete c -> acl.deleteTokens(tx, c.accessorIds());
                case Command.AclPolicySet c -> acl.setPolicy(tx, c.policy(), c.mustExist());
                case Command.AclPolicyDelete c -> acl.deletePolicy(tx, c.id());
                case Command.AclRoleSet c -> acl.setRole(tx, c.role(), c.mustExist());
                case Command.AclRoleDelete c -> acl.deleteRole(tx, c.id());
            };
        } catch (RuntimeException e) {
            tx.rollback(kv, sessions);
            throw e;
        }
        if (result instanceof ApplyError) {
            tx.rollback(kv, sessions);
        }
        return result;
    }

    private Object applyKv(Tx tx, Command.Kv c) {
        if (!c.verb().isWrite()) {
            return new ApplyError("verb " + c.verb().wire() + " is not a write");
        }
        tx.time = c.time();
        try {
            return kvWrite(tx, c);
        } finally {
            tx.time = 0;
        }
    }

    /** The write verbs, shared by single writes and transactions. */
    private Object kvWrite(Tx tx, Command.Kv c) {
        return switch (c.verb()) {
            case SET -> kv.set(tx, c.key(), c.value(), c.flags());
            case CAS -> kv.cas(tx, c.key(), c.value(), c.flags(), c.index());
            case LOCK -> kv.lock(tx, c.key(), c.value(), c.flags(), c.session());
            case UNLOCK -> kv.unlock(tx, c.key(), c.value(), c.flags(), c.session());
            case DELETE -> kv.delete(tx, c.key());
            case DELETE_CAS -> kv.deleteCas(tx, c.key(), c.index());
            case DELETE_TREE -> kv.deleteTree(tx, c.key());
            default -> new ApplyError("verb " + c.verb().wire() + " is not a write");
        };
    }

    private Object applySessionCreate(Tx tx, Command.SessionCreate c) {
        if (c.id() == null || c.id().isEmpty()) {
            return new ApplyError("Missing session ID");
        }
        if (sessions.get(c.id()) != null) {
            return new ApplyError("Session ID already exists: " + c.id());
        }
        if (!SessionEntry.RELEASE.equals(c.behavior()) && !SessionEntry.DELETE.equals(c.behavior())) {
            return new ApplyError("Invalid Behavior setting '" + c.behavior() + "'");
        }
        sessions.put(tx, new SessionEntry(c.id(), c.name(), c.node(), c.lockDelay(), c.behavior(),
                c.ttl() == null ? "" : c.ttl(), List.copyOf(c.nodeChecks() == null ? List.of() : c.nodeChecks()),
                c.serviceChecks() == null || c.serviceChecks().isEmpty() ? null : List.copyOf(c.serviceChecks()),
                tx.index, tx.index));
        return c.id();
    }

    private Object applySessionDestroy(Tx tx, String id) {
        SessionEntry s = sessions.get(id);
        if (s == null) {
            return Boolean.TRUE;
        }
        for (String key : sessions.heldKeys(id)) {
            if (SessionEntry.DELETE.equals(s.behavior())) {
                kv.delete(tx, key);
            } else {
                kv.releaseBySession(tx, key);
            }
        }
        sessions.remove(tx, id);
        // Queries bound to the session go with it (Consul's sessionDeleteWithSession).
        for (String queryId : queries.ofSession(id)) {
            queries.remove(tx, queryId);
        }
        return Boolean.TRUE;
    }

    // ------------------------------------------------------------------ prepared queries and coordinates

    /** Consul's {@code preparedQuerySetTxn} integrity checks, with its texts; the leader chose the ID. */
    private Object applyQuerySet(Tx tx, io.roster.api.PreparedQuery q) {
        if (q == null || q.id().isEmpty()) {
            return new ApplyError("Missing query ID");
        }
        io.roster.api.PreparedQuery existing = queries.get(q.id());
        if (!q.name().isEmpty()) {
            io.roster.api.PreparedQuery other = queries.byName(q.name());
            if (other != null && !other.id().equals(q.id())) {
                return new ApplyError("name '" + q.name() + "' aliases an existing query name");
            }
        } else if (QueryTable.isTemplate(q)) {
            for (io.roster.api.PreparedQuery other : queries.byId.values()) {
                if (QueryTable.isTemplate(other) && other.name().isEmpty() && !other.id().equals(q.id())) {
                    return new ApplyError("a query template with an empty name already exists");
                }
            }
        }
        if (QueryTable.isUuid(q.name()) && queries.get(q.name()) != null) {
            return new ApplyError("name '" + q.name() + "' aliases an existing query ID");
        }
        if (!q.session().isEmpty() && sessions.get(q.session()) == null) {
            return new ApplyError("invalid session \"" + q.session() + "\"");
        }
        long create = existing == null ? tx.index : existing.createIndex();
        queries.put(tx, new io.roster.api.PreparedQuery(q.id(), q.name(), q.session(), q.token(), q.service(), q.dns(),
                q.template(), create, tx.index));
        return q.id();
    }

    private Object applyQueryDelete(Tx tx, String id) {
        if (id != null) {
            queries.remove(tx, id);
        }
        return Boolean.TRUE;
    }

    /** Skips nodes the catalog does not know, as Consul does; an update equal to the stored one is not a change. */
    private Object applyCoordinates(Tx tx, Command.CoordinateBatch c) {
        for (io.roster.api.Coordinate.Entry e : c.coordinates()) {
            if (e.coord() == null || !catalog.nodes.containsKey(e.node())) {
                continue;
            }
            java.util.TreeMap<String, io.roster.api.Coordinate> have = coordinates.byNode.get(e.node());
            if (have != null && e.coord().equals(have.get(e.segment()))) {
                continue;
            }
            coordinates.put(tx, e);
        }
        return Boolean.TRUE;
    }

    /** A snapshot is parsed completely before anything is replaced; a bad one changes nothing. */
    private Object applyRestore(Command.Restore c) {
        try {
            restore(new java.io.ByteArrayInputStream(c.snapshot() == null ? new byte[0] : c.snapshot()));
            return Boolean.TRUE;
        } catch (java.io.IOException e) {
            return new ApplyError("Invalid snapshot: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ catalog

    /** Validates everything first (catalog rows have no undo log), then writes. */
    private Object applyRegister(Tx tx, Command.CatalogRegister c) {
        Node n = c.node();
        if (n == null || n.node() == null || n.node().isEmpty()) {
            return new ApplyError("Must provide node");
        }
        String node = n.node();
        boolean nodeExists = catalog.nodes.containsKey(node);
        List<HealthCheck> checks = c.checks() == null ? List.of() : c.checks();
        for (HealthCheck hc : checks) {
            if (hc.checkId().isEmpty()) {
                return new ApplyError("Missing check ID");
            }
            if (!hc.node().isEmpty() && !hc.node().equals(node)) {
                return new ApplyError("Check node '" + hc.node() + "' does not match node '" + node + "'");
            }
            if (!hc.serviceId().isEmpty()) {
                boolean inRequest = c.service() != null && c.service().id().equals(hc.serviceId());
                Map<String, NodeService> onNode = catalog.services.get(node);
                if (!inRequest && (onNode == null || !onNode.containsKey(hc.serviceId()))) {
                    return new ApplyError("Missing service registration");
                }
            }
        }
        if (c.service() != null && c.service().service().isEmpty()) {
            return new ApplyError("Must provide service name");
        }
        if (!c.skipNodeUpdate() || !nodeExists) {
            catalog.ensureNode(tx, n);
        }
        if (c.service() != null) {
            catalog.ensureService(tx, node, c.service());
        }
        for (HealthCheck hc : checks) {
            HealthCheck next = hc.node().equals(node) ? hc : new HealthCheck(node, hc.checkId(), hc.name(), hc.status(),
                    hc.notes(), hc.output(), hc.serviceId(), hc.serviceName(), hc.serviceTags(), hc.type(), hc.interval(),
                    hc.timeout(), hc.exposedPort(), hc.definition(), 0, 0);
            catalog.ensureCheck(tx, next);
            // As Consul's ensureCheckTxn: every write of a critical check ends the sessions that depend
            // on it, not only a passing-to-critical flip. Session create does not (yet) refuse a check
            // that is already critical, so a flip-only rule would let such a session live on.
            if (HealthCheck.CRITICAL.equals(next.status())) {
                invalidateSessionsOfCheck(tx, node, next.checkId());
            }
        }
        return Boolean.TRUE;
    }

    private Object applyDeregister(Tx tx, Command.CatalogDeregister c) {
        if (c.node() == null || c.node().isEmpty()) {
            return new ApplyError("Must provide node");
        }
        List<HealthCheck> removed;
        // Consul's precedence (fsm applyDeregister): a service ID wins over a check ID.
        if (c.serviceId() != null && !c.serviceId().isEmpty()) {
            removed = catalog.removeService(tx, c.node(), c.serviceId());
        } else if (c.checkId() != null && !c.checkId().isEmpty()) {
            HealthCheck old = catalog.removeCheck(tx, c.node(), c.checkId());
            removed = old == null ? List.of() : List.of(old);
        } else {
            removed = catalog.removeNode(tx, c.node());
            coordinates.removeNode(tx, c.node());
            for (SessionEntry s : sessions.byNode(c.node())) {
                invalidate(tx, s);
            }
        }
        for (HealthCheck hc : removed) {
            invalidateSessionsOfCheck(tx, c.node(), hc.checkId());
        }
        return Boolean.TRUE;
    }

    /** Sessions that depend on a check die with it (critical or removed), as in Consul. */
    private void invalidateSessionsOfCheck(Tx tx, String node, String checkId) {
        for (SessionEntry s : sessions.byNode(node)) {
            boolean depends = s.nodeChecks() != null && s.nodeChecks().contains(checkId);
            if (!depends && s.serviceChecks() != null) {
                for (SessionEntry.ServiceCheck sc : s.serviceChecks()) {
                    depends |= checkId.equals(sc.id());
                }
            }
            if (depends) {
                invalidate(tx, s);
            }
        }
    }

    private void invalidate(Tx tx, SessionEntry s) {
        if (sessions.get(s.id()) == null) {
            return;
        }
        tx.invalidated.add(Map.entry(s, sessions.heldKeys(s.id())));
        applySessionDestroy(tx, s.id());
    }

    /** Told (after the write lock is released) about sessions that apply invalidated on its own. */
    public interface InvalidationListener {
        void invalidated(SessionEntry session, List<String> heldKeys);
    }

    /** Sets the listener for sessions invalidated by catalog changes (the leader arms lock-delay with it). */
    public void onInvalidation(InvalidationListener l) {
        this.invalidationListener = l;
    }

    private Object applyTxn(Tx tx, Command.Txn c) {
        tx.time = c.time();
        TxnOutcome out;
        try {
            out = runTxn(tx, c.ops());
        } finally {
            tx.time = 0;
        }
        if (!out.committed()) {
            tx.rollback(kv, sessions);
        }
        return out;
    }

    /** Runs every op; collects all errors like Consul does, and the caller rolls back if there are any. */
    private TxnOutcome runTxn(Tx tx, List<Command.Kv> ops) {
        List<KvPair> results = new ArrayList<>();
        List<TxnResponse.Error> errors = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Command.Kv op = ops.get(i);
            String key = op.key() == null ? "" : op.key();
            String err = null;
            switch (op.verb()) {
                case GET -> {
                    KvPair e = kv.get(key);
                    if (e == null) {
                        err = "key \"" + key + "\" doesn't exist";
                    } else {
                        results.add(e);
                    }
                }
                case GET_TREE -> results.addAll(kv.list(key));
                case CHECK_INDEX -> {
                    KvPair e = kv.get(key);
                    if (e == null) {
                        err = "failed to check index, key \"" + key + "\" doesn't exist";
                    } else if (e.modifyIndex() != op.index()) {
                        err = "failed index check for key \"" + key + "\", current modify index " + e.modifyIndex()
                                + " != " + op.index();
                    } else {
                        results.add(e.withoutValue());
                    }
                }
                case CHECK_SESSION -> {
                    KvPair e = kv.get(key);
                    String want = op.session() == null ? "" : op.session();
                    String have = e == null || e.session() == null ? "" : e.session();
                    if (e == null) {
                        err = "failed to check session, key \"" + key + "\" doesn't exist";
                    } else if (!have.equals(want)) {
                        err = "failed session check for key \"" + key + "\", current session \"" + have + "\" != \"" + want + "\"";
                    } else {
                        results.add(e.withoutValue());
                    }
                }
                case CHECK_NOT_EXISTS -> {
                    if (kv.get(key) != null) {
                        err = "key \"" + key + "\" exists";
                    }
                }
                default -> {
                    Object r = kvWrite(tx, op);
                    if (r instanceof ApplyError ae) {
                        err = ae.message();
                    } else if (Boolean.FALSE.equals(r)) {
                        err = switch (op.verb()) {
                            case CAS -> "failed to set key \"" + key + "\", index is stale";
                            case LOCK -> "failed to lock key \"" + key + "\", lock is already held";
                            case UNLOCK -> "failed to unlock key \"" + key + "\", lock isn't held, or is held by another session";
                            case DELETE_CAS -> "failed to delete key \"" + key + "\", index is stale";
                            default -> "failed to apply " + op.verb().wire() + " to key \"" + key + "\"";
                        };
                    } else if (op.verb() == KvVerb.SET || op.verb() == KvVerb.CAS || op.verb() == KvVerb.LOCK
                            || op.verb() == KvVerb.UNLOCK) {
                        results.add(kv.get(key).withoutValue());
                    }
                }
            }
            if (err != null) {
                errors.add(new TxnResponse.Error(i, err));
            }
        }
        return errors.isEmpty() ? new TxnOutcome(results, null) : new TxnOutcome(null, errors);
    }

    // ------------------------------------------------------------------ reads

    private long kvTableIndex() {
        return Math.max(1, kv.index);
    }

    /**
     * The index of a listing: the highest under the prefix (tombstones included), or the table's when
     * nothing is there. Listing everything uses the table index, as Consul does, because reaped
     * tombstones would otherwise let the index of {@code ""} go backwards.
     */
    private long listIndex(String prefix) {
        long idx = prefix.isEmpty() ? 0 : kv.prefixIndex(prefix);
        return idx == 0 ? kvTableIndex() : idx;
    }

    /** One key; the index is its ModifyIndex, or the KV table index when it does not exist. */
    public Read<KvPair> kvGet(WatchSet ws, String key) {
        lock.readLock().lock();
        try {
            ws.watchKey(key);
            KvPair e = kv.get(key);
            return new Read<>(e, e != null ? e.modifyIndex() : kvTableIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Keeps the last {@code n} versions of every key from now on (0, the default of a bare store:
     * none). Every server must use the same value; set it before the first apply.
     */
    public void kvHistoryVersions(int n) {
        kv.history.limit(n);
    }

    /** The key's last versions, newest first; the index is the newest one's, or the KV table's. */
    public Read<List<io.roster.api.KvVersion>> kvHistory(WatchSet ws, String key) {
        lock.readLock().lock();
        try {
            List<io.roster.api.KvVersion> v = kv.history.versions(ws, key);
            return new Read<>(v, v.isEmpty() ? kvTableIndex() : v.getFirst().modifyIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every entry under a prefix; the index is the highest under it (tombstones included) or the table's. */
    public Read<List<KvPair>> kvList(WatchSet ws, String prefix) {
        lock.readLock().lock();
        try {
            ws.watchPrefix(prefix);
            return new Read<>(kv.list(prefix), listIndex(prefix));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Key names under a prefix, folded at {@code separator} when given. */
    public Read<List<String>> kvKeys(WatchSet ws, String prefix, String separator) {
        lock.readLock().lock();
        try {
            ws.watchPrefix(prefix);
            return new Read<>(kv.keys(prefix, separator), listIndex(prefix));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs a transaction made only of read verbs, without replication. */
    public Read<TxnOutcome> txnRead(List<Command.Kv> ops) {
        for (Command.Kv op : ops) {
            if (op.verb().isWrite()) {
                throw new IllegalArgumentException("txnRead given a write verb " + op.verb().wire());
            }
        }
        lock.readLock().lock();
        try {
            return new Read<>(runTxn(new Tx(lastIndex, kv, sessions), ops), kvTableIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    private long sessionIndex() {
        return Math.max(1, sessions.index);
    }

    public Read<SessionEntry> session(WatchSet ws, String id) {
        lock.readLock().lock();
        try {
            ws.watchTopic(TOPIC_SESSIONS);
            return new Read<>(sessions.get(id), sessionIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    public Read<List<SessionEntry>> sessions(WatchSet ws) {
        lock.readLock().lock();
        try {
            ws.watchTopic(TOPIC_SESSIONS);
            return new Read<>(sessions.list(), sessionIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    public Read<List<SessionEntry>> sessionsByNode(WatchSet ws, String node) {
        lock.readLock().lock();
        try {
            ws.watchTopic(TOPIC_SESSIONS);
            return new Read<>(sessions.byNode(node), sessionIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ catalog reads

    /** A node and the service instances on it. */
    public record NodeInfo(Node node, List<NodeService> services) {
    }

    public Read<List<Node>> nodes(WatchSet ws) {
        return nodes(ws, Map.of());
    }

    /** The nodes whose meta has every pair of {@code meta} (all nodes when empty), by name; from the node-meta index. */
    public Read<List<Node>> nodes(WatchSet ws, Map<String, String> meta) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.TOPIC_NODES);
            return new Read<>(catalog.nodesWithMeta(meta), Math.max(1, catalog.nodesIndex));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Service names with the union of their instances' tags. */
    public Read<Map<String, List<String>>> serviceNames(WatchSet ws) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.TOPIC_SERVICES);
            return new Read<>(catalog.serviceNames(), Math.max(1, Math.max(catalog.servicesIndex, catalog.nodesIndex)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * What {@link #catalogService}, {@link #serviceHealth} and {@link #serviceChecks} watch, and the
     * index they report, without reading any instance (a blocking query's cheap probe).
     */
    public long serviceIndex(WatchSet ws, String name) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.svcTopic(name));
            return catalog.indexOfService(name);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What {@link #serviceNames} watches and the index it reports, without listing anything. */
    public long serviceNamesIndex(WatchSet ws) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.TOPIC_SERVICES);
            return Math.max(1, Math.max(catalog.servicesIndex, catalog.nodesIndex));
        } finally {
            lock.readLock().unlock();
        }
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
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.svcTopic(name));
            return new Read<>(catalog.catalogServices(name, tags, meta), catalog.indexOfService(name));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Instances of a service with their nodes and every check of both, for {@code /v1/health/service/<name>}. */
    public Read<List<io.roster.api.ServiceEntry>> serviceHealth(WatchSet ws, String name) {
        return serviceHealth(ws, name, List.of(), Map.of());
    }

    /** {@link #serviceHealth(WatchSet, String)} narrowed by tags and node meta through the indexes. */
    public Read<List<io.roster.api.ServiceEntry>> serviceHealth(WatchSet ws, String name, List<String> tags,
                                                                Map<String, String> meta) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.svcTopic(name));
            return new Read<>(catalog.serviceEntries(name, tags, meta), catalog.indexOfService(name));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The checks of every instance of a service. */
    public Read<List<HealthCheck>> serviceChecks(WatchSet ws, String name) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.svcTopic(name));
            return new Read<>(catalog.checksOfService(name), catalog.indexOfService(name));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One node and its services; the value is null when the node is unknown. */
    public Read<NodeInfo> node(WatchSet ws, String name) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.nodeTopic(name));
            Node n = catalog.node(name);
            return new Read<>(n == null ? null : new NodeInfo(n, catalog.servicesOf(name)), catalog.indexOfNode(name));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every check of a node (node-level and service checks). */
    public Read<List<HealthCheck>> nodeChecks(WatchSet ws, String name) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.nodeTopic(name));
            return new Read<>(catalog.checksOf(name), catalog.indexOfNode(name));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Checks in a state ({@code passing}, {@code warning}, {@code critical}) or all of them ({@code any}). */
    public Read<List<HealthCheck>> checksInState(WatchSet ws, String state) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CatalogTable.TOPIC_CHECKS);
            return new Read<>(catalog.checksInState(state), Math.max(1, catalog.checksIndex));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Catalog rows (nodes, instances, checks, index entries) that reads have looked at so far: a read's cost, for tests and metrics. */
    public long catalogRowsTouched() {
        return catalog.rowsTouched();
    }

    // ------------------------------------------------------------------ prepared query and coordinate reads

    private long queriesIndex() {
        return Math.max(1, queries.index);
    }

    /** Every prepared query, by ID. */
    public Read<List<io.roster.api.PreparedQuery>> preparedQueries(WatchSet ws) {
        lock.readLock().lock();
        try {
            ws.watchTopic(QueryTable.TOPIC);
            return new Read<>(queries.list(), queriesIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One prepared query by ID; null when there is none. The index is the table's, as Consul's. */
    public Read<io.roster.api.PreparedQuery> preparedQuery(WatchSet ws, String id) {
        lock.readLock().lock();
        try {
            ws.watchTopic(QueryTable.TOPIC);
            return new Read<>(queries.get(id), queriesIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The stored query an execute names: by ID, else by exact name (case-insensitive), else the
     * template with the longest matching name prefix; null when none. Rendering is the caller's.
     */
    public Read<io.roster.api.PreparedQuery> resolvePreparedQuery(WatchSet ws, String idOrName) {
        lock.readLock().lock();
        try {
            ws.watchTopic(QueryTable.TOPIC);
            return new Read<>(queries.resolve(idOrName), queriesIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    private long coordinatesIndex() {
        return Math.max(1, coordinates.index);
    }

    /** Every node's coordinates (by node, then segment). */
    public Read<List<io.roster.api.Coordinate.Entry>> coordinates(WatchSet ws) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CoordinateTable.TOPIC);
            return new Read<>(coordinates.list(), coordinatesIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One node's coordinates (one per segment), empty when it has none. */
    public Read<List<io.roster.api.Coordinate.Entry>> coordinatesOf(WatchSet ws, String node) {
        lock.readLock().lock();
        try {
            ws.watchTopic(CoordinateTable.TOPIC);
            return new Read<>(coordinates.ofNode(node), coordinatesIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The keys a session holds now (the leader uses this to arm lock-delay on invalidation). */
    public List<String> keysHeldBy(String sessionId) {
        lock.readLock().lock();
        try {
            return sessions.heldKeys(sessionId);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ snapshot

    /** Writes the whole store to {@code out} in the versioned snapshot format (see {@link Snapshot}). */
    public void snapshot(java.io.OutputStream out) throws java.io.IOException {
        lock.readLock().lock();
        try {
            Snapshot.write(this, lastIndex, out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaces the whole store with a snapshot. Everything is parsed before anything is replaced, so
     * a corrupt snapshot leaves the store untouched. Wakes every watcher.
     */
    public void restore(java.io.InputStream in) throws java.io.IOException {
        Snapshot.Contents c = Snapshot.read(in);
        lock.writeLock().lock();
        try {
            kv.entries.clear();
            kv.tombstones.clear();
            // Clears the held-keys index too: a stale entry would let a destroy touch keys it no longer holds.
            sessions.clear();
            Tx tx = new Tx(c.index(), kv, sessions);
            for (SessionEntry s : c.sessions()) {
                sessions.byId.put(s.id(), s);
            }
            for (KvPair e : c.kv()) {
                kv.entries.put(e.key(), e);
                sessions.keyHolderChanged(e.key(), null, e.session());
            }
            kv.tombstones.putAll(c.tombstones());
            kv.history.restore(c.kvVersions());
            catalog.clear();
            for (Node n : c.nodes()) {
                catalog.nodes.put(n.node(), n);
            }
            for (Snapshot.ServiceRow r : c.services()) {
                catalog.services.computeIfAbsent(r.node(), k -> new java.util.TreeMap<>()).put(r.service().id(), r.service());
            }
            for (HealthCheck hc : c.checks()) {
                catalog.checks.computeIfAbsent(hc.node(), k -> new java.util.TreeMap<>()).put(hc.checkId(), hc);
            }
            catalog.serviceIndex.putAll(c.serviceIndexes());
            catalog.nodeIndex.putAll(c.nodeIndexes());
            catalog.nodesIndex = c.nodesIndex();
            catalog.servicesIndex = c.servicesIndex();
            catalog.checksIndex = c.checksIndex();
            catalog.reindex();
            queries.clear();
            for (io.roster.api.PreparedQuery q : c.queries()) {
                queries.restoreRow(q);
            }
            queries.index = c.queriesIndex();
            coordinates.clear();
            for (io.roster.api.Coordinate.Entry e : c.coordinates()) {
                coordinates.byNode.computeIfAbsent(e.node(), k -> new java.util.TreeMap<>()).put(e.segment(), e.coord());
            }
            coordinates.index = c.coordinatesIndex();
            acl.restore(c.acl());
            kv.index = c.kvIndex();
            sessions.index = c.sessionIndex();
            lastIndex = c.index();
            tx.changes.clear();
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
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.io.OutputStream sink = new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md);
            snapshot(sink);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
