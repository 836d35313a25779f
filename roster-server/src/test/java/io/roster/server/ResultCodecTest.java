package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.AclLink;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.api.KvPair;
import io.roster.api.TxnResponse;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.TxnOutcome;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every shape of apply result travels back from the leader as it was, alone and inside a batch. */
class ResultCodecTest {
    private static final AclToken TOKEN = new AclToken("a", "s", "d", List.of(new AclLink("p", "n")), null, null, null, true,
            null, "2026-01-01T00:00:00Z", null, "2025-12-31T00:00:00Z", "h", 3, 4);
    private static final AclPolicy POLICY = new AclPolicy("p", "n", "d", "acl = \"read\"", List.of("dc1"), "h", 1, 2);
    private static final AclRole ROLE = new AclRole("r", "m", "", List.of(new AclLink("p", "n")), null, null, "h", 5, 6);

    /** One of each shape (both booleans, a committed and a rolled-back transaction). */
    private static List<ApplyResult> oneOfEach() {
        KvPair row = new KvPair(0, "k", 7, "v".getBytes(StandardCharsets.UTF_8), null, 3, 4);
        return List.of(ApplyResult.Bool.TRUE, ApplyResult.Bool.FALSE, new ApplyResult.Count(3),
                new ApplyResult.SessionId("sess-1"), new ApplyResult.QueryId("query-1"), new ApplyResult.Token(TOKEN),
                new ApplyResult.Policy(POLICY), new ApplyResult.Role(ROLE), ApplyResult.None.INSTANCE,
                new TxnOutcome(List.of(row), null), new TxnOutcome(null, List.of(new TxnResponse.Error(1, "key \"k\" exists"))),
                new ApplyError("invalid session \"x\""),
                new ApplyResult.Batch(List.of(ApplyResult.Bool.TRUE, new ApplyError("no"), new ApplyResult.SessionId("s"))));
    }

    @Test
    void everyResultShapeRoundTrips() {
        for (ApplyResult r : oneOfEach()) {
            assertThat(ResultCodec.decode(ResultCodec.encode(r))).as("%s", r).usingRecursiveComparison().isEqualTo(r);
        }
        ApplyResult batch = new ApplyResult.Batch(oneOfEach().stream().filter(r -> !(r instanceof ApplyResult.Batch)).toList());
        assertThat(ResultCodec.decode(ResultCodec.encode(batch))).usingRecursiveComparison().isEqualTo(batch);
    }

    @Test
    void theCasesCoverEverySealedShape() {
        Set<String> permitted = new TreeSet<>();
        Arrays.stream(ApplyResult.class.getPermittedSubclasses()).forEach(c -> permitted.add(c.getName()));
        Set<String> covered = new TreeSet<>();
        oneOfEach().forEach(r -> covered.add(r.getClass().getName()));
        assertThat(covered).isEqualTo(permitted);
    }

    @Test
    void sessionAndQueryIdsStayApart() {
        assertThat(ResultCodec.decode(ResultCodec.encode(new ApplyResult.SessionId("x")))).isInstanceOf(ApplyResult.SessionId.class);
        assertThat(ResultCodec.decode(ResultCodec.encode(new ApplyResult.QueryId("x")))).isInstanceOf(ApplyResult.QueryId.class);
    }

    @Test
    void anUnknownTagIsRefusedWithItsName() {
        byte[] old = "{\"T\":\"string\",\"V\":\"id\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ResultCodec.decode(old)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown apply result type string");
    }
}
