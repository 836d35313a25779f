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
    final TreeMap<String, PreparedQuery> byId = new TreeMap<>();
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

    void clear() {
        byId.clear();
        byName.clear();
        index = 0;
    }

    /** Adds a restored row (no undo, no watch: restore wakes everyone). */
    void restoreRow(PreparedQuery q) {
        byId.put(q.id(), q);
        if (!q.name().isEmpty()) {
            byName.put(q.name().toLowerCase(Locale.ROOT), q.id());
        }
    }
}
