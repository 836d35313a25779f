package io.roster.state;

import io.roster.api.KvPair;
import io.roster.api.KvVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * The last versions of every KV key (a Roster extension; Nacos keeps config history, Consul does
 * not). Recorded as a side effect of KV apply: every row write ({@code set}, {@code cas}, lock,
 * unlock, a release by a dying session) and every delete leaves a version, so no command records
 * history and a failed {@code /v1/txn} takes its versions back with the rest ({@link Tx#onRollback}).
 *
 * <p>History survives a delete (the delete is a version with {@code Deleted} true) until the key's
 * tombstone is reaped; a key written again continues its history. At most {@link #limit()} versions
 * are kept per key (0: none recorded); a smaller limit trims a key at its next write. The limit is
 * part of what apply does, so every server of a cluster must run with the same
 * {@code kv_history_versions}, as with any setting that shapes the replicated state.
 *
 * <p>Reads, watches (the key's own watch: history changes exactly when the key does), snapshot rows
 * and restore are here; callers hold the store's lock.
 */
final class KvHistoryTable {
    /** The default of {@code kv_history_versions}. */
    static final int DEFAULT_LIMIT = 10;

    /** Oldest first. */
    private final TreeMap<String, ArrayDeque<KvVersion>> byKey = new TreeMap<>();
    private volatile int limit;

    KvHistoryTable(int limit) {
        limit(limit);
    }

    int limit() {
        return limit;
    }

    void limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("kv_history_versions must be 0 or more, not " + n);
        }
        limit = n;
    }

    // ---- writes ----

    /** Records the row a write left ({@code next}), or a delete of {@code key} when it is null. */
    void record(Tx tx, String key, KvPair next) {
        int max = limit;
        if (max == 0) {
            return;
        }
        KvVersion v = next == null ? KvVersion.deletedAt(key, tx.index, tx.time) : KvVersion.of(next, tx.time);
        ArrayDeque<KvVersion> versions = byKey.get(key);
        boolean created = versions == null;
        if (created) {
            versions = new ArrayDeque<>();
            byKey.put(key, versions);
        }
        versions.addLast(v);
        List<KvVersion> trimmed = new ArrayList<>();
        while (versions.size() > max) {
            trimmed.add(versions.removeFirst());
        }
        ArrayDeque<KvVersion> mine = versions;
        tx.onRollback(() -> {
            mine.removeLast();
            for (int i = trimmed.size() - 1; i >= 0; i--) {
                mine.addFirst(trimmed.get(i));
            }
            if (created) {
                byKey.remove(key);
            }
        });
    }

    /** The key's tombstone was reaped: its history goes with it. */
    void forget(String key) {
        byKey.remove(key);
    }

    void clear() {
        byKey.clear();
    }

    // ---- reads ----

    /** The key's versions, newest first; empty when it has none. */
    List<KvVersion> versions(WatchSet ws, String key) {
        ws.watchKey(key);
        ArrayDeque<KvVersion> versions = byKey.get(key);
        if (versions == null) {
            return List.of();
        }
        List<KvVersion> out = new ArrayList<>(versions.size());
        for (Iterator<KvVersion> it = versions.descendingIterator(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    // ---- snapshot ----

    /** Every version, in key order and oldest first within a key: the snapshot's {@code KvVersion} rows. */
    List<KvVersion> rows() {
        List<KvVersion> out = new ArrayList<>();
        for (ArrayDeque<KvVersion> versions : byKey.values()) {
            out.addAll(versions);
        }
        return out;
    }

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (KvVersion v : rows()) {
            out.row(Snapshot.Row.kvVersion(v));
        }
    }

    /** Replaces the whole table with snapshot rows (as {@link #rows()} wrote them). */
    void restore(List<KvVersion> rows) {
        byKey.clear();
        for (KvVersion v : rows) {
            byKey.computeIfAbsent(v.key(), k -> new ArrayDeque<>()).addLast(v);
        }
    }
}
