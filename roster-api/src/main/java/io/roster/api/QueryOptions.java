package io.roster.api;

import java.time.Duration;

/**
 * Options of a read: blocking ({@code index}, {@code wait}), consistency mode and datacenter.
 * Immutable; use the {@code with*} methods.
 */
public record QueryOptions(long index, Duration maxWait, boolean consistent, boolean stale, String datacenter) {
    /** No blocking, default consistency, the agent's datacenter. */
    public static final QueryOptions DEFAULT = new QueryOptions(0, null, false, false, null);

    public QueryOptions withIndex(long newIndex) {
        return new QueryOptions(newIndex, maxWait, consistent, stale, datacenter);
    }

    public QueryOptions withWait(Duration newWait) {
        return new QueryOptions(index, newWait, consistent, stale, datacenter);
    }

    public QueryOptions withConsistent() {
        return new QueryOptions(index, maxWait, true, false, datacenter);
    }

    public QueryOptions withStale() {
        return new QueryOptions(index, maxWait, false, true, datacenter);
    }

    public QueryOptions withDatacenter(String dc) {
        return new QueryOptions(index, maxWait, consistent, stale, dc);
    }

    /** Blocks until something newer than {@code minIndex} exists, for at most {@code maxWait}. */
    public static QueryOptions blocking(long minIndex, Duration maxWait) {
        return DEFAULT.withIndex(minIndex).withWait(maxWait);
    }
}
