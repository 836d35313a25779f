package io.roster.agent.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.AclLink;
import io.roster.api.AclToken;
import io.roster.state.LocalReplicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Token expiry decided with an injected clock: an expired token is refused at once, and the
 * leader's duties delete it through the log; the TTL bounds are Consul's.
 */
class AclServiceTest {
    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-06-01T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void expiredTokensAreRefusedThenReapedByTheLeader() {
        Store store = new Store();
        LocalReplicator rep = new LocalReplicator(store, "127.0.0.1:8300");
        MovableClock clock = new MovableClock();
        AtomicReference<AclSettings> settings = new AtomicReference<>(new AclSettings(true, "deny", null, null, null,
                false, false, "", "", "", "", ""));
        AclResolver resolver = new AclResolver(store.acl(), settings, "node1", clock);
        AclService acl = new AclService(rep, resolver, clock, null);
        acl.ensureBuiltins().join();

        AclToken made = ((io.roster.state.ApplyResult.Token) acl.setToken(new AclToken(null, null, "short",
                List.of(new AclLink("", "global-management")), null, null, null, false, null, null, "10m", null, null, 0, 0),
                null).join()).token();
        assertThat(made.expirationTime()).isEqualTo("2026-06-01T12:10:00Z");
        assertThat(resolver.resolve(made.secretId()).authz().isManagement()).isTrue();

        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertThatThrownBy(() -> resolver.resolve(made.secretId())).isInstanceOf(AclError.class).hasMessage("ACL not found");
        assertThat(store.acl().token(WatchSet.NONE, made.accessorId()).value()).as("not reaped yet").isNotNull();
        acl.leaderDuties();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                store.acl().token(WatchSet.NONE, made.accessorId()).value() == null);
        assertThat(store.acl().token(WatchSet.NONE, AclToken.ANONYMOUS_ID).value()).as("built-ins stay").isNotNull();

        assertThatThrownBy(() -> acl.setToken(new AclToken(null, null, "", null, null, null, null, false, null, null, "30s",
                null, null, 0, 0), null)).hasMessage("Token Expiration TTL '30s' should be between 1m0s and 24h0m0s");
        assertThatThrownBy(() -> acl.setToken(new AclToken(null, null, "", null, null, null, null, false, null,
                "2026-06-01T13:00:00Z", "1h", null, null, 0, 0), null))
                .hasMessage("Token Expiration TTL and Expiration Time cannot both be set");
    }

    @Test
    void theInitialManagementTokenCountsAsTheBootstrap() {
        Store store = new Store();
        LocalReplicator rep = new LocalReplicator(store, "127.0.0.1:8300");
        Clock clock = Clock.systemUTC();
        AtomicReference<AclSettings> settings = new AtomicReference<>(new AclSettings(true, "deny", null, null, null,
                false, false, "9d1f2b3c-0000-4000-8000-000000000001", "", "", "", ""));
        AclService acl = new AclService(rep, new AclResolver(store.acl(), settings, "node1", clock), clock, null);
        acl.leaderDuties();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                store.acl().tokenBySecret(WatchSet.NONE, "9d1f2b3c-0000-4000-8000-000000000001").value() != null);
        long index = store.acl().bootstrapIndex();
        assertThat(index).isPositive();
        assertThatThrownBy(() -> acl.bootstrap().join()).hasRootCauseMessage(
                "Permission denied: ACL bootstrap no longer allowed (reset index: " + index + ")");
    }
}
