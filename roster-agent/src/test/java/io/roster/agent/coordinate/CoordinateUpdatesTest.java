package io.roster.agent.coordinate;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.Coordinate;
import io.roster.api.Node;
import io.roster.state.Command;
import io.roster.state.LocalReplicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/** The server's batching of coordinate updates (Consul's limits) and the agent's send interval, on a real store. */
class CoordinateUpdatesTest {
    private static Coordinate at(double x) {
        return new Coordinate(List.of(x, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), 0.5, 0, 1e-5);
    }

    @Test
    void onePeriodWritesAtMostFiveBatchesOf128AndANodesNewestUpdateWins() throws Exception {
        Store store = new Store();
        LocalReplicator replicator = new LocalReplicator(store, "127.0.0.1:8300");
        for (int i = 0; i < 700; i++) {
            replicator.submit(new Command.CatalogRegister(new Node(null, "n" + i, "10.0.0.1", null, null, null, 0, 0),
                    null, List.of(), false)).join();
        }
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try (CoordinateUpdates u = new CoordinateUpdates(replicator, timer, Duration.ofHours(1), 8)) {
            long before = store.lastIndex();
            for (int i = 0; i < 700; i++) {
                assertThat(u.offer(new Coordinate.Entry("n" + i, "", at(0.001)))).isNull();
            }
            assertThat(u.offer(new Coordinate.Entry("n0", "", at(0.009)))).isNull();
            u.flush();
            List<Coordinate.Entry> stored = store.coordinates(WatchSet.NONE).value();
            assertThat(stored).hasSize(CoordinateUpdates.BATCH_SIZE * CoordinateUpdates.MAX_BATCHES);
            assertThat(store.coordinatesOf(WatchSet.NONE, "n0").value().getFirst().coord().vec().getFirst()).isEqualTo(0.009);
            assertThat(store.lastIndex() - before).as("log entries written").isEqualTo(CoordinateUpdates.MAX_BATCHES);
            u.flush();
            assertThat(store.lastIndex() - before).as("nothing pending: nothing written").isEqualTo(CoordinateUpdates.MAX_BATCHES);

            assertThat(u.offer(new Coordinate.Entry("n1", "", new Coordinate(List.of(1.0, 2.0), 0.5, 0, 0))))
                    .startsWith("rejected bad coordinate");
            List<Double> nan = new ArrayList<>(at(0).vec());
            nan.set(3, Double.NaN);
            assertThat(u.offer(new Coordinate.Entry("n1", "", new Coordinate(nan, 0.5, 0, 0)))).startsWith("rejected bad coordinate");
            assertThat(u.offer(new Coordinate.Entry("", "", at(0)))).isEqualTo("Must provide node");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void theSendIntervalScalesWithTheClusterAsConsuls() {
        assertThat(CoordinateSync.interval(CoordinateSync.INTERVAL_MIN, 1)).isEqualTo(Duration.ofSeconds(15));
        assertThat(CoordinateSync.interval(CoordinateSync.INTERVAL_MIN, 960)).isEqualTo(Duration.ofSeconds(15));
        assertThat(CoordinateSync.interval(CoordinateSync.INTERVAL_MIN, 6400)).isEqualTo(Duration.ofSeconds(100));
    }
}
