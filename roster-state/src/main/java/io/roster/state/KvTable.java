package io.roster.state;

import io.roster.api.KvPair;
import io.roster.api.TxnResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The KV table: its rows, its reads with the watches they register and the index they report, the
 * write verbs, {@code /v1/txn}'s KV operations, and its snapshot rows. A deleted key leaves a
 * tombstone ({@link TombstoneTable}) and every row write a version ({@link KvHistoryTable}).
 *
 * <p>Each write verb runs inside an open {@link Tx} at its index, so a single write
 * ({@link #apply}) and a transaction ({@link #txn}) share one implementation (Consul's
 * {@code KVSSet} / {@code kvsSetTxn}). Callers hold the store's lock: reads the read lock, writes
 * the write lock.
 *
 * <p>Reported index: a key's ModifyIndex; a listing's highest index under its prefix, tombstones
 * included. A read that finds nothing reports the table's index, which every KV write moves; a
 * blocking query's read then also watches the whole table ({@link #nothing}).
 */
final class KvTable {
    private final TreeMap<String, KvPair> entries = new TreeMap<>();
    final TombstoneTable tombstones = new TombstoneTable();
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
        return Math.max(max, tombstones.prefixIndex(prefix));
    }

    // ---- reads with their watches and index ----

    /** The table's index, never 0. */
    long tableIndex() {
        return Math.max(1, index);
    }

    /**
     * The index of a listing: the highest under the prefix (tombstones included), or the table's when
     * nothing is there. Listing everything uses the table index, as Consul does, because reaped
     * tombstones would otherwise let the index of {@code ""} go backwards.
     */
    private long listIndex(String prefix) {
        long idx = prefix.isEmpty() ? 0 : prefixIndex(prefix);
        return idx == 0 ? tableIndex() : idx;
    }

    /**
     * A read that found nothing (a missing key, an empty listing) answers with the KV table's index,
     * which every KV write moves, so it must also wake on every KV write, or a client stays parked on
     * an index that has already changed. Consul behaves so (it watches the nearest radix node of a
     * missing key or prefix, and answers with the table's index), and Spring Cloud Consul's config
     * watch depends on it: it long-polls its contexts one after another, most of them empty
     * ({@code config/application,default/}, ...), so an empty context that did not wake held back
     * the refresh of the next one for its whole 55 s wait. The read and the watch happen under one
     * read lock, so no write falls between them. With {@link Store.IfEmpty#WATCH_ASKED} a read
     * watches only what it asked for (the store's precise watches, as its tests pin them).
     */
    private static <T> Store.Read<T> nothing(WatchSet ws, Store.IfEmpty e, T value, long index) {
        if (e == Store.IfEmpty.WATCH_TABLE) {
            ws.watchPrefix("");
        }
        return new Store.Read<>(value, index);
    }

    /** One key; the index is its ModifyIndex, or the table's when it does not exist. */
    Store.Read<KvPair> get(WatchSet ws, Store.IfEmpty empty, String key) {
        ws.watchKey(key);
        KvPair e = entries.get(key);
        return e != null ? new Store.Read<>(e, e.modifyIndex()) : nothing(ws, empty, null, tableIndex());
    }

    /** Every entry under a prefix. */
    Store.Read<List<KvPair>> list(WatchSet ws, Store.IfEmpty empty, String prefix) {
        ws.watchPrefix(prefix);
        List<KvPair> l = list(prefix);
        return l.isEmpty() ? nothing(ws, empty, l, listIndex(prefix)) : new Store.Read<>(l, listIndex(prefix));
    }

    /** Key names under a prefix, folded at {@code separator} when given. */
    Store.Read<List<String>> keys(WatchSet ws, Store.IfEmpty empty, String prefix, String separator) {
        ws.watchPrefix(prefix);
        List<String> l = keys(prefix, separator);
        return l.isEmpty() ? nothing(ws, empty, l, listIndex(prefix)) : new Store.Read<>(l, listIndex(prefix));
    }

    /** The key's last versions, newest first; the index is the newest one's, or the table's. */
    Store.Read<List<io.roster.api.KvVersion>> history(WatchSet ws, Store.IfEmpty empty, String key) {
        List<io.roster.api.KvVersion> v = history.versions(ws, key);
        return v.isEmpty() ? nothing(ws, empty, v, tableIndex()) : new Store.Read<>(v, v.getFirst().modifyIndex());
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
        tombstones.restoreRow(key, tombstone);
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
    ApplyResult lock(Tx tx, String key, byte[] value, long flags, String session) {
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
                return ApplyResult.Bool.FALSE;
            } else {
                lockIndex = old.lockIndex() + 1;
            }
            create = old.createIndex();
        } else {
            lockIndex = 1;
            create = tx.index;
        }
        setRow(tx, key, new KvPair(lockIndex, key, flags, value, session, create, tx.index));
        return ApplyResult.Bool.TRUE;
    }

    ApplyResult unlock(Tx tx, String key, byte[] value, long flags, String session) {
        if (session == null || session.isEmpty()) {
            return new ApplyError("missing session");
        }
        KvPair old = entries.get(key);
        if (old == null || !session.equals(old.session())) {
            return ApplyResult.Bool.FALSE;
        }
        setRow(tx, key, new KvPair(old.lockIndex(), key, flags, value, null, old.createIndex(), tx.index));
        return ApplyResult.Bool.TRUE;
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

    /** Forgets tombstones at or below {@code upTo}, and the history of keys that are gone; returns how many. */
    ApplyResult.Count reap(long upTo) {
        List<String> reaped = tombstones.reap(upTo);
        for (String key : reaped) {
            if (!entries.containsKey(key)) {
                history.forget(key);
            }
        }
        return new ApplyResult.Count(reaped.size());
    }

    // ---- the apply switch's KV operations ----

    /** A single KV write ({@code Command.Kv}), at the Tx's index. */
    ApplyResult apply(Tx tx, Command.Kv c) {
        if (!c.verb().isWrite()) {
            return new ApplyError("verb " + c.verb().wire() + " is not a write");
        }
        tx.time = c.time();
        try {
            return write(tx, c);
        } finally {
            tx.time = 0;
        }
    }

    /** The write verbs, shared by single writes and transactions. */
    private ApplyResult write(Tx tx, Command.Kv c) {
        return switch (c.verb()) {
            case SET -> ApplyResult.Bool.of(set(tx, c.key(), c.value(), c.flags()));
            case CAS -> ApplyResult.Bool.of(cas(tx, c.key(), c.value(), c.flags(), c.index()));
            case LOCK -> lock(tx, c.key(), c.value(), c.flags(), c.session());
            case UNLOCK -> unlock(tx, c.key(), c.value(), c.flags(), c.session());
            case DELETE -> ApplyResult.Bool.of(delete(tx, c.key()));
            case DELETE_CAS -> ApplyResult.Bool.of(deleteCas(tx, c.key(), c.index()));
            case DELETE_TREE -> ApplyResult.Bool.of(deleteTree(tx, c.key()));
            default -> new ApplyError("verb " + c.verb().wire() + " is not a write");
        };
    }

    /** A {@code /v1/txn} ({@code Command.Txn}): every op at the Tx's index; rolled back (by the caller's Tx) when one fails. */
    TxnOutcome applyTxn(Tx tx, Command.Txn c) {
        tx.time = c.time();
        try {
            return txn(tx, c.ops());
        } finally {
            tx.time = 0;
        }
    }

    /** Runs every op; collects all errors like Consul does, and the caller rolls back if there are any. */
    TxnOutcome txn(Tx tx, List<Command.Kv> ops) {
        List<KvPair> results = new ArrayList<>();
        List<TxnResponse.Error> errors = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Command.Kv op = ops.get(i);
            String key = op.key() == null ? "" : op.key();
            String err = null;
            switch (op.verb()) {
                case GET -> {
                    KvPair e = get(key);
                    if (e == null) {
                        err = "key \"" + key + "\" doesn't exist";
                    } else {
                        results.add(e);
                    }
                }
                case GET_TREE -> results.addAll(list(key));
                case CHECK_INDEX -> {
                    KvPair e = get(key);
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
                    KvPair e = get(key);
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
                    if (get(key) != null) {
                        err = "key \"" + key + "\" exists";
                    }
                }
                default -> {
                    ApplyResult r = write(tx, op);
                    if (r instanceof ApplyError ae) {
                        err = ae.message();
                    } else if (ApplyResult.Bool.FALSE.equals(r)) {
                        err = switch (op.verb()) {
                            case CAS -> "failed to set key \"" + key + "\", index is stale";
                            case LOCK -> "failed to lock key \"" + key + "\", lock is already held";
                            case UNLOCK -> "failed to unlock key \"" + key + "\", lock isn't held, or is held by another session";
                            case DELETE_CAS -> "failed to delete key \"" + key + "\", index is stale";
                            default -> "failed to apply " + op.verb().wire() + " to key \"" + key + "\"";
                        };
                    } else if (op.verb() == KvVerb.SET || op.verb() == KvVerb.CAS || op.verb() == KvVerb.LOCK
                            || op.verb() == KvVerb.UNLOCK) {
                        results.add(get(key).withoutValue());
                    }
                }
            }
            if (err != null) {
                errors.add(new TxnResponse.Error(i, err));
            }
        }
        return errors.isEmpty() ? new TxnOutcome(results, null) : new TxnOutcome(null, errors);
    }

    // ---- snapshot ----

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (KvPair e : entries.values()) {
            out.row(Snapshot.Row.kv(e));
        }
    }

    /**
     * Replaces every row with restored ones and sets the table's index; the sessions' held-keys
     * index is rebuilt from the rows' sessions (restore the sessions first). No undo, no watch:
     * restore wakes everyone.
     */
    void restore(List<KvPair> rows, long tableIndex) {
        entries.clear();
        for (KvPair e : rows) {
            entries.put(e.key(), e);
            sessions.keyHolderChanged(e.key(), null, e.session());
        }
        index = tableIndex;
    }
}
