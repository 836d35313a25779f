package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v1/kv}: reads, writes, deletes and their parameters, as Consul clients use them. */
class KvApiTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    @Test
    void putAnswersTrueAndGetReturnsConsulShape() {
        Reply put = http().put("/v1/kv/shape/k", "hello");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text().strip()).isEqualTo("true");

        Reply get = http().get("/v1/kv/shape/k").assertReadHeaders();
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode arr = get.json();
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(1);
        JsonNode e = arr.get(0);
        assertThat(Http.fieldNames(e)).containsExactly("LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex");
        assertThat(e.get("LockIndex").asLong()).isZero();
        assertThat(e.get("Key").asText()).isEqualTo("shape/k");
        assertThat(e.get("Flags").asLong()).isZero();
        assertThat(Http.unb64(e.get("Value"))).isEqualTo("hello");
        assertThat(e.get("CreateIndex").asLong()).isPositive();
        assertThat(e.get("ModifyIndex").asLong()).isEqualTo(e.get("CreateIndex").asLong());
        // A single key reports its own ModifyIndex.
        assertThat(get.index()).isEqualTo(e.get("ModifyIndex").asLong());
    }

    @Test
    void updateKeepsCreateIndexAndBumpsModifyIndex() {
        http().put("/v1/kv/upd/k", "one");
        JsonNode first = http().get("/v1/kv/upd/k").json().get(0);
        http().put("/v1/kv/upd/k", "two");
        JsonNode second = http().get("/v1/kv/upd/k").json().get(0);
        assertThat(second.get("CreateIndex").asLong()).isEqualTo(first.get("CreateIndex").asLong());
        assertThat(second.get("ModifyIndex").asLong()).isGreaterThan(first.get("ModifyIndex").asLong());
        assertThat(Http.unb64(second.get("Value"))).isEqualTo("two");
    }

    @Test
    void emptyValueIsNullOnTheWire() {
        assertThat(http().put("/v1/kv/empty/k").text().strip()).isEqualTo("true");
        JsonNode e = http().get("/v1/kv/empty/k").json().get(0);
        assertThat(e.has("Value")).isTrue();
        assertThat(e.get("Value").isNull()).isTrue();
    }

    @Test
    void rawReturnsTheBytesAsStored() {
        byte[] value = {0, 1, 2, (byte) 0xff, 'x'};
        http().put("/v1/kv/raw/bin", value);
        Reply r = http().get("/v1/kv/raw/bin?raw").assertReadHeaders();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).containsExactly(value);

        Reply missing = http().get("/v1/kv/raw/missing?raw").assertReadHeaders();
        assertThat(missing.status()).isEqualTo(404);
    }

    @Test
    void missingKeyIs404WithNonZeroIndex() {
        Reply r = http().get("/v1/kv/does/not/exist").assertReadHeaders();
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).isEmpty();
        assertThat(r.index()).isPositive();
    }

    @Test
    void missingKeyIndexIsTheKvTableIndex() {
        http().put("/v1/kv/tblidx/a", "1");
        long written = http().get("/v1/kv/tblidx/a").index();
        Reply r = http().get("/v1/kv/tblidx/none");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.index()).isGreaterThanOrEqualTo(written);
    }

    @Test
    void recurseListsEverythingUnderThePrefixSorted() {
        http().put("/v1/kv/rec/b", "2");
        http().put("/v1/kv/rec/a", "1");
        http().put("/v1/kv/rec/a/deep", "3");
        http().put("/v1/kv/recx", "not under rec/");

        Reply r = http().get("/v1/kv/rec/?recurse").assertReadHeaders();
        assertThat(r.status()).isEqualTo(200);
        JsonNode arr = r.json();
        assertThat(arr).extracting(n -> n.get("Key").asText()).containsExactly("rec/a", "rec/a/deep", "rec/b");
        long maxModify = 0;
        for (JsonNode n : arr) {
            maxModify = Math.max(maxModify, n.get("ModifyIndex").asLong());
        }
        assertThat(r.index()).isEqualTo(maxModify);
        assertThat(Http.unb64(arr.get(2).get("Value"))).isEqualTo("2");

        Reply none = http().get("/v1/kv/no-such-prefix/?recurse").assertReadHeaders();
        assertThat(none.status()).isEqualTo(404);
    }

    @Test
    void keysListsNamesAndFoldsAtTheSeparator() {
        http().put("/v1/kv/ks/a", "");
        http().put("/v1/kv/ks/b/c", "");
        http().put("/v1/kv/ks/b/d", "");
        http().put("/v1/kv/ks/e/f/g", "");

        Reply all = http().get("/v1/kv/ks/?keys").assertReadHeaders();
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json()).extracting(JsonNode::asText).containsExactly("ks/a", "ks/b/c", "ks/b/d", "ks/e/f/g");

        Reply folded = http().get("/v1/kv/ks/?keys&separator=/").assertReadHeaders();
        assertThat(folded.json()).extracting(JsonNode::asText).containsExactly("ks/a", "ks/b/", "ks/e/");

        Reply none = http().get("/v1/kv/ks-none/?keys").assertReadHeaders();
        assertThat(none.status()).isEqualTo(404);
    }

    @Test
    void getOfTheRootWithoutRecurseOrKeysIsMissingKeyName() {
        Reply r = http().get("/v1/kv/").assertOneLineError(400);
        assertThat(r.text().strip()).isEqualTo("Missing key name");
        assertThat(http().get("/v1/kv").status()).isEqualTo(400);
        // The root with ?recurse or ?keys is fine.
        http().put("/v1/kv/root-probe", "x");
        assertThat(http().get("/v1/kv/?recurse").status()).isEqualTo(200);
        assertThat(http().get("/v1/kv/?keys").json()).extracting(JsonNode::asText).contains("root-probe");
    }

    @Test
    void putWithoutKeyIsMissingKeyName() {
        assertThat(http().put("/v1/kv/", "x").assertOneLineError(400).text().strip()).isEqualTo("Missing key name");
        assertThat(http().delete("/v1/kv/").assertOneLineError(400).text().strip()).isEqualTo("Missing key name");
    }

    /**
     * An error answered before the request body is read closes the HTTP/1.1 connection, and says so:
     * a client reusing it would otherwise lose its next request ("header parser received no bytes").
     */
    @Test
    void anErrorBeforeTheBodyIsReadSaysTheConnectionCloses() {
        for (int i = 0; i < 200; i++) {
            Reply r = http().put("/v1/kv/", "x".repeat(100));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Connection")).contains("close");
            assertThat(http().delete("/v1/kv/").status()).isEqualTo(400);
        }
        // A body that was read keeps the connection.
        assertThat(http().put("/v1/kv/keep", "x").header("Connection")).isEmpty();
    }

    @Test
    void flagsAreStoredAndReturned() {
        http().put("/v1/kv/flags/k?flags=42", "v");
        assertThat(http().get("/v1/kv/flags/k").json().get(0).get("Flags").asLong()).isEqualTo(42);
        http().put("/v1/kv/flags/big?flags=9223372036854775807", "v");
        assertThat(http().get("/v1/kv/flags/big").json().get(0).get("Flags").asLong()).isEqualTo(Long.MAX_VALUE);
        // Writing flags again replaces them (no flags means 0).
        http().put("/v1/kv/flags/k", "v2");
        assertThat(http().get("/v1/kv/flags/k").json().get(0).get("Flags").asLong()).isZero();
    }

    @Test
    void casZeroCreatesOnlyWhenAbsent() {
        assertThat(http().put("/v1/kv/cas0/k?cas=0", "first").text().strip()).isEqualTo("true");
        assertThat(http().put("/v1/kv/cas0/k?cas=0", "second").text().strip()).isEqualTo("false");
        assertThat(Http.unb64(http().get("/v1/kv/cas0/k").json().get(0).get("Value"))).isEqualTo("first");
    }

    @Test
    void casIndexWritesOnlyAtThatModifyIndex() {
        http().put("/v1/kv/casn/k", "v1");
        long idx = http().get("/v1/kv/casn/k").json().get(0).get("ModifyIndex").asLong();

        assertThat(http().put("/v1/kv/casn/k?cas=" + (idx + 1000), "wrong").text().strip()).isEqualTo("false");
        assertThat(http().put("/v1/kv/casn/k?cas=" + idx, "v2").text().strip()).isEqualTo("true");
        // The index moved: the same CAS now fails.
        assertThat(http().put("/v1/kv/casn/k?cas=" + idx, "v3").text().strip()).isEqualTo("false");
        assertThat(Http.unb64(http().get("/v1/kv/casn/k").json().get(0).get("Value"))).isEqualTo("v2");
        // CAS with a non-zero index on a missing key fails.
        assertThat(http().put("/v1/kv/casn/absent?cas=" + idx, "x").text().strip()).isEqualTo("false");
        assertThat(http().get("/v1/kv/casn/absent").status()).isEqualTo(404);
    }

    @Test
    void deleteRemovesOneKeyOnly() {
        http().put("/v1/kv/del/a", "1");
        http().put("/v1/kv/del/ab", "2");
        Reply d = http().delete("/v1/kv/del/a");
        assertThat(d.status()).isEqualTo(200);
        assertThat(d.text().strip()).isEqualTo("true");
        assertThat(http().get("/v1/kv/del/a").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/del/ab").status()).isEqualTo(200);
        // Deleting a missing key is not an error.
        assertThat(http().delete("/v1/kv/del/never").text().strip()).isEqualTo("true");
    }

    @Test
    void deleteRecurseRemovesTheTree() {
        http().put("/v1/kv/tree/a", "1");
        http().put("/v1/kv/tree/b/c", "2");
        http().put("/v1/kv/treeside", "3");
        assertThat(http().delete("/v1/kv/tree/?recurse").text().strip()).isEqualTo("true");
        assertThat(http().get("/v1/kv/tree/?recurse").status()).isEqualTo(404);
        assertThat(http().get("/v1/kv/treeside").status()).isEqualTo(200);
    }

    @Test
    void deleteRecurseKeepsThePrefixIndexFromGoingBackwards() {
        http().put("/v1/kv/grave/a", "1");
        long before = http().get("/v1/kv/grave/?recurse").index();
        http().delete("/v1/kv/grave/?recurse");
        Reply after = http().get("/v1/kv/grave/?recurse");
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.index()).isGreaterThan(before);
    }

    @Test
    void deleteCasOnlyAtTheModifyIndex() {
        http().put("/v1/kv/dcas/k", "v");
        long idx = http().get("/v1/kv/dcas/k").json().get(0).get("ModifyIndex").asLong();
        assertThat(http().delete("/v1/kv/dcas/k?cas=" + (idx + 1000)).text().strip()).isEqualTo("false");
        assertThat(http().get("/v1/kv/dcas/k").status()).isEqualTo(200);
        assertThat(http().delete("/v1/kv/dcas/k?cas=" + idx).text().strip()).isEqualTo("true");
        assertThat(http().get("/v1/kv/dcas/k").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"recurse", "recurse=", "recurse=1", "recurse=true", "recurse=True"})
    void recurseIsAPresenceFlag(String flag) {
        http().put("/v1/kv/pres-r/x", "1");
        http().put("/v1/kv/pres-r/y", "2");
        Reply r = http().get("/v1/kv/pres-r/?" + flag);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"keys", "keys=", "keys=1", "keys=true", "keys=True"})
    void keysIsAPresenceFlag(String flag) {
        http().put("/v1/kv/pres-k/x", "1");
        Reply r = http().get("/v1/kv/pres-k/?" + flag);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).extracting(JsonNode::asText).containsExactly("pres-k/x");
    }

    @Test
    void utf8KeysRoundTrip() {
        String key = "utf/ключ/ü €/日本";
        String encoded = "utf/%D0%BA%D0%BB%D1%8E%D1%87/%C3%BC%20%E2%82%AC/%E6%97%A5%E6%9C%AC";
        assertThat(http().put("/v1/kv/" + encoded, "v").text().strip()).isEqualTo("true");
        Reply r = http().get("/v1/kv/" + encoded);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get(0).get("Key").asText()).isEqualTo(key);
        // The typed client, encoding on its own, finds the same key.
        assertThat(AGENT.client().kv().get(key, io.roster.api.QueryOptions.DEFAULT).value()).isPresent();
        assertThat(http().get("/v1/kv/utf/?keys").json()).extracting(JsonNode::asText).contains(key);
    }

    @Test
    void percentEncodedSlashIsAPathSeparatorInTheKey() {
        // kiwiproject's consul-client sends /v1/kv/a%2Fb and means the key "a/b".
        assertThat(http().put("/v1/kv/enc%2Fslash%2Fk", "v").text().strip()).isEqualTo("true");
        Reply plain = http().get("/v1/kv/enc/slash/k");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.json().get(0).get("Key").asText()).isEqualTo("enc/slash/k");
        Reply encoded = http().get("/v1/kv/enc%2Fslash%2F?recurse=true");
        assertThat(encoded.status()).isEqualTo(200);
        assertThat(encoded.json()).extracting(n -> n.get("Key").asText()).containsExactly("enc/slash/k");
    }

    @Test
    void plusInAPathIsALiteralPlus() {
        http().put("/v1/kv/plus/a+b", "v");
        assertThat(http().get("/v1/kv/plus/a+b").json().get(0).get("Key").asText()).isEqualTo("plus/a+b");
        assertThat(http().get("/v1/kv/plus/a%20b").status()).isEqualTo(404);
    }

    @Test
    void otherDatacenterHasNoPath() {
        Reply r = http().get("/v1/kv/anything?dc=other").assertOneLineError(500);
        assertThat(r.text().strip()).isEqualTo("No path to datacenter");
        assertThat(http().put("/v1/kv/dc/k?dc=other", "v").status()).isEqualTo(500);
        assertThat(http().get("/v1/kv/dc/k").status()).isEqualTo(404);
        // The agent's own datacenter is accepted.
        assertThat(http().put("/v1/kv/dc/k?dc=dc1", "v").status()).isEqualTo(200);
        assertThat(http().get("/v1/kv/dc/k?dc=dc1").status()).isEqualTo(200);
    }

    @Test
    void everyReadKindCarriesTheConsulHeaders() {
        http().put("/v1/kv/hdr/k", "v");
        for (String path : List.of("/v1/kv/hdr/k", "/v1/kv/hdr/k?raw", "/v1/kv/hdr/?recurse", "/v1/kv/hdr/?keys",
                "/v1/kv/hdr/?keys&separator=/", "/v1/kv/hdr/missing", "/v1/kv/hdr-none/?recurse",
                "/v1/kv/hdr-none/?keys", "/v1/kv/hdr/k?stale", "/v1/kv/hdr/k?consistent")) {
            Reply r = http().get(path);
            assertThat(r.status()).as(path).isIn(200, 404);
            r.assertReadHeaders();
        }
    }

    @Test
    void typedClientSeesWhatRawHttpWrote() {
        http().put("/v1/kv/typed/k?flags=7", "value");
        var r = AGENT.client().kv().get("typed/k", io.roster.api.QueryOptions.DEFAULT);
        assertThat(r.index()).isPositive();
        assertThat(r.knownLeader()).isTrue();
        assertThat(r.value()).hasValueSatisfying(p -> {
            assertThat(p.flags()).isEqualTo(7);
            assertThat(p.valueAsString()).isEqualTo("value");
        });
        assertThat(AGENT.client().kv().put("typed/k2", "x".getBytes(StandardCharsets.UTF_8), Map.of("cas", "0"))).isTrue();
        assertThat(AGENT.client().kv().put("typed/k2", "x".getBytes(StandardCharsets.UTF_8), Map.of("cas", "0"))).isFalse();
    }
}
