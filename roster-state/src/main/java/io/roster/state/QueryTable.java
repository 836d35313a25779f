package io.roster.state;

import io.roster.api.PreparedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Prepared queries, by ID, with a case-insensitive name index (as Consul's {@code prepared-queries}
 * table). Callers hold the store's lock. Every write registers its undo on the {@link Tx}, so a
 * rolled-back command leaves no trace here either. Watch topic: {@link #TOPIC}.
 */
final class QueryTable {
    /** Woken by any prepared-query change. */
    static final String TOPIC = "prepared-queries";
    private static final Pattern UUID = Pattern.compile(
            "(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    /** Sorted by ID, so snapshots are byte-for-byte deterministic. */
    private final TreeMap<String, PreparedQuery> byId = new TreeMap<>();
    /** Lower-cased name to ID, for named queries (templates with a name included). */
    private final Map<String, String> byName = new TreeMap<>();
    /** The highest index at which any query was written or deleted. */
    long index;

    static boolean isUuid(String s) {
        return s != null && s.length() == 36 && UUID.matcher(s).matches();
    }

    static boolean isTemplate(PreparedQuery q) {
        return !q.template().type().isEmpty();
    }

    PreparedQuery get(String id) {
        return byId.get(id);
    }

    PreparedQuery byName(String name) {
        String id = byName.get(name.toLowerCase(Locale.ROOT));
        return id == null ? null : byId.get(id);
    }

    List<PreparedQuery> list() {
        return new ArrayList<>(byId.values());
    }

    /**
     * Consul's resolution order: an ID (when the text looks like one), then an exact name, then the
     * template whose name is the longest prefix of the text (an empty-named template matches anything).
     */
    PreparedQuery resolve(String idOrName) {
        if (isUuid(idOrName)) {
            PreparedQuery q = byId.get(idOrName);
            if (q != null) {
                return q;
            }
        }
        PreparedQuery named = byName(idOrName);
        if (named != null) {
            return named;
        }
        PreparedQuery best = null;
        String lower = idOrName.toLowerCase(Locale.ROOT);
        for (PreparedQuery q : byId.values()) {
            if (isTemplate(q) && lower.startsWith(q.name().toLowerCase(Locale.ROOT))
                    && (best == null || q.name().length() > best.name().length())) {
                best = q;
            }
        }
        return best;
    }

    /** Inserts or replaces a query (already validated by the caller). */
    void put(Tx tx, PreparedQuery q) {
        PreparedQuery before = byId.put(q.id(), q);
        if (before != null && !before.name().isEmpty()) {
            byName.remove(before.name().toLowerCase(Locale.ROOT));
        }
        if (!q.name().isEmpty()) {
            byName.put(q.name().toLowerCase(Locale.ROOT), q.id());
        }
        touched(tx, q.id(), before);
    }

    /** Removes a query; false when there was none. */
    boolean remove(Tx tx, String id) {
        PreparedQuery before = byId.remove(id);
        if (before == null) {
            return false;
        }
        if (!before.name().isEmpty()) {
            byName.remove(before.name().toLowerCase(Locale.ROOT));
        }
        touched(tx, id, before);
        return true;
    }

    /** The IDs of the queries bound to a session. */
    List<String> ofSession(String session) {
        List<String> out = new ArrayList<>();
        for (PreparedQuery q : byId.values()) {
            if (q.session().equals(session)) {
                out.add(q.id());
            }
        }
        return out;
    }

    private void touched(Tx tx, String id, PreparedQuery before) {
        long indexBefore = index;
        index = Math.max(index, tx.index);
        tx.changes.topic(TOPIC);
        tx.onRollback(() -> {
            PreparedQuery now = byId.remove(id);
            if (now != null && !now.name().isEmpty()) {
                byName.remove(now.name().toLowerCase(Locale.ROOT));
            }
            if (before != null) {
                byId.put(id, before);
                if (!before.name().isEmpty()) {
                    byName.put(before.name().toLowerCase(Locale.ROOT), id);
                }
            }
            index = indexBefore;
        });
    }

    // ---- the apply switch's operations ----

    /** {@code Command.PreparedQuerySet}: Consul's {@code preparedQuerySetTxn} integrity checks, with its texts; the leader chose the ID. */
    ApplyResult set(Tx tx, PreparedQuery q, SessionTable sessions) {
        if (q == null || q.id().isEmpty()) {
            return new ApplyError("Missing query ID");
        }
        PreparedQuery existing = get(q.id());
        if (!q.name().isEmpty()) {
            PreparedQuery other = byName(q.name());
            if (other != null && !other.id().equals(q.id())) {
                return new ApplyError("name '" + q.name() + "' aliases an existing query name");
            }
        } else if (isTemplate(q)) {
            for (PreparedQuery other : byId.values()) {
                if (isTemplate(other) && other.name().isEmpty() && !other.id().equals(q.id())) {
                    return new ApplyError("a query template with an empty name already exists");
                }
            }
        }
        if (isUuid(q.name()) && get(q.name()) != null) {
            return new ApplyError("name '" + q.name() + "' aliases an existing query ID");
        }
        if (!q.session().isEmpty() && sessions.get(q.session()) == null) {
            return new ApplyError("invalid session \"" + q.session() + "\"");
        }
        long create = existing == null ? tx.index : existing.createIndex();
        put(tx, new PreparedQuery(q.id(), q.name(), q.session(), q.token(), q.service(), q.dns(),
                q.template(), create, tx.index));
        return new ApplyResult.QueryId(q.id());
    }

    /** {@code Command.PreparedQueryDelete}: deleting an unknown query is not an error. */
    ApplyResult delete(Tx tx, String id) {
        if (id != null) {
            remove(tx, id);
        }
        return ApplyResult.Bool.TRUE;
    }

    // ---- reads with their watches and index (the table's, as Consul's) ----

    private <T> Store.Read<T> read(WatchSet ws, T value) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(value, Math.max(1, index));
    }

    Store.Read<List<PreparedQuery>> list(WatchSet ws) {
        return read(ws, list());
    }

    Store.Read<PreparedQuery> get(WatchSet ws, String id) {
        return read(ws, get(id));
    }

    Store.Read<PreparedQuery> resolve(WatchSet ws, String idOrName) {
        return read(ws, resolve(idOrName));
    }

    // ---- snapshot ----

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (PreparedQuery q : byId.values()) {
            out.row(Snapshot.Row.query(q));
        }
    }

    /** Replaces every query with restored rows (no undo, no watch: restore wakes everyone). */
    void restore(List<PreparedQuery> rows, long tableIndex) {
        byId.clear();
        byName.clear();
        for (PreparedQuery q : rows) {
            byId.put(q.id(), q);
            if (!q.name().isEmpty()) {
                byName.put(q.name().toLowerCase(Locale.ROOT), q.id());
            }
        }
        index = tableIndex;
    }
}
