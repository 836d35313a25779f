package io.roster.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.Coordinate;
import io.roster.api.PreparedQuery;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The prepared-query and coordinate tables: integrity checks with Consul's texts, session binding, watches. */
class StoreQueryTest {
    private static final String A = "00000000-0000-4000-8000-00000000000a";
    private static final String B = "00000000-0000-4000-8000-00000000000b";

    private static PreparedQuery query(String id, String name, String session, String templateType) {
        return new PreparedQuery(id, name, session, null,
                new PreparedQuery.ServiceQuery("web", null, null, null, null, false, null, null, null), null,
                templateType == null ? null : new PreparedQuery.Template(templateType, null, false), 0, 0);
    }

    @Test
    void namesAreUniqueCaseInsensitivelyAndMayNotAliasAnId() {
        Store s = new Store();
        assertThat(s.apply(1, new Command.PreparedQuerySet(query(A, "Web", "", null)))).isEqualTo(new ApplyResult.QueryId(A));
        assertThat(s.apply(2, new Command.PreparedQuerySet(query(B, "web", "", null))))
                .isEqualTo(new ApplyError("name 'web' aliases an existing query name"));
        assertThat(s.apply(3, new Command.PreparedQuerySet(query(B, A, "", null))))
                .isEqualTo(new ApplyError("name '" + A + "' aliases an existing query ID"));
        assertThat(s.apply(4, new Command.PreparedQuerySet(query(B, "", "", "name_prefix_match")))).isEqualTo(new ApplyResult.QueryId(B));
        assertThat(s.apply(5, new Command.PreparedQuerySet(query("00000000-0000-4000-8000-00000000000c", "", "",
                "name_prefix_match")))).isEqualTo(new ApplyError("a query template with an empty name already exists"));
        assertThat(s.apply(6, new Command.PreparedQuerySet(query(A, "renamed", "", null)))).isEqualTo(new ApplyResult.QueryId(A));
        PreparedQuery a = s.preparedQuery(WatchSet.NONE, A).value();
        assertThat(a.createIndex()).isEqualTo(1);
        assertThat(a.modifyIndex()).isEqualTo(6);
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, "web").value().id()).as("old name freed; the catch-all template").isEqualTo(B);
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, "RENAMED").value().id()).isEqualTo(A);
        assertThat(s.preparedQueries(WatchSet.NONE).index()).isEqualTo(6);
    }

    @Test
    void aQueryNeedsAnExistingSessionAndDiesWithIt() {
        Store s = new Store();
        assertThat(s.apply(1, new Command.PreparedQuerySet(query(A, "", "nope", null))))
                .isEqualTo(new ApplyError("invalid session \"nope\""));
        s.apply(2, Cmds.releaseSession("sess"));
        assertThat(s.apply(3, new Command.PreparedQuerySet(query(A, "", "sess", null)))).isEqualTo(new ApplyResult.QueryId(A));
        AtomicInteger woken = new AtomicInteger();
        Watches.Waiter w = s.watches().newWaiter(woken::incrementAndGet);
        s.preparedQueries(w);
        s.apply(4, Cmds.destroy("sess"));
        assertThat(s.preparedQuery(WatchSet.NONE, A).value()).isNull();
        assertThat(woken).hasValue(1);
        assertThat(s.preparedQueries(WatchSet.NONE).index()).isEqualTo(4);
    }

    @Test
    void templatesResolveByLongestPrefixAfterIdsAndExactNames() {
        Store s = new Store();
        s.apply(1, new Command.PreparedQuerySet(query(A, "geo-", "", "name_prefix_match")));
        s.apply(2, new Command.PreparedQuerySet(query(B, "geo-db-", "", "name_prefix_match")));
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, "geo-db-eu").value().id()).isEqualTo(B);
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, "geo-web").value().id()).isEqualTo(A);
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, A).value().id()).isEqualTo(A);
        assertThat(s.resolvePreparedQuery(WatchSet.NONE, "other").value()).isNull();
    }

    @Test
    void aRejectedCommandInABatchLeavesNoQueryBehind() {
        Store s = new Store();
        s.apply(1, new Command.Batch(List.of(new Command.PreparedQuerySet(query(A, "x", "", null)),
                new Command.PreparedQuerySet(query(B, "x", "", null)))));
        assertThat(s.preparedQueries(WatchSet.NONE).value()).extracting(PreparedQuery::id).containsExactly(A);
        s.apply(2, new Command.PreparedQueryDelete(A));
        s.apply(3, new Command.PreparedQueryDelete(A));
        assertThat(s.preparedQueries(WatchSet.NONE).value()).isEmpty();
    }

    @Test
    void coordinatesOnlyForCatalogNodesAndGoneWithTheNode() {
        Store s = new Store();
        s.apply(1, Cmds.register(Cmds.node("n1", "10.0.0.1")));
        Coordinate c = new Coordinate(List.of(0.1, 0.2), 0.5, 0, 0.00001);
        s.apply(2, new Command.CoordinateBatch(List.of(new Coordinate.Entry("n1", "", c), new Coordinate.Entry("n2", "", c))));
        assertThat(s.coordinates(WatchSet.NONE).value()).containsExactly(new Coordinate.Entry("n1", "", c));
        assertThat(s.coordinates(WatchSet.NONE).index()).isEqualTo(2);
        s.apply(3, new Command.CoordinateBatch(List.of(new Coordinate.Entry("n1", "", c))));
        assertThat(s.coordinates(WatchSet.NONE).index()).as("the same coordinate is not a change").isEqualTo(2);
        s.apply(4, Cmds.deregisterNode("n1"));
        assertThat(s.coordinatesOf(WatchSet.NONE, "n1").value()).isEmpty();
        assertThat(s.coordinates(WatchSet.NONE).index()).isEqualTo(4);
    }

    @Test
    void commandsRoundTripThroughTheCodec() {
        for (Command c : List.of(new Command.PreparedQuerySet(query(A, "n", "", "name_prefix_match")),
                new Command.PreparedQueryDelete(A),
                new Command.CoordinateBatch(List.of(new Coordinate.Entry("n1", "", new Coordinate(List.of(1.0), 1, 0, 0)))))) {
            byte[] b = CommandCodec.encode(c);
            assertThat(b[0] & 0xff).isEqualTo(c.type().code());
            assertThat(CommandCodec.decode(b)).isEqualTo(c);
        }
        assertThat(CommandType.PREPARED_QUERY_SET.code()).isEqualTo(50);
        assertThat(CommandType.PREPARED_QUERY_DELETE.code()).isEqualTo(51);
        assertThat(CommandType.COORDINATE_BATCH.code()).isEqualTo(52);
    }
}
