package io.roster.agent.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.PreparedQuery;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The datacenters a query fails over to: NearestN nearest others first, then Datacenters in order. */
class FailoverOrderTest {
    private static final List<String> BY_DISTANCE = List.of("dc1", "dc3", "dc2", "dc4");

    private static PreparedQuery.Failover spec(int nearest, List<String> dcs) {
        return new PreparedQuery.Failover(nearest, dcs, List.of());
    }

    @Test
    void nearestNSkipsTheLocalDatacenter() {
        assertThat(PreparedQueries.failoverOrder(spec(2, List.of()), BY_DISTANCE, "dc1")).containsExactly("dc3", "dc2");
        assertThat(PreparedQueries.failoverOrder(spec(9, List.of()), BY_DISTANCE, "dc1")).containsExactly("dc3", "dc2", "dc4");
    }

    @Test
    void datacentersFollowInOrderWithoutRepeatsOrUnknowns() {
        assertThat(PreparedQueries.failoverOrder(spec(1, List.of("dc4", "dc3", "dc9", "dc1")), BY_DISTANCE, "dc1"))
                .containsExactly("dc3", "dc4");
        assertThat(PreparedQueries.failoverOrder(spec(0, List.of("dc2", "dc4")), BY_DISTANCE, "dc1")).containsExactly("dc2", "dc4");
        assertThat(PreparedQueries.failoverOrder(spec(0, List.of()), BY_DISTANCE, "dc1")).isEmpty();
    }

    @Test
    void targetsNameTheDatacentersInOrder() {
        PreparedQuery.Failover targets = new PreparedQuery.Failover(0, List.of(),
                List.of(java.util.Map.of("Datacenter", "dc4"), java.util.Map.of("Datacenter", "dc9"),
                        java.util.Map.of("Datacenter", "dc1"), java.util.Map.of("Datacenter", "dc2"),
                        java.util.Map.of("Datacenter", "dc4"), java.util.Map.of()));
        assertThat(PreparedQueries.failoverOrder(targets, BY_DISTANCE, "dc1")).containsExactly("dc4", "dc2");
    }
}
