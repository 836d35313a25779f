package io.roster.agent.http;

import io.roster.agent.query.Near;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.List;
import java.util.function.Function;

/**
 * {@code ?near=<node>} and {@code ?near=_agent} on catalog and health reads: the answer sorted by
 * estimated round trip from that node (nodes without a coordinate last, as Consul). The sort does
 * not make the read watch the coordinates, as Consul's does not.
 */
final class NearSort {
    /** Sorts nothing (an endpoint built without one). */
    static final NearSort NONE = new NearSort(null, "");

    private final Store store;
    private final String agentNode;

    /** @param agentNode the node {@code _agent} means: this agent's */
    NearSort(Store store, String agentNode) {
        this.store = store;
        this.agentNode = agentNode;
    }

    <T> List<T> apply(Call call, List<T> items, Function<T, String> nodeOf) {
        String near = call.param("near");
        if (store == null || near == null || near.isEmpty() || items.size() < 2) {
            return items;
        }
        String source = near.equals("_agent") ? agentNode : near;
        return Near.sort(items, nodeOf, source, Near.bySegmentDefault(store.coordinates(WatchSet.NONE).value()));
    }
}
