package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v1/session/*} and the session-based KV verbs ({@code ?acquire}, {@code ?release}). */
class SessionApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    /** Sessions left by one test (TTL ones expire later) must not wake another test's blocking read. */
    @AfterEach
    void destroyAllSessions() {
        for (JsonNode s : http().get("/v1/session/list").json()) {
            put("/v1/session/destroy/" + s.get("ID").asText());
        }
        assertThat(http().get("/v1/session/list").json()).isEmpty();
    }

    private static JsonNode info(String id) {
        Reply r = http().get("/v1/session/info/" + id).assertReadHeaders();
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private static String put(String path) {
        Reply r = http().put(path, "");
        assertThat(r.status()).as(path + " -> " + r.text()).isEqualTo(200);
        return r.text().strip();
    }

    private static JsonNode kv(String key) {
        Reply r = http().get("/v1/kv/" + key);
        assertThat(r.status()).as("GET " + key).isEqualTo(200);
        return r.json().get(0);
    }

    @Test
    void createAnswersExactlyAnIdObject() {
        Reply r = http().put("/v1/session/create", "{}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(Http.fieldNames(body)).containsExactly("ID");
        assertThat(body.get("ID").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void createWithoutBodyUsesConsulDefaults() {
        Reply r = http().put("/v1/session/create");
        assertThat(r.status()).isEqualTo(200);
        JsonNode s = info(r.json().get("ID").asText()).get(0);
        assertThat(s.get("LockDelay").asLong()).isEqualTo(15_000_000_000L);
        assertThat(s.get("Behavior").asText()).isEqualTo("release");
        assertThat(s.get("TTL").asText()).isEmpty();
        assertThat(s.get("Node").asText()).isEqualTo("test-node");
        assertThat(s.get("NodeChecks")).extracting(JsonNode::asText).containsExactly("serfHealth");
        assertThat(s.get("Checks")).extracting(JsonNode::asText).containsExactly("serfHealth");
        assertThat(s.get("CreateIndex").asLong()).isPositive();
    }

    @Test
    void lowerCaseBodyFieldsAsPatroniSendsThem() {
        String id = http().createSession(Map.of("name", "patroni-leader", "ttl", "15.0s", "lockdelay", "0.001s",
                "behavior", "delete", "checks", List.of()));
        JsonNode arr = info(id);
        assertThat(arr).hasSize(1);
        JsonNode s = arr.get(0);
        assertThat(s.get("ID").asText()).isEqualTo(id);
        assertThat(s.get("Name").asText()).isEqualTo("patroni-leader");
        assertThat(s.get("TTL").asText()).isEqualTo("15.0s");
        assertThat(s.get("LockDelay").asLong()).isEqualTo(1_000_000L);
        assertThat(s.get("Behavior").asText()).isEqualTo("delete");
        // An explicit empty list means "no checks", not the serfHealth default.
        assertThat(s.get("NodeChecks")).isEmpty();
    }

    @Test
    void lockDelayNumbersBelowOneThousandAreSeconds() {
        String secs = http().createSession(Map.of("LockDelay", 5));
        assertThat(info(secs).get(0).get("LockDelay").asLong()).isEqualTo(5_000_000_000L);
        String nanos = http().createSession(Map.of("LockDelay", 2_000_000_000L));
        assertThat(info(nanos).get(0).get("LockDelay").asLong()).isEqualTo(2_000_000_000L);
    }

    @Test
    void ttlBelowTheMinimumIsRefusedWithConsulsMessage() {
        Reply r = http().put("/v1/session/create", Http.json(Map.of("TTL", "500ms"))).assertOneLineError(500);
        assertThat(r.text()).startsWith("Invalid Session TTL");
        Reply tooLong = http().put("/v1/session/create", Http.json(Map.of("TTL", "25h"))).assertOneLineError(500);
        assertThat(tooLong.text()).startsWith("Invalid Session TTL");
        // Patroni then reads the minimum from agent/self, in nanoseconds, and retries with it.
        long min = http().get("/v1/agent/self").json().get("Config").get("SessionTTLMin").asLong();
        assertThat(min).isEqualTo(1_000_000_000L);
        assertThat(http().put("/v1/session/create", Http.json(Map.of("TTL", min / 1_000_000 + "ms"))).status()).isEqualTo(200);
    }

    /**
     * Consul does not refuse a LockDelay over its 60 s maximum: the session keeps the value given and
     * its state store holds the keys for 60 s at most when the session is invalidated (a fuzz finding:
     * Roster answered 500 "Invalid Lock Delay").
     */
    @Test
    void lockDelayOverTheMaximumIsKeptAsGiven() {
        Reply r = http().put("/v1/session/create", Http.json(Map.of("LockDelay", "90s")));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        String id = r.json().get("ID").asText();
        assertThat(info(id).get(0).get("LockDelay").asLong()).isEqualTo(90_000_000_000L);
        // the delay still applies when the session goes
        put("/v1/kv/lockdelay-max/k?acquire=" + id);
        put("/v1/session/destroy/" + id);
        String next = http().createSession(Map.of("LockDelay", "0s"));
        assertThat(put("/v1/kv/lockdelay-max/k?acquire=" + next)).as("acquire inside lock-delay").isEqualTo("false");
    }

    @Test
    void invalidBehaviorIsRefused() {
        Reply r = http().put("/v1/session/create", Http.json(Map.of("Behavior", "explode"))).assertOneLineError(500);
        assertThat(r.text()).contains("Invalid Behavior");
    }

    @Test
    void infoListAndNode() {
        String a = http().createSession(Map.of("Name", "list-a"));
        // A session's node must be in the catalog (Consul: "Missing node registration").
        assertThat(http().put("/v1/catalog/register", "{\"Node\":\"other-node\",\"Address\":\"10.9.9.9\"}").status()).isEqualTo(200);
        String b = http().createSession(Map.of("Name", "list-b", "Node", "other-node", "Checks", java.util.List.of()));

        Reply list = http().get("/v1/session/list").assertReadHeaders();
        assertThat(list.json()).extracting(n -> n.get("ID").asText()).contains(a, b);

        Reply mine = http().get("/v1/session/node/test-node").assertReadHeaders();
        assertThat(mine.json()).extracting(n -> n.get("ID").asText()).contains(a).doesNotContain(b);
        Reply other = http().get("/v1/session/node/other-node").assertReadHeaders();
        assertThat(other.json()).extracting(n -> n.get("ID").asText()).containsExactly(b);

        // Unknown session: an empty array, not null and not 404.
        Reply unknown = http().get("/v1/session/info/00000000-0000-0000-0000-000000000000").assertReadHeaders();
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.json().isArray()).isTrue();
        assertThat(unknown.json()).isEmpty();
    }

    @Test
    void destroyRemovesTheSession() {
        String id = http().createSession(Map.of());
        assertThat(put("/v1/session/destroy/" + id)).isEqualTo("true");
        assertThat(info(id)).isEmpty();
        assertThat(http().get("/v1/session/list").json()).extracting(n -> n.get("ID").asText()).doesNotContain(id);
    }

    @Test
    void renewOfUnknownSessionIs404() {
        Reply r = http().put("/v1/session/renew/00000000-0000-0000-0000-000000000001");
        assertThat(r.status()).isEqualTo(404);
    }

    @Test
    void renewReturnsTheSessionInAnArray() {
        String id = http().createSession(Map.of("TTL", "30s"));
        Reply r = http().put("/v1/session/renew/" + id);
        assertThat(r.status()).isEqualTo(200);
        JsonNode arr = r.json();
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(1);
        assertThat(arr.get(0).get("ID").asText()).isEqualTo(id);
        assertThat(arr.get(0).get("TTL").asText()).isEqualTo("30s");
    }

    @Test
    void acquireWithUnknownSessionIsInvalidSession() {
        String unknown = "11111111-2222-3333-4444-555555555555";
        Reply r = http().put("/v1/kv/lock/unknown?acquire=" + unknown, "x").assertOneLineError(500);
        assertThat(r.text()).startsWith("invalid session");
        assertThat(r.text()).contains(unknown);
        assertThat(http().get("/v1/kv/lock/unknown").status()).isEqualTo(404);
    }

    @Test
    void acquireAndReleaseFollowConsulLockSemantics() {
        String s1 = http().createSession(Map.of("Name", "one"));
        String s2 = http().createSession(Map.of("Name", "two"));

        assertThat(put("/v1/kv/lock/k?acquire=" + s1)).isEqualTo("true");
        JsonNode held = kv("lock/k");
        assertThat(held.get("Session").asText()).isEqualTo(s1);
        assertThat(held.get("LockIndex").asLong()).isEqualTo(1);
        assertThat(Http.fieldNames(held)).containsExactly("LockIndex", "Key", "Flags", "Value", "Session",
                "CreateIndex", "ModifyIndex");

        // Re-acquiring with the holder succeeds and does not bump LockIndex.
        assertThat(put("/v1/kv/lock/k?acquire=" + s1)).isEqualTo("true");
        assertThat(kv("lock/k").get("LockIndex").asLong()).isEqualTo(1);

        // Another session can neither acquire nor release it.
        assertThat(put("/v1/kv/lock/k?acquire=" + s2)).isEqualTo("false");
        assertThat(put("/v1/kv/lock/k?release=" + s2)).isEqualTo("false");
        assertThat(kv("lock/k").get("Session").asText()).isEqualTo(s1);

        // A plain write to a held key keeps the lock.
        assertThat(put("/v1/kv/lock/k")).isEqualTo("true");
        assertThat(kv("lock/k").get("Session").asText()).isEqualTo(s1);

        assertThat(put("/v1/kv/lock/k?release=" + s1)).isEqualTo("true");
        JsonNode released = kv("lock/k");
        assertThat(released.has("Session")).isFalse();
        assertThat(released.get("LockIndex").asLong()).isEqualTo(1);

        assertThat(put("/v1/kv/lock/k?acquire=" + s2)).isEqualTo("true");
        JsonNode second = kv("lock/k");
        assertThat(second.get("Session").asText()).isEqualTo(s2);
        assertThat(second.get("LockIndex").asLong()).isEqualTo(2);
    }

    @Test
    void releasingAKeyThatIsNotLockedIsFalse() {
        String s = http().createSession(Map.of());
        assertThat(put("/v1/kv/lock/free")).isEqualTo("true");
        assertThat(put("/v1/kv/lock/free?release=" + s)).isEqualTo("false");
        assertThat(put("/v1/kv/lock/absent?release=" + s)).isEqualTo("false");
    }

    @Test
    void acquireStoresTheValueSent() {
        String s = http().createSession(Map.of());
        http().put("/v1/kv/lock/val?acquire=" + s, "leader-1");
        assertThat(Http.unb64(kv("lock/val").get("Value"))).isEqualTo("leader-1");
    }

    @Test
    void destroyWithReleaseBehaviorReleasesTheLockAndKeepsTheKey() {
        String s = http().createSession(Map.of("Behavior", "release", "LockDelay", "0s"));
        assertThat(put("/v1/kv/lock/rel?acquire=" + s)).isEqualTo("true");
        put("/v1/session/destroy/" + s);
        JsonNode e = kv("lock/rel");
        assertThat(e.has("Session")).isFalse();
    }

    @Test
    void destroyWithDeleteBehaviorDeletesTheKey() {
        String s = http().createSession(Map.of("Behavior", "delete", "LockDelay", "0s"));
        assertThat(put("/v1/kv/lock/del?acquire=" + s)).isEqualTo("true");
        put("/v1/session/destroy/" + s);
        assertThat(http().get("/v1/kv/lock/del").status()).isEqualTo(404);
    }

    @Test
    void ttlExpiryReleasesTheLock() {
        String s = http().createSession(Map.of("TTL", "1s", "Behavior", "release", "LockDelay", "0s"));
        assertThat(put("/v1/kv/ttl/rel?acquire=" + s)).isEqualTo("true");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(info(s)).isEmpty());
        JsonNode e = kv("ttl/rel");
        assertThat(e.has("Session")).isFalse();
        assertThat(http().put("/v1/session/renew/" + s).status()).isEqualTo(404);
    }

    @Test
    void ttlExpiryWithDeleteBehaviorDeletesTheKey() {
        String s = http().createSession(Map.of("ttl", "1s", "behavior", "delete", "lockdelay", "0s"));
        assertThat(put("/v1/kv/ttl/del?acquire=" + s)).isEqualTo("true");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(http().get("/v1/kv/ttl/del").status()).isEqualTo(404));
        assertThat(info(s)).isEmpty();
    }

    @Test
    void renewingKeepsATtlSessionAlive() {
        String renewed = http().createSession(Map.of("TTL", "1s"));
        String idle = http().createSession(Map.of("TTL", "1s"));
        // Renew one of the two while waiting for the other to expire: expiry of the idle one proves
        // that time has passed beyond 2x the TTL, and the renewed one must have survived it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(http().put("/v1/session/renew/" + renewed).status()).isEqualTo(200);
            assertThat(info(idle)).isEmpty();
        });
        assertThat(info(renewed)).hasSize(1);
    }

    @Test
    void lockDelayRefusesAcquireAfterInvalidationThenAllowsIt() {
        String holder = http().createSession(Map.of("LockDelay", "2s"));
        String next = http().createSession(Map.of("LockDelay", "0s"));
        assertThat(info(holder).get(0).get("LockDelay").asLong()).isEqualTo(2_000_000_000L);
        assertThat(put("/v1/kv/delay/k?acquire=" + holder)).isEqualTo("true");
        put("/v1/session/destroy/" + holder);

        assertThat(put("/v1/kv/delay/k?acquire=" + next)).as("acquire inside lock-delay").isEqualTo("false");
        assertThat(kv("delay/k").has("Session")).isFalse();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> put("/v1/kv/delay/k?acquire=" + next).equals("true"));
        assertThat(kv("delay/k").get("Session").asText()).isEqualTo(next);
    }

    @Test
    void lockDelayAppliesOnlyToTheKeysTheSessionHeld() {
        String holder = http().createSession(Map.of("LockDelay", "10s"));
        String next = http().createSession(Map.of());
        assertThat(put("/v1/kv/delay2/held?acquire=" + holder)).isEqualTo("true");
        put("/v1/session/destroy/" + holder);
        assertThat(put("/v1/kv/delay2/held?acquire=" + next)).isEqualTo("false");
        assertThat(put("/v1/kv/delay2/other?acquire=" + next)).isEqualTo("true");
    }

    @Test
    void sessionReadsBlockUntilASessionChanges() {
        Reply first = http().get("/v1/session/list");
        long idx = first.index();
        var parked = http().getAsync("/v1/session/list?index=" + idx + "&wait=5s");
        await().atMost(Duration.ofSeconds(5)).until(() -> AGENT.parked() > 0);
        String id = http().createSession(Map.of("Name", "wakes-list"));
        Reply woken = Http.join(parked);
        assertThat(woken.index()).isGreaterThan(idx);
        assertThat(woken.json()).extracting(n -> n.get("ID").asText()).contains(id);
    }
}
