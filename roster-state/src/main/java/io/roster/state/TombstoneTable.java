package io.roster.state;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tombstones of deleted KV keys (Consul's graveyard): the index at which each key was last
 * deleted, so that the index of a prefix listing does not go backwards after a delete. Written only
 * by {@link KvTable} as part of a row write, reaped by a {@code TombstoneReap} the leader decides.
 * Snapshot rows and their restore are here; callers hold the store's lock.
 */
final class TombstoneTable {
    private final TreeMap<String, Long> byKey = new TreeMap<>();

    /** Records a delete of {@code key} at {@code index}; returns the tombstone it replaced. */
    Long put(String key, long index) {
        return byKey.put(key, index);
    }

    /** Removes the tombstone of a key written again; returns it. */
    Long remove(String key) {
        return byKey.remove(key);
    }

    /** Puts a tombstone back as it was before a rolled-back write ({@code null}: none). */
    void restoreRow(String key, Long index) {
        if (index == null) {
            byKey.remove(key);
        } else {
            byKey.put(key, index);
        }
    }

    /** The highest tombstone index under {@code prefix}; 0 when there is none. */
    long prefixIndex(String prefix) {
        long max = 0;
        for (Map.Entry<String, Long> t : KvTable.withPrefix(byKey, prefix).entrySet()) {
            if (t.getKey().startsWith(prefix)) {
                max = Math.max(max, t.getValue());
            }
        }
        return max;
    }

    /** Forgets the tombstones at or below {@code upTo}; returns their keys, in order. */
    List<String> reap(long upTo) {
        List<String> reaped = new ArrayList<>();
        var it = byKey.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> t = it.next();
            if (t.getValue() <= upTo) {
                it.remove();
                reaped.add(t.getKey());
            }
        }
        return reaped;
    }

    // ---- snapshot ----

    void snapshot(Snapshot.Sink out) throws IOException {
        for (Map.Entry<String, Long> t : byKey.entrySet()) {
            out.row(Snapshot.Row.tombstone(new Snapshot.Tombstone(t.getKey(), t.getValue())));
        }
    }

    /** Replaces every tombstone with restored ones (no undo, no watch: restore wakes everyone). */
    void restore(Map<String, Long> rows) {
        byKey.clear();
        byKey.putAll(rows);
    }
}
