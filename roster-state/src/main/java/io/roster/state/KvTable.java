package io.roster.state;

import io.roster.api.KvPair;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The KV table and its tombstones (the graveyard that keeps prefix indexes from going backwards
 * after a delete). Each write verb has a package-private form that runs inside an open {@link Tx},
 * so single writes and {@code /v1/txn} share one implementation (Consul's {@code kvsSetTxn} pattern).
 * Callers hold the store's lock: reads the read lock, writes the write lock.
 */
final class KvTable {
    final TreeMap<String, KvPair> entries = new TreeMap<>();
    final TreeMap<String, Long> tombstones = new TreeMap<>();
    /** The highest index at which any KV row was written or deleted. */
    long index;
    /** The last versions of every key, recorded by {@link #setRow} (off until a limit is set). */
    final KvHistoryTable history = new KvHistoryTable(0);
    private final SessionTable sessions;

    KvTable(SessionTable sessions) {
        this.sessions = sessions;
    }

    // ---- reads ----

    KvPair get(String key) {
        return entries.get(key);
    }

    NavigableMap<String, KvPair> under(String prefix) {
        return withPrefix(entries, prefix);
    }

    /**
     * The part of a sorted map whose keys start with {@code prefix}: from the prefix up to (excluding)
     * the first string greater than every extension of it. An upper bound of the prefix followed by U+FFFF
     * would miss keys that continue with U+FFFF.
     */
    static <V> NavigableMap<String, V> withPrefix(NavigableMap<String, V> map, String prefix) {
        int end = prefix.length();
        while (end > 0 && prefix.charAt(end - 1) == Character.MAX_VALUE) {
            end--;
        }
        if (end == 0) {
            return prefix.isEmpty() ? map : map.tailMap(prefix, true);
        }
        String upper = prefix.substring(0, end - 1) + (char) (prefix.charAt(end - 1) + 1);
        return map.subMap(prefix, true, upper, false);
    }

    List<KvPair> list(String prefix) {
        List<KvPair> out = new ArrayList<>();
        for (KvPair e : under(prefix).values()) {
            if (e.key().startsWith(prefix)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Key names under {@code prefix}, folded after the first {@code separator} past the prefix. */
    List<String> keys(String prefix, String separator) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : under(prefix).keySet()) {
            if (!k.startsWith(prefix)) {
                continue;
            }
            if (separator != null && !separator.isEmpty()) {
                int at = k.indexOf(separator, prefix.length());
                if (at >= 0) {
                    out.add(k.substring(0, at + separator.length()));
                    continue;
                }
            }
            out.add(k);
        }
        return new ArrayList<>(out);
    }

    /** The highest index of a row or tombstone under {@code prefix}; 0 when there is none. */
    long prefixIndex(String prefix) {
        long max = 0;
        for (KvPair e : under(prefix).values()) {
            if (e.key().startsWith(prefix)) {
                max = Math.max(max, e.modifyIndex());
            }
        }
        for (Map.Entry<String, Long> t : withPrefix(tombstones, prefix).entrySet()) {
            if (t.getKey().startsWith(prefix)) {
                max = Math.max(max, t.getValue());
            }
        }
        return max;
    }

    // ---- writes (inside a Tx) ----

    /** Writes or removes one row, keeping tombstones, the held-lock index, undo and watches in step. */
    private void setRow(Tx tx, String key, KvPair next) {
        KvPair prev = next == null ? entries.remove(key) : entries.put(key, next);
        Long prevTomb = next == null ? tombstones.put(key, tx.index) : tombstones.remove(key);
        tx.savedKv(key, prev, prevTomb);
        sessions.keyHolderChanged(key, prev == null ? null : prev.session(), next == null ? null : next.session());
        index = Math.max(index, tx.index);
        history.record(tx, key, next);
        tx.changes.key(key);
    }

    /** Puts a row back as it was before a rolled-back transaction. */
    void restoreRow(String key, KvPair entry, Long tombstone) {
        KvPair current = entry == null ? entries.remove(key) : entries.put(key, entry);
        if (tombstone == null) {
            tombstones.remove(key);
        } else {
            tombstones.put(key, tombstone);
        }
        sessions.keyHolderChanged(key, current == null ? null : current.session(), entry == null ? null : entry.session());
    }

    boolean set(Tx tx, String key, byte[] value, long flags) {
        KvPair old = entries.get(key);
        byte[] v = value == null || value.length == 0 ? null : value;
        if (old != null && old.flags() == flags && java.util.Arrays.equals(old.value(), v)) {
            // Consul skips identical writes: no index bump, so no blocking query wakes for nothing.
            return true;
        }
        long create = old == null ? tx.index : old.createIndex();
        long lockIndex = old == null ? 0 : old.lockIndex();
        String session = old == null ? null : old.session();
        setRow(tx, key, new KvPair(lockIndex, key, flags, v, session, create, tx.index));
        return true;
    }

    boolean cas(Tx tx, String key, byte[] value, long flags, long casIndex) {
        KvPair old = entries.get(key);
        if (casIndex == 0 ? old != null : old == null || old.modifyIndex() != casIndex) {
            return false;
        }
        return set(tx, key, value, flags);
    }

    /** Acquires; {@code null} on success or refusal is in the boolean, an error string when the session is invalid. */
    Object lock(Tx tx, String key, byte[] value, long flags, String session) {
        if (session == null || session.isEmpty()) {
            return new ApplyError("missing session");
        }
        if (sessions.get(session) == null) {
            return new ApplyError("invalid session \"" + session + "\"");
        }
        KvPair old = entries.get(key);
        long lockIndex;
        long create;
        if (old != null) {
            if (session.equals(old.session())) {
                lockIndex = old.lockIndex();
            } else if (old.session() != null) {
                return Boolean.FALSE;
            } else {
                lockIndex = old.lockIndex() + 1;
            }
            create = old.createIndex();
        } else {
            lockIndex = 1;
            create = tx.index;
        }
        setRow(tx, key, new KvPair(lockIndex, key, flags, value, session, create, tx.index));
        return Boolean.TRUE;
    }

    Object unlock(Tx tx, String key, byte[] value, long flags, String session) {
        if (session == null || session.isEmpty()) {
            return new ApplyError("missing session");
        }
        KvPair old = entries.get(key);
        if (old == null || !session.equals(old.session())) {
            return Boolean.FALSE;
        }
        setRow(tx, key, new KvPair(old.lockIndex(), key, flags, value, null, old.createIndex(), tx.index));
        return Boolean.TRUE;
    }

    boolean delete(Tx tx, String key) {
        if (entries.containsKey(key)) {
            setRow(tx, key, null);
        }
        return true;
    }

    boolean deleteCas(Tx tx, String key, long casIndex) {
        KvPair old = entries.get(key);
        if (old == null) {
            return true;
        }
        if (old.modifyIndex() != casIndex) {
            return false;
        }
        setRow(tx, key, null);
        return true;
    }

    boolean deleteTree(Tx tx, String prefix) {
        List<String> doomed = new ArrayList<>();
        for (String k : under(prefix).keySet()) {
            if (k.startsWith(prefix)) {
                doomed.add(k);
            }
        }
        for (String k : doomed) {
            setRow(tx, k, null);
        }
        if (!doomed.isEmpty()) {
            tx.changes.tree(prefix);
        }
        return true;
    }

    /** Releases a lock held by an invalidated session (Consul bumps ModifyIndex on release). */
    void releaseBySession(Tx tx, String key) {
        KvPair old = entries.get(key);
        if (old != null) {
            setRow(tx, key, new KvPair(old.lockIndex(), key, old.flags(), old.value(), null, old.createIndex(), tx.index));
        }
    }

    /** Forgets tombstones at or below {@code upTo}. */
    int reap(long upTo) {
        int n = 0;
        var it = tombstones.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> t = it.next();
            if (t.getValue() <= upTo) {
                it.remove();
                if (!entries.containsKey(t.getKey())) {
                    history.forget(t.getKey());
                }
                n++;
            }
        }
        return n;
    }
}
