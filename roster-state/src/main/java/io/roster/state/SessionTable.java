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
 * scan). Callers hold the store's lock.
 */
final class SessionTable {
    /** Sorted by ID, so snapshots are byte-for-byte deterministic. */
    final TreeMap<String, SessionEntry> byId = new TreeMap<>();
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
        tx.changes.topic(Store.TOPIC_SESSIONS);
    }

    void remove(Tx tx, String id) {
        tx.savedSession(id, byId.remove(id));
        index = Math.max(index, tx.index);
        tx.changes.topic(Store.TOPIC_SESSIONS);
    }

    /** Empties the table and the held-keys index (before a snapshot restore). */
    void clear() {
        byId.clear();
        held.clear();
    }

    void restoreRow(String id, SessionEntry s) {
        if (s == null) {
            byId.remove(id);
        } else {
            byId.put(id, s);
        }
    }
}
