package io.roster.state;

import io.roster.api.KvPair;
import java.util.ArrayList;
import java.util.List;

/**
 * An open write transaction at one log index: it records what changed (to wake watchers) and how to
 * undo it (so a failed {@code /v1/txn} leaves no trace). Only used under the store's write lock.
 */
final class Tx {
    final long index;
    /** The wall-clock time the command being applied carries (epoch ms), 0 when none: recorded in KV history. */
    long time;
    final Changes changes = new Changes();
    /** Sessions this apply invalidated by itself (check went critical, node removed), with the keys they held. */
    final List<java.util.Map.Entry<io.roster.api.SessionEntry, List<String>>> invalidated = new ArrayList<>();
    private final List<Undo> undo = new ArrayList<>();
    /** Undo steps of the tables that keep their own (prepared queries, coordinates), run newest first. */
    private final List<Runnable> undoSteps = new ArrayList<>();
    private final long kvIndexBefore;
    private final long sessionIndexBefore;

    private record Undo(String key, KvPair entry, Long tombstone, boolean session, io.roster.api.SessionEntry sessionEntry) {
    }

    Tx(long index, KvTable kv, SessionTable sessions) {
        this.index = index;
        this.kvIndexBefore = kv.index;
        this.sessionIndexBefore = sessions.index;
    }

    void savedKv(String key, KvPair previous, Long previousTombstone) {
        undo.add(new Undo(key, previous, previousTombstone, false, null));
    }

    void savedSession(String id, io.roster.api.SessionEntry previous) {
        undo.add(new Undo(id, null, null, true, previous));
    }

    /** Registers how to undo one change of a table that is not KV or sessions. */
    void onRollback(Runnable step) {
        undoSteps.add(step);
    }

    /** Restores every row this transaction touched, newest first. */
    void rollback(KvTable kv, SessionTable sessions) {
        for (int i = undoSteps.size() - 1; i >= 0; i--) {
            undoSteps.get(i).run();
        }
        undoSteps.clear();
        for (int i = undo.size() - 1; i >= 0; i--) {
            Undo u = undo.get(i);
            if (u.session) {
                sessions.restoreRow(u.key, u.sessionEntry);
            } else {
                kv.restoreRow(u.key, u.entry, u.tombstone);
            }
        }
        undo.clear();
        kv.index = kvIndexBefore;
        sessions.index = sessionIndexBefore;
        changes.clear();
        invalidated.clear();
    }
}
