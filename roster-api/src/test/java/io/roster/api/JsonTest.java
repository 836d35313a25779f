package io.roster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Consul's wire shapes: exact PascalCase on the way out, any case on the way in. */
class JsonTest {
    private static final ObjectMapper M = Json.mapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- KvPair out

    @Test
    void kvPairHasConsulsExactShapeWithoutSession() {
        KvPair p = new KvPair(0, "web/config", 42, utf8("hello"), null, 7, 9);
        assertThat(Json.writeString(p)).isEqualTo(
                "{\"LockIndex\":0,\"Key\":\"web/config\",\"Flags\":42,\"Value\":\"aGVsbG8=\","
                        + "\"CreateIndex\":7,\"ModifyIndex\":9}");
    }

    @Test
    void kvPairOmitsEmptySession() {
        KvPair p = new KvPair(0, "k", 0, utf8("v"), "", 1, 1);
        assertThat(Json.writeString(p)).doesNotContain("Session")
                .isEqualTo("{\"LockIndex\":0,\"Key\":\"k\",\"Flags\":0,\"Value\":\"dg==\",\"CreateIndex\":1,\"ModifyIndex\":1}");
    }

    @Test
    void kvPairShowsSessionBetweenValueAndCreateIndexWhenLocked() {
        KvPair p = new KvPair(3, "lock", 0, utf8("me"), "adf4238a-882b-9ddc-4a9d-5b6758e4159e", 10, 12);
        assertThat(Json.writeString(p)).isEqualTo(
                "{\"LockIndex\":3,\"Key\":\"lock\",\"Flags\":0,\"Value\":\"bWU=\","
                        + "\"Session\":\"adf4238a-882b-9ddc-4a9d-5b6758e4159e\",\"CreateIndex\":10,\"ModifyIndex\":12}");
    }

    @Test
    void kvPairValueIsNullWhenAbsentOrEmpty() {
        String absent = Json.writeString(new KvPair(0, "k", 0, null, null, 1, 1));
        String empty = Json.writeString(new KvPair(0, "k", 0, new byte[0], null, 1, 1));
        assertThat(absent).contains("\"Value\":null");
        assertThat(empty).isEqualTo(absent);
        assertThat(new KvPair(0, "k", 0, new byte[0], null, 1, 1).value()).isNull();
        assertThat(new KvPair(0, "k", 0, new byte[0], null, 1, 1).valueAsString()).isNull();
    }

    @Test
    void kvPairWithoutValueKeepsEverythingElse() {
        KvPair p = new KvPair(2, "k", 5, utf8("secret"), "s1", 3, 4);
        assertThat(p.withoutValue()).usingRecursiveComparison()
                .isEqualTo(new KvPair(2, "k", 5, null, "s1", 3, 4));
    }

    @Test
    void kvPairRoundTrips() throws java.io.IOException {
        KvPair p = new KvPair(2, "a/b", 1L << 40, new byte[] {0, (byte) 0xff, 10}, "s1", 3, 4);
        KvPair back = M.readValue(Json.write(p), KvPair.class);
        assertThat(back).usingRecursiveComparison().isEqualTo(p);
        assertThat(back.value()).containsExactly(0, 0xff, 10);
    }

    // ---------------------------------------------------------------- requests in, any case

    @Test
    void kvPairFieldsAreMatchedCaseInsensitively() throws JsonProcessingException {
        KvPair p = M.readValue("{\"key\":\"k\",\"value\":\"aGk=\",\"flags\":3,\"session\":\"s\",\"LOCKINDEX\":2,"
                + "\"createindex\":5,\"modifyIndex\":6}", KvPair.class);
        assertThat(p).usingRecursiveComparison().isEqualTo(new KvPair(2, "k", 3, utf8("hi"), "s", 5, 6));
    }

    @Test
    void sessionFieldsAreMatchedCaseInsensitivelyAsPythonConsulSendsThem() throws JsonProcessingException {
        SessionEntry s = M.readValue("{\"name\":\"patroni\",\"node\":\"n1\",\"lockdelay\":15000000000,"
                + "\"behavior\":\"delete\",\"ttl\":\"30s\",\"nodechecks\":[\"serfHealth\"],"
                + "\"servicechecks\":[{\"id\":\"web\",\"namespace\":\"\"}]}", SessionEntry.class);
        assertThat(s.name()).isEqualTo("patroni");
        assertThat(s.node()).isEqualTo("n1");
        assertThat(s.lockDelay()).isEqualTo(15_000_000_000L);
        assertThat(s.behavior()).isEqualTo(SessionEntry.DELETE);
        assertThat(s.ttl()).isEqualTo("30s");
        assertThat(s.nodeChecks()).containsExactly("serfHealth");
        assertThat(s.serviceChecks()).containsExactly(new SessionEntry.ServiceCheck("web", ""));
        assertThat(s.id()).isNull();
    }

    @Test
    void txnOpFieldsAreMatchedCaseInsensitively() throws JsonProcessingException {
        TxnOp[] ops = M.readValue("[{\"kv\":{\"verb\":\"cas\",\"key\":\"k\",\"value\":\"dg==\",\"index\":7,"
                + "\"flags\":1,\"session\":\"s\"}}]", TxnOp[].class);
        assertThat(ops).hasSize(1);
        assertThat(ops[0].kv()).usingRecursiveComparison()
                .isEqualTo(new TxnOp.KvOp("cas", "k", utf8("v"), 1L, 7L, "s"));
    }

    @Test
    void unknownRequestFieldsAreIgnored() throws JsonProcessingException {
        KvPair p = M.readValue("{\"Key\":\"k\",\"Namespace\":\"default\",\"Extra\":{\"a\":[1,2]}}", KvPair.class);
        assertThat(p.key()).isEqualTo("k");
    }

    @Test
    void trailingGarbageIsRejected() {
        assertThatThrownBy(() -> M.readValue("{\"Key\":\"k\"} {}", KvPair.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    // ---------------------------------------------------------------- other responses

    @Test
    void sessionEntryHasConsulsShapeWithDeprecatedChecksAlias() {
        SessionEntry s = new SessionEntry("adf4238a-882b-9ddc-4a9d-5b6758e4159e", "lock", "n1", 15_000_000_000L,
                SessionEntry.RELEASE, "", List.of("serfHealth"), null, 5, 5);
        assertThat(Json.writeString(s)).isEqualTo("{\"ID\":\"adf4238a-882b-9ddc-4a9d-5b6758e4159e\",\"Name\":\"lock\","
                + "\"Node\":\"n1\",\"LockDelay\":15000000000,\"Behavior\":\"release\",\"TTL\":\"\","
                + "\"NodeChecks\":[\"serfHealth\"],\"ServiceChecks\":null,\"Checks\":[\"serfHealth\"],"
                + "\"CreateIndex\":5,\"ModifyIndex\":5}");
    }

    @Test
    void sessionEntryRoundTrips() throws java.io.IOException {
        SessionEntry s = new SessionEntry("id1", "n", "node", 1, SessionEntry.DELETE, "10s", List.of("a", "b"),
                List.of(new SessionEntry.ServiceCheck("web", "default")), 3, 4);
        assertThat(M.readValue(Json.write(s), SessionEntry.class)).isEqualTo(s);
    }

    @Test
    void txnOpOmitsNullFields() {
        TxnOp op = TxnOp.of(new TxnOp.KvOp("get", "k", null, null, null, null));
        assertThat(Json.writeString(op)).isEqualTo("{\"KV\":{\"Verb\":\"get\",\"Key\":\"k\"}}");
    }

    @Test
    void txnResponseShapes() {
        TxnResponse ok = new TxnResponse(List.of(new TxnResponse.Result(new KvPair(0, "k", 0, null, null, 2, 2))), null);
        assertThat(Json.writeString(ok)).isEqualTo("{\"Results\":[{\"KV\":{\"LockIndex\":0,\"Key\":\"k\",\"Flags\":0,"
                + "\"Value\":null,\"CreateIndex\":2,\"ModifyIndex\":2}}],\"Errors\":null}");
        TxnResponse failed = new TxnResponse(null, List.of(new TxnResponse.Error(1, "key \"k\" doesn't exist")));
        assertThat(Json.writeString(failed))
                .isEqualTo("{\"Results\":null,\"Errors\":[{\"OpIndex\":1,\"What\":\"key \\\"k\\\" doesn't exist\"}]}");
    }

    @Test
    void flagsAreUnsigned64BitOnTheWire() throws Exception {
        KvPair max = new KvPair(0, "k", -1L, null, null, 1, 1);
        String json = Json.writeString(max);
        assertThat(json).contains("\"Flags\":18446744073709551615");
        assertThat(Json.mapper().readValue(json, KvPair.class).flags()).isEqualTo(-1L);
        assertThat(Json.mapper().readValue("{\"Key\":\"k\",\"Flags\":42}", KvPair.class).flags()).isEqualTo(42L);
        assertThatThrownBy(() -> Json.mapper().readValue("{\"Key\":\"k\",\"Flags\":18446744073709551616}", KvPair.class))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> Json.mapper().readValue("{\"Key\":\"k\",\"Flags\":-1}", KvPair.class))
                .isInstanceOf(JsonProcessingException.class);
        TxnOp.KvOp op = Json.mapper().readValue("{\"Verb\":\"set\",\"Key\":\"k\",\"Flags\":18446744073709551615}", TxnOp.KvOp.class);
        assertThat(op.flags()).isEqualTo(-1L);
    }
}
