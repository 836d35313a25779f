package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.AclLink;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.state.ApplyError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of apply result travels back from the leader as it was (the ACL rows since issue 18). */
class ResultCodecTest {
    @Test
    void everyResultKindRoundTrips() {
        AclToken t = new AclToken("a", "s", "d", List.of(new AclLink("p", "n")), null, null, null, true, null,
                "2026-01-01T00:00:00Z", null, "2025-12-31T00:00:00Z", "h", 3, 4);
        AclPolicy p = new AclPolicy("p", "n", "d", "acl = \"read\"", List.of("dc1"), "h", 1, 2);
        AclRole r = new AclRole("r", "m", "", List.of(new AclLink("p", "n")), null, null, "h", 5, 6);
        for (Object o : List.of(Boolean.TRUE, "id", 7, 8L, new ApplyError("no"), t, p, r)) {
            assertThat(ResultCodec.decode(ResultCodec.encode(o))).usingRecursiveComparison().isEqualTo(o);
        }
        assertThat(ResultCodec.decode(ResultCodec.encode(List.of(t, Boolean.FALSE)))).usingRecursiveComparison()
                .isEqualTo(List.of(t, Boolean.FALSE));
    }
}
