package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.QueryResult;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import io.roster.api.SessionEntry;
import io.roster.api.TxnOp;
import io.roster.api.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public Java client (roster-api) against a real agent: every typed call, and blocking reads. */
class RosterClientTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RosterClient client() {
        return AGENT.client();
    }

    @Test
    void kvPutGetListKeysDelete() {
        RosterClient c = client();
        assertThat(c.kv().put("client-kv/a/1", utf8("one"))).isTrue();
        assertThat(c.kv().put("client-kv/a/2", utf8("two"), Map.of("flags", "18446744073709551615"))).isTrue();
        assertThat(c.kv().put("client-kv/b", utf8("b"))).isTrue();

        QueryResult<Optional<KvPair>> one = c.kv().get("client-kv/a/1", QueryOptions.DEFAULT);
        assertThat(one.value()).get().extracting(KvPair::valueAsString).isEqualTo("one");
        assertThat(one.index()).isEqualTo(one.value().get().modifyIndex());
        assertThat(one.knownLeader()).isTrue();
        assertThat(c.kv().get("client-kv/a/2", QueryOptions.DEFAULT).value().get().flags()).isEqualTo(-1L);

        assertThat(c.kv().list("client-kv/a/", QueryOptions.DEFAULT).value()).extracting(KvPair::key)
                .containsExactly("client-kv/a/1", "client-kv/a/2");
        assertThat(c.kv().keys("client-kv/", "/", QueryOptions.DEFAULT).value()).containsExactly("client-kv/a/", "client-kv/b");

        assertThat(c.kv().delete("client-kv/b")).isTrue();
        QueryResult<Optional<KvPair>> gone = c.kv().get("client-kv/b", QueryOptions.DEFAULT);
        assertThat(gone.value()).isEmpty();
        assertThat(gone.index()).isPositive();
        assertThat(c.kv().deleteTree("client-kv/")).isTrue();
        assertThat(c.kv().list("client-kv/", QueryOptions.DEFAULT).value()).isEmpty();
    }

    @Test
    void casAndKeysWithSlashesAndSpaces() {
        RosterClient c = client();
        assertThat(c.kv().put("cas key/with space", utf8("v1"), Map.of("cas", "0"))).isTrue();
        assertThat(c.kv().put("cas key/with space", utf8("v2"), Map.of("cas", "0"))).isFalse();
        long idx = c.kv().get("cas key/with space", QueryOptions.DEFAULT).value().get().modifyIndex();
        assertThat(c.kv().put("cas key/with space", utf8("v2"), Map.of("cas", Long.toString(idx)))).isTrue();
        assertThat(c.kv().get("cas key/with space", QueryOptions.DEFAULT).value().get().valueAsString()).isEqualTo("v2");
    }

    @Test
    void blockingGetReturnsWhenTheKeyChanges() throws Exception {
        RosterClient c = client();
        c.kv().put("client/watched", utf8("v1"));
        long idx = c.kv().get("client/watched", QueryOptions.DEFAULT).index();
        long parkedBefore = AGENT.agent().http().blocking().parked();
        CompletableFuture<QueryResult<Optional<KvPair>>> waiting = CompletableFuture.supplyAsync(
                () -> c.kv().get("client/watched", QueryOptions.blocking(idx, Duration.ofSeconds(30))));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> AGENT.agent().http().blocking().parked() > parkedBefore);
        c.kv().put("client/watched", utf8("v2"));
        QueryResult<Optional<KvPair>> r = waiting.get(20, TimeUnit.SECONDS);
        assertThat(r.index()).isGreaterThan(idx);
        assertThat(r.value().get().valueAsString()).isEqualTo("v2");
    }

    @Test
    void sessionsLocksAndRenew() {
        RosterClient c = client();
        String id = c.session().create(Map.of("Name", "client-test", "TTL", "30s", "LockDelay", "0s"));
        assertThat(c.session().info(id, QueryOptions.DEFAULT).value()).get()
                .extracting(SessionEntry::name, SessionEntry::ttl).containsExactly("client-test", "30s");
        assertThat(c.session().list(QueryOptions.DEFAULT).value()).extracting(SessionEntry::id).contains(id);
        assertThat(c.session().node("test-node", QueryOptions.DEFAULT).value()).extracting(SessionEntry::id).contains(id);
        assertThat(c.session().renew(id)).get().extracting(SessionEntry::id).isEqualTo(id);

        assertThat(c.kv().put("client/lock", utf8("me"), Map.of("acquire", id))).isTrue();
        assertThat(c.kv().get("client/lock", QueryOptions.DEFAULT).value().get().session()).isEqualTo(id);
        assertThat(c.session().destroy(id)).isTrue();
        assertThat(c.kv().get("client/lock", QueryOptions.DEFAULT).value().get().session()).isNull();
        assertThat(c.session().renew(id)).isEmpty();
        assertThat(c.session().info(id, QueryOptions.DEFAULT).value()).isEmpty();
    }

    @Test
    void errorsCarryStatusAndMessage() {
        RosterClient c = client();
        assertThatThrownBy(() -> c.kv().put("client/x", utf8("v"), Map.of("acquire", "no-such-session")))
                .isInstanceOf(RosterException.class)
                .satisfies(e -> assertThat(((RosterException) e).status()).isEqualTo(500))
                .hasMessageContaining("invalid session");
        assertThatThrownBy(() -> c.session().create(Map.of("TTL", "1ms")))
                .isInstanceOf(RosterException.class).hasMessageContaining("Invalid Session TTL");
        assertThatThrownBy(() -> c.kv().get("client/x", QueryOptions.DEFAULT.withDatacenter("mars")))
                .isInstanceOf(RosterException.class).hasMessageContaining("No path to datacenter");
    }

    @Test
    void transactionsCommitAndRollBack() {
        RosterClient c = client();
        TxnResponse ok = c.txn(List.of(
                TxnOp.of(new TxnOp.KvOp("set", "client/txn/a", utf8("1"), null, null, null)),
                TxnOp.of(new TxnOp.KvOp("get", "client/txn/a", null, null, null, null))));
        assertThat(ok.errors()).isNull();
        assertThat(ok.results()).hasSize(2);
        assertThat(ok.results().get(1).kv().valueAsString()).isEqualTo("1");

        TxnResponse failed = c.txn(List.of(
                TxnOp.of(new TxnOp.KvOp("set", "client/txn/b", utf8("2"), null, null, null)),
                TxnOp.of(new TxnOp.KvOp("check-index", "client/txn/a", null, null, 999_999L, null))));
        assertThat(failed.results()).isNull();
        assertThat(failed.errors()).singleElement().extracting(TxnResponse.Error::opIndex).isEqualTo(1);
        assertThat(c.kv().get("client/txn/b", QueryOptions.DEFAULT).value()).isEmpty();
    }

    @Test
    void statusLeaderAndPeers() {
        String self = "127.0.0.1:" + AGENT.agent().config().serverPort(); // 8300 unless another process has it
        assertThat(client().status().leader()).isEqualTo(self);
        assertThat(client().status().peers()).containsExactly(self);
    }
}
