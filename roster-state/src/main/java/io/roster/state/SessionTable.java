package io.roster.state;

import io.roster.api.SessionEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sessions, and the index of which KV keys each session holds (so invalidation finds them without a
 * scan): their reads (watch topic {@link #TOPIC}, the table's index), create and destroy inside an
 * open {@link Tx} (a destroy releases or deletes the session's keys and removes the prepared queries
 * bound to it, as Consul's {@code sessionDestroyTxn}), invalidation by the catalog, and snapshot
 * rows. Callers hold the store's lock.
 */
final class SessionTable {
    /** Woken by any session change. */
    static final String TOPIC = "sessions";
    /** Sorted by ID, so snapshots are byte-for-byte deterministic. */
    private final TreeMap<String, SessionEntry> byId = new TreeMap<>();
    private final Map<String, Set<String>> held = new HashMap<>();
    /** The highest index at which any session was created or destroyed. */
    long index;

    SessionEntry get(String id) {
        return byId.get(id);
    }

    List<SessionEntry> list() {
        return new ArrayList<>(byId.values());
    }

    List<SessionEntry> byNode(String node) {
        List<SessionEntry> out = new ArrayList<>();
        for (SessionEntry s : byId.values()) {
            if (java.util.Objects.equals(s.node(), node)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The keys a session holds, sorted. */
    List<String> heldKeys(String id) {
        Set<String> keys = held.get(id);
        return keys == null ? List.of() : new ArrayList<>(keys);
    }

    void keyHolderChanged(String key, String before, String after) {
        if (before != null && !before.equals(after)) {
            Set<String> keys = held.get(before);
            if (keys != null) {
                keys.remove(key);
                if (keys.isEmpty()) {
                    held.remove(before);
                }
            }
        }
        if (after != null && !after.equals(before)) {
            held.computeIfAbsent(after, k -> new TreeSet<>()).add(key);
        }
    }

    void put(Tx tx, SessionEntry s) {
        tx.savedSession(s.id(), byId.put(s.id(), s));
        index = Math.max(index, tx.index);
        tx.changes.topic(TOPIC);
    }

    void remove(Tx tx, String id) {
        tx.savedSession(id, byId.remove(id));
        index = Math.max(index, tx.index);
        tx.changes.topic(TOPIC);
    }


    void restoreRow(String id, SessionEntry s) {
        if (s == null) {
            byId.remove(id);
        } else {
            byId.put(id, s);
        }
    }

    // ---- reads with their watches and index ----

    private long tableIndex() {
        return Math.max(1, index);
    }

    Store.Read<SessionEntry> get(WatchSet ws, String id) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(byId.get(id), tableIndex());
    }

    Store.Read<List<SessionEntry>> list(WatchSet ws) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(list(), tableIndex());
    }

    Store.Read<List<SessionEntry>> byNode(WatchSet ws, String node) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(byNode(node), tableIndex());
    }

    // ---- the apply switch's session operations ----

    /** {@code Command.SessionCreate}: the leader chose the ID and checked the TTL and the checks. */
    ApplyResult create(Tx tx, Command.SessionCreate c) {
        if (c.id() == null || c.id().isEmpty()) {
            return new ApplyError("Missing session ID");
        }
        if (byId.get(c.id()) != null) {
            return new ApplyError("Session ID already exists: " + c.id());
        }
        if (!SessionEntry.RELEASE.equals(c.behavior()) && !SessionEntry.DELETE.equals(c.behavior())) {
            return new ApplyError("Invalid Behavior setting '" + c.behavior() + "'");
        }
        put(tx, new SessionEntry(c.id(), c.name(), c.node(), c.lockDelay(), c.behavior(),
                c.ttl() == null ? "" : c.ttl(), List.copyOf(c.nodeChecks() == null ? List.of() : c.nodeChecks()),
                c.serviceChecks() == null || c.serviceChecks().isEmpty() ? null : List.copyOf(c.serviceChecks()),
                tx.index, tx.index));
        return new ApplyResult.SessionId(c.id());
    }

    /**
     * {@code Command.SessionDestroy}: releases (or, with behavior {@code delete}, deletes) the keys
     * the session holds and removes the prepared queries bound to it (Consul's
     * {@code sessionDeleteWithSession}). Destroying an unknown session is not an error.
     */
    ApplyResult destroy(Tx tx, String id, KvTable kv, QueryTable queries) {
        SessionEntry s = byId.get(id);
        if (s == null) {
            return ApplyResult.Bool.TRUE;
        }
        for (String key : heldKeys(id)) {
            if (SessionEntry.DELETE.equals(s.behavior())) {
                kv.delete(tx, key);
            } else {
                kv.releaseBySession(tx, key);
            }
        }
        remove(tx, id);
        for (String queryId : queries.ofSession(id)) {
            queries.remove(tx, queryId);
        }
        return ApplyResult.Bool.TRUE;
    }

    /** Sessions that depend on a check die with it (critical or removed), as in Consul. */
    void invalidateOnCheck(Tx tx, String node, String checkId, KvTable kv, QueryTable queries) {
        for (SessionEntry s : byNode(node)) {
            boolean depends = s.nodeChecks() != null && s.nodeChecks().contains(checkId);
            if (!depends && s.serviceChecks() != null) {
                for (SessionEntry.ServiceCheck sc : s.serviceChecks()) {
                    depends |= checkId.equals(sc.id());
                }
            }
            if (depends) {
                invalidate(tx, s, kv, queries);
            }
        }
    }

    /** The sessions of a node die with it. */
    void invalidateOnNode(Tx tx, String node, KvTable kv, QueryTable queries) {
        for (SessionEntry s : byNode(node)) {
            invalidate(tx, s, kv, queries);
        }
    }

    /** Destroys a session apply decided to end, and tells the Tx (the leader arms lock-delay on its keys). */
    private void invalidate(Tx tx, SessionEntry s, KvTable kv, QueryTable queries) {
        if (byId.get(s.id()) == null) {
            return;
        }
        tx.invalidated.add(Map.entry(s, heldKeys(s.id())));
        destroy(tx, s.id(), kv, queries);
    }

    // ---- snapshot ----

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (SessionEntry e : byId.values()) {
            out.row(Snapshot.Row.session(e));
        }
    }

    /**
     * Replaces every session with restored ones and sets the table's index. Clears the held-keys
     * index too (the KV rows' restore rebuilds it): a stale entry would let a destroy touch keys
     * it no longer holds.
     */
    void restore(List<SessionEntry> rows, long tableIndex) {
        byId.clear();
        held.clear();
        for (SessionEntry s : rows) {
            byId.put(s.id(), s);
        }
        index = tableIndex;
    }
}
