package io.roster.agent.query;

import io.roster.api.Coordinate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sorting by estimated round-trip time from a node ({@code ?near=}, a query's {@code Near}), as
 * Consul's {@code sortNodesByDistanceFrom}: items whose node has no coordinate (or one of another
 * dimensionality) go last, in their given order; the sort is stable. Pure: coordinates are passed in.
 */
public final class Near {
    private Near() {
    }

    /**
     * {@code items} sorted by the distance of {@code node.apply(item)} from {@code source}; unchanged
     * when the source has no coordinate.
     *
     * @param coords every node's coordinate (segment "")
     */
    public static <T> List<T> sort(List<T> items, Function<T, String> node, String source, Map<String, Coordinate> coords) {
        Coordinate from = source == null ? null : coords.get(source);
        if (from == null) {
            return items;
        }
        Map<String, Double> dist = new HashMap<>();
        for (T item : items) {
            dist.computeIfAbsent(node.apply(item), n -> {
                Coordinate c = coords.get(n);
                double d = c == null ? Double.NaN : from.distanceTo(c);
                return Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            });
        }
        List<T> out = new ArrayList<>(items);
        out.sort(Comparator.comparingDouble(item -> dist.get(node.apply(item))));
        return out;
    }

    /** The default-segment coordinate of each node in {@code entries}. */
    public static Map<String, Coordinate> bySegmentDefault(List<Coordinate.Entry> entries) {
        Map<String, Coordinate> out = new HashMap<>();
        for (Coordinate.Entry e : entries) {
            if (e.segment().isEmpty() && e.coord() != null) {
                out.put(e.node(), e.coord());
            }
        }
        return out;
    }
}
