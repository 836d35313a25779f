package io.roster.state;

import io.roster.api.KvPair;
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
    private volatile long lastIndex;

    /** A read's value and the index to report in {@code X-Consul-Index} (never 0). */
    public record Read<T>(T value, long index) {
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
        Tx tx;
        Object result;
        lock.writeLock().lock();
        try {
            // The Tx remembers the table indexes to roll back to, so it must be opened under the lock.
            tx = new Tx(index, kv, sessions);
            result = applyOrUndo(tx, command);
            lastIndex = Math.max(lastIndex, index);
        } finally {
            lock.writeLock().unlock();
        }
        tx.changes.fire(watches);
        return result;
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
        return kvWrite(tx, c);
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
        return Boolean.TRUE;
    }

    private Object applyTxn(Tx tx, Command.Txn c) {
        TxnOutcome out = runTxn(tx, c.ops());
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
            kv.index = c.kvIndex();
            sessions.index = c.sessionIndex();
            lastIndex = c.index();
            tx.changes.clear();
        } finally {
            lock.writeLock().unlock();
        }
        watches.treeChanged("");
        watches.topicChanged(TOPIC_SESSIONS);
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
