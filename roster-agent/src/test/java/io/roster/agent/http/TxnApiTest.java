package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import io.roster.api.TxnOp;
import io.roster.api.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code PUT /v1/txn}: all-or-nothing KV operations. */
class TxnApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    /** One KV op as a JSON-ready map; {@code kv} alternates names and values. */
    private static Map<String, Object> op(String verb, String key, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Verb", verb);
        m.put("Key", key);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Map.of("KV", m);
    }

    private static Reply txn(Object... ops) {
        return http().put("/v1/txn", Http.json(List.of(ops)));
    }

    private static long modifyIndex(String key) {
        return http().get("/v1/kv/" + key).json().get(0).get("ModifyIndex").asLong();
    }

    @Test
    void setThenGetRoundTripsWithConsulShape() {
        Reply r = txn(op("set", "t/rt", "Value", Http.b64("hello"), "Flags", 3), op("get", "t/rt"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(Http.fieldNames(body)).containsExactly("Results", "Errors");
        assertThat(body.get("Errors").isNull()).isTrue();
        JsonNode results = body.get("Results");
        assertThat(results).hasSize(2);
        for (JsonNode res : results) {
            assertThat(Http.fieldNames(res)).containsExactly("KV");
        }
        JsonNode set = results.get(0).get("KV");
        assertThat(set.get("Key").asText()).isEqualTo("t/rt");
        assertThat(set.get("Flags").asLong()).isEqualTo(3);
        // Write results carry no value, as in Consul.
        assertThat(set.get("Value").isNull()).isTrue();
        JsonNode get = results.get(1).get("KV");
        assertThat(Http.unb64(get.get("Value"))).isEqualTo("hello");
        assertThat(get.get("ModifyIndex").asLong()).isEqualTo(set.get("ModifyIndex").asLong());

        // The write is visible to ordinary reads.
        assertThat(Http.unb64(http().get("/v1/kv/t/rt").json().get(0).get("Value"))).isEqualTo("hello");
    }

    @Test
    void allOpsOfATransactionShareOneIndex() {
        Reply r = txn(op("set", "t/one/a", "Value", Http.b64("1")), op("set", "t/one/b", "Value", Http.b64("2")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(modifyIndex("t/one/a")).isEqualTo(modifyIndex("t/one/b"));
    }

    @Test
    void failedCheckIndexRollsBackEverything() {
        http().put("/v1/kv/t/guard", "g");
        http().put("/v1/kv/t/victim", "v");
        long idx = modifyIndex("t/guard");
        long victimIdx = modifyIndex("t/victim");
        Reply r = txn(op("set", "t/rb/a", "Value", Http.b64("1")),
                op("delete", "t/victim"),
                op("check-index", "t/guard", "Index", idx + 100),
                op("set", "t/rb/b", "Value", Http.b64("2")));
        assertThat(r.status()).isEqualTo(409);
        JsonNode body = r.json();
        assertThat(body.get("Results").isNull()).isTrue();
        JsonNode errors = body.get("Errors");
        assertThat(errors).hasSize(1);
        assertThat(Http.fieldNames(errors.get(0))).containsExactly("OpIndex", "What");
        assertThat(errors.get(0).get("OpIndex").asInt()).isEqualTo(2);
        assertThat(errors.get(0).get("What").asText()).isNotBlank();

        assertThat(http().get("/v1/kv/t/rb/a").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/t/rb/b").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/t/rb/?recurse").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/t/guard").status()).isEqualTo(200);
        assertThat(modifyIndex("t/guard")).isEqualTo(idx);
        assertThat(http().get("/v1/kv/t/victim").status()).isEqualTo(200);
        assertThat(modifyIndex("t/victim")).isEqualTo(victimIdx);
    }

    @Test
    void everyFailedOpIsReported() {
        Reply r = txn(op("get", "t/missing/1"), op("set", "t/missing/ok", "Value", Http.b64("x")),
                op("check-not-exists", "t/missing/ok"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("Errors")).extracting(e -> e.get("OpIndex").asInt()).containsExactly(0, 2);
        assertThat(http().get("/v1/kv/t/missing/ok").status()).isEqualTo(404);
    }

    @Test
    void casAndCheckIndexVerbs() {
        Reply created = txn(op("cas", "t/cas", "Value", Http.b64("v1"), "Index", 0));
        assertThat(created.status()).isEqualTo(200);
        long idx = modifyIndex("t/cas");
        assertThat(txn(op("cas", "t/cas", "Value", Http.b64("x"), "Index", 0)).status()).isEqualTo(409);
        Reply ok = txn(op("check-index", "t/cas", "Index", idx), op("cas", "t/cas", "Value", Http.b64("v2"), "Index", idx));
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(Http.unb64(http().get("/v1/kv/t/cas").json().get(0).get("Value"))).isEqualTo("v2");
        assertThat(txn(op("cas", "t/cas", "Value", Http.b64("v3"), "Index", idx)).status()).isEqualTo(409);
    }

    @Test
    void getTreeReadsAPrefix() {
        http().put("/v1/kv/t/tree/a", "1");
        http().put("/v1/kv/t/tree/b", "2");
        Reply r = txn(op("get-tree", "t/tree/"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("Results")).extracting(n -> n.get("KV").get("Key").asText())
                .containsExactly("t/tree/a", "t/tree/b");
    }

    @Test
    void readOnlyTransactionIsAnswered() {
        http().put("/v1/kv/t/ro", "r");
        long before = http().get("/v1/kv/t/ro").index();
        Reply r = txn(op("get", "t/ro"), op("check-index", "t/ro", "Index", modifyIndex("t/ro")),
                op("check-not-exists", "t/ro-absent"));
        assertThat(r.status()).isEqualTo(200);
        r.assertReadHeaders();
        assertThat(r.json().get("Results")).hasSize(2);
        // Reading wrote nothing.
        assertThat(modifyIndex("t/ro")).isEqualTo(before);
        assertThat(http().get("/v1/kv/t/ro-absent").status()).isEqualTo(404);
    }

    @Test
    void lockUnlockAndCheckSessionVerbs() {
        String s = http().createSession(Map.of("LockDelay", "0s"));
        String other = http().createSession(Map.of("LockDelay", "0s"));
        Reply lock = txn(op("lock", "t/lock", "Value", Http.b64("me"), "Session", s));
        assertThat(lock.status()).as(lock.text()).isEqualTo(200);
        assertThat(lock.json().get("Results").get(0).get("KV").get("Session").asText()).isEqualTo(s);
        assertThat(http().get("/v1/kv/t/lock").json().get(0).get("LockIndex").asLong()).isEqualTo(1);

        assertThat(txn(op("lock", "t/lock", "Session", other)).status()).isEqualTo(409);
        assertThat(txn(op("check-session", "t/lock", "Session", s)).status()).isEqualTo(200);
        assertThat(txn(op("check-session", "t/lock", "Session", other)).status()).isEqualTo(409);
        assertThat(txn(op("unlock", "t/lock", "Session", other)).status()).isEqualTo(409);

        Reply unlock = txn(op("unlock", "t/lock", "Session", s));
        assertThat(unlock.status()).isEqualTo(200);
        assertThat(http().get("/v1/kv/t/lock").json().get(0).has("Session")).isFalse();
    }

    @Test
    void lockInsideALockDelayFailsTheTransaction() {
        String holder = http().createSession(Map.of("LockDelay", "30s"));
        String next = http().createSession(Map.of("LockDelay", "0s"));
        assertThat(txn(op("lock", "t/delayed", "Session", holder)).status()).isEqualTo(200);
        http().put("/v1/session/destroy/" + holder);

        Reply r = txn(op("set", "t/delayed-side", "Value", Http.b64("x")), op("lock", "t/delayed", "Session", next));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("Errors")).extracting(e -> e.get("OpIndex").asInt()).containsExactly(1);
        assertThat(http().get("/v1/kv/t/delayed-side").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/t/delayed").json().get(0).has("Session")).isFalse();
    }

    @Test
    void lockWithAnUnknownSessionFails() {
        Reply r = txn(op("lock", "t/lock-unknown", "Session", "11111111-2222-3333-4444-555555555555"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("Errors").get(0).get("What").asText()).contains("invalid session");
        assertThat(http().get("/v1/kv/t/lock-unknown").status()).isEqualTo(404);
    }

    @Test
    void deleteVerbs() {
        http().put("/v1/kv/t/del/a", "1");
        http().put("/v1/kv/t/del/b", "2");
        http().put("/v1/kv/t/del/tree/c", "3");
        http().put("/v1/kv/t/del/tree/d", "4");
        long bIdx = modifyIndex("t/del/b");

        assertThat(txn(op("delete-cas", "t/del/b", "Index", bIdx + 100)).status()).isEqualTo(409);
        assertThat(http().get("/v1/kv/t/del/b").status()).isEqualTo(200);

        Reply r = txn(op("delete", "t/del/a"), op("delete-cas", "t/del/b", "Index", bIdx),
                op("delete-tree", "t/del/tree/"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(http().get("/v1/kv/t/del/?recurse").status()).isEqualTo(404);
    }

    @Test
    void unknownVerbIsAnError() {
        Reply r = txn(op("frobnicate", "t/unknown"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("Errors").get(0).get("OpIndex").asInt()).isZero();
    }

    @Test
    void moreThan128OpsIsTooLarge() {
        List<Object> ops = new ArrayList<>();
        for (int i = 0; i < 129; i++) {
            ops.add(op("set", "t/many/" + i, "Value", Http.b64("v")));
        }
        Reply r = http().put("/v1/txn", Http.json(ops)).assertOneLineError(413);
        assertThat(r.text()).contains("129");
        assertThat(http().get("/v1/kv/t/many/?keys").status()).isEqualTo(404);

        // Exactly 128 is allowed.
        Reply ok = http().put("/v1/txn", Http.json(ops.subList(0, 128)));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(http().get("/v1/kv/t/many/?keys").json()).hasSize(128);
    }

    @Test
    void malformedBodyIsBadRequest() {
        for (String body : List.of("[{\"KV\":", "not json", "{\"KV\":{}}", "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"k\",\"Value\":\"%%%\"}}]")) {
            Reply r = http().put("/v1/txn", body);
            r.assertOneLineError(400);
        }
        http().assertStillServing();
    }

    @Test
    void nonKvOperationsAreRefusedClearly() {
        Reply r = txn(Map.of("Node", Map.of("Verb", "set", "Node", Map.of("Node", "n1"))));
        r.assertOneLineError(400);
        assertThat(r.text()).contains("Node");
    }

    @Test
    void typedClientRoundTrip() {
        TxnResponse resp = AGENT.client().txn(List.of(
                TxnOp.of(new TxnOp.KvOp("set", "t/typed", "v".getBytes(StandardCharsets.UTF_8), null, null, null)),
                TxnOp.of(new TxnOp.KvOp("get", "t/typed", null, null, null, null))));
        assertThat(resp.errors()).isNull();
        assertThat(resp.results()).hasSize(2);
        assertThat(resp.results().get(1).kv().valueAsString()).isEqualTo("v");
    }
}
