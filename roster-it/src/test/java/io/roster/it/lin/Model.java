package io.roster.it.lin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequential specification: a state, and what one operation does to it. States must have value
 * equality ({@code equals}/{@code hashCode}): the checker caches (linearized set, state) pairs.
 *
 * @param <S> the state
 */
public interface Model<S> {
    /** The state before any operation. */
    S init();

    /**
     * The state after {@code input} ran on {@code state} and answered {@code output}, or null when
     * that answer is impossible in that state. When {@code unknown}, the output was not seen: the
     * model applies the operation's effect, whatever it would have answered.
     */
    S step(S state, Object input, Object output, boolean unknown);

    /**
     * The partition an operation belongs to (P-compositionality: a history is linearizable iff
     * each partition's sub-history is, when partitions share no state, e.g. independent keys), or
     * null for a model that cannot be split.
     */
    default Object partitionKey(Object input) {
        return null;
    }

    /** Splits a history by {@link #partitionKey}. */
    default Map<Object, List<Op>> partition(List<Op> history) {
        Map<Object, List<Op>> parts = new LinkedHashMap<>();
        for (Op op : history) {
            Object k = partitionKey(op.input());
            parts.computeIfAbsent(k == null ? "" : k, x -> new ArrayList<>()).add(op);
        }
        return parts;
    }
}
