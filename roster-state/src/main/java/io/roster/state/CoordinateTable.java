package io.roster.state;

import io.roster.api.Coordinate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Network coordinates by node and segment (Consul's {@code coordinates} table). Only nodes in the
 * catalog have one; removing a node removes its coordinates. Callers hold the store's lock; writes
 * register their undo on the {@link Tx}. Watch topic: {@link #TOPIC}.
 */
final class CoordinateTable {
    static final String TOPIC = "coordinates";

    /** Node, then segment; sorted so snapshots are deterministic. */
    private final TreeMap<String, TreeMap<String, Coordinate>> byNode = new TreeMap<>();
    long index;

    List<Coordinate.Entry> list() {
        List<Coordinate.Entry> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, Coordinate>> n : byNode.entrySet()) {
            for (Map.Entry<String, Coordinate> s : n.getValue().entrySet()) {
                out.add(new Coordinate.Entry(n.getKey(), s.getKey(), s.getValue()));
            }
        }
        return out;
    }

    List<Coordinate.Entry> ofNode(String node) {
        List<Coordinate.Entry> out = new ArrayList<>();
        TreeMap<String, Coordinate> m = byNode.get(node);
        if (m != null) {
            for (Map.Entry<String, Coordinate> s : m.entrySet()) {
                out.add(new Coordinate.Entry(node, s.getKey(), s.getValue()));
            }
        }
        return out;
    }

    void put(Tx tx, Coordinate.Entry e) {
        Coordinate before = byNode.computeIfAbsent(e.node(), k -> new TreeMap<>()).put(e.segment(), e.coord());
        touched(tx, e.node(), e.segment(), before);
    }

    void removeNode(Tx tx, String node) {
        TreeMap<String, Coordinate> m = byNode.get(node);
        if (m == null) {
            return;
        }
        for (String segment : new ArrayList<>(m.keySet())) {
            Coordinate before = m.remove(segment);
            touched(tx, node, segment, before);
        }
        byNode.remove(node);
    }

    private void touched(Tx tx, String node, String segment, Coordinate before) {
        long indexBefore = index;
        index = Math.max(index, tx.index);
        tx.changes.topic(TOPIC);
        tx.onRollback(() -> {
            TreeMap<String, Coordinate> m = byNode.computeIfAbsent(node, k -> new TreeMap<>());
            if (before == null) {
                m.remove(segment);
            } else {
                m.put(segment, before);
            }
            if (m.isEmpty()) {
                byNode.remove(node);
            }
            index = indexBefore;
        });
    }

    /**
     * {@code Command.CoordinateBatch}: skips nodes the catalog does not know, as Consul does; an
     * update equal to the stored one is not a change.
     */
    ApplyResult update(Tx tx, Command.CoordinateBatch c, CatalogTable catalog) {
        for (Coordinate.Entry e : c.coordinates()) {
            if (e.coord() == null || !catalog.hasNode(e.node())) {
                continue;
            }
            TreeMap<String, Coordinate> have = byNode.get(e.node());
            if (have != null && e.coord().equals(have.get(e.segment()))) {
                continue;
            }
            put(tx, e);
        }
        return ApplyResult.Bool.TRUE;
    }

    // ---- reads with their watches and index ----

    Store.Read<List<Coordinate.Entry>> list(WatchSet ws) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(list(), Math.max(1, index));
    }

    Store.Read<List<Coordinate.Entry>> ofNode(WatchSet ws, String node) {
        ws.watchTopic(TOPIC);
        return new Store.Read<>(ofNode(node), Math.max(1, index));
    }

    // ---- snapshot ----

    void snapshot(Snapshot.Sink out) throws java.io.IOException {
        for (Coordinate.Entry e : list()) {
            out.row(Snapshot.Row.coordinate(e));
        }
    }

    /** Replaces every coordinate with restored rows (no undo, no watch: restore wakes everyone). */
    void restore(List<Coordinate.Entry> rows, long tableIndex) {
        byNode.clear();
        for (Coordinate.Entry e : rows) {
            byNode.computeIfAbsent(e.node(), k -> new TreeMap<>()).put(e.segment(), e.coord());
        }
        index = tableIndex;
    }
}
