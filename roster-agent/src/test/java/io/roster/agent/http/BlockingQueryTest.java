package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.http.Http.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocking queries ({@code ?index=N&wait=D}) on KV reads. Writes that should wake a parked query are
 * made only once the agent reports it parked, so the test sees the wake-up and not an early answer.
 */
class BlockingQueryTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    /** Sends a blocking GET and returns once the agent has parked it. */
    private static CompletableFuture<Reply> parkedGet(String path) {
        long before = AGENT.parked();
        CompletableFuture<Reply> f = http().getAsync(path);
        await().atMost(AWAIT).until(() -> AGENT.parked() > before || f.isDone());
        assertThat(f).as("answered at once instead of parking: " + path).isNotDone();
        return f;
    }

    @AfterEach
    void nothingLeftParked() {
        await().atMost(AWAIT).until(() -> AGENT.parked() == 0);
    }

    @Test
    void writeToTheKeyWakesItsBlockingRead() {
        http().put("/v1/kv/bq/k", "v1");
        Reply first = http().get("/v1/kv/bq/k");
        long idx = first.index();

        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/k?index=" + idx + "&wait=5s");
        http().put("/v1/kv/bq/k", "v2");
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.index()).isGreaterThan(idx);
        assertThat(Http.unb64(woken.json().get(0).get("Value"))).isEqualTo("v2");
        assertThat(woken.index()).isEqualTo(woken.json().get(0).get("ModifyIndex").asLong());
    }

    @Test
    void writeToAnotherKeyDoesNotChangeTheAnswer() {
        http().put("/v1/kv/bq/quiet", "same");
        Reply first = http().get("/v1/kv/bq/quiet");

        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/quiet?index=" + first.index() + "&wait=1s");
        http().put("/v1/kv/bq/x", "unrelated");
        Reply after = Http.join(parked).assertReadHeaders();
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.index()).isEqualTo(first.index());
        assertThat(after.text()).isEqualTo(first.text());
    }

    @Test
    void prefixWatchIsWokenByAWriteUnderThePrefixOnly() {
        http().put("/v1/kv/a/first", "1");
        Reply first = http().get("/v1/kv/a/?recurse");
        long idx = first.index();

        // A write outside the prefix leaves the answer as it was when the wait runs out.
        CompletableFuture<Reply> quiet = parkedGet("/v1/kv/a/?recurse&index=" + idx + "&wait=1s");
        http().put("/v1/kv/b/x", "elsewhere");
        Reply unchanged = Http.join(quiet);
        assertThat(unchanged.index()).isEqualTo(idx);
        assertThat(unchanged.text()).isEqualTo(first.text());

        // A deep write under it wakes it with the new entry.
        CompletableFuture<Reply> parked = parkedGet("/v1/kv/a/?recurse&index=" + idx + "&wait=5s");
        http().put("/v1/kv/a/b/c", "deep");
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.index()).isGreaterThan(idx);
        assertThat(woken.json()).extracting(n -> n.get("Key").asText()).containsExactly("a/b/c", "a/first");
    }

    @Test
    void keysWatchIsWokenByADelete() {
        http().put("/v1/kv/kw/one", "1");
        http().put("/v1/kv/kw/two", "2");
        Reply first = http().get("/v1/kv/kw/?keys");
        CompletableFuture<Reply> parked = parkedGet("/v1/kv/kw/?keys&index=" + first.index() + "&wait=5s");
        http().delete("/v1/kv/kw/one");
        Reply woken = Http.join(parked);
        assertThat(woken.index()).isGreaterThan(first.index());
        assertThat(woken.json()).extracting(JsonNode::asText).containsExactly("kw/two");
    }

    @Test
    void missingKeyBlockingReadIsWokenByItsCreation() {
        Reply missing = http().get("/v1/kv/bq/later");
        assertThat(missing.status()).isEqualTo(404);
        long idx = missing.index();

        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/later?index=" + idx + "&wait=5s");
        http().put("/v1/kv/bq/later", "now");
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.index()).isGreaterThan(idx);
        assertThat(Http.unb64(woken.json().get(0).get("Value"))).isEqualTo("now");
    }

    @Test
    void firstWritesToAnEmptyAgentWakeReadsOfEmptyTables() throws Exception {
        // An empty table reports index 1 (never 0). The first write must get a higher index, or a
        // reader blocking on 1 would take the write for "no change" and sleep through it.
        try (io.roster.agent.Agent fresh = TestAgent.start(java.util.function.UnaryOperator.identity())) {
            Http h = new Http(fresh.httpAddress());
            Reply missing = h.get("/v1/kv/first");
            assertThat(missing.status()).isEqualTo(404);
            CompletableFuture<Reply> kv = h.getAsync("/v1/kv/first?index=" + missing.index() + "&wait=10s");
            Reply sessions = h.get("/v1/session/list");
            CompletableFuture<Reply> list = h.getAsync("/v1/session/list?index=" + sessions.index() + "&wait=10s");
            await().atMost(AWAIT).until(() -> fresh.http().blocking().parked() == 2);

            assertThat(h.put("/v1/kv/first", "v").text().strip()).isEqualTo("true");
            Reply woken = Http.join(kv);
            assertThat(woken.status()).isEqualTo(200);
            assertThat(woken.index()).isGreaterThan(missing.index());

            String id = h.createSession(java.util.Map.of());
            Reply listed = Http.join(list);
            assertThat(listed.index()).isGreaterThan(sessions.index());
            assertThat(listed.json()).extracting(n -> n.get("ID").asText()).containsExactly(id);
        }
    }

    @Test
    void deleteWakesASingleKeyRead() {
        http().put("/v1/kv/bq/doomed", "x");
        long idx = http().get("/v1/kv/bq/doomed").index();
        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/doomed?index=" + idx + "&wait=5s");
        http().delete("/v1/kv/bq/doomed");
        Reply woken = Http.join(parked).assertReadHeaders();
        assertThat(woken.status()).isEqualTo(404);
        assertThat(woken.index()).isGreaterThan(idx);
    }

    @Test
    void staleIndexIsAnsweredAtOnce() {
        http().put("/v1/kv/bq/old", "1");
        long idx1 = http().get("/v1/kv/bq/old").index();
        http().put("/v1/kv/bq/old", "2");
        // The client's index is behind: no waiting, the current state comes back.
        Reply r = http().get("/v1/kv/bq/old?index=" + idx1 + "&wait=5m");
        assertThat(r.index()).isGreaterThan(idx1);
        assertThat(Http.unb64(r.json().get(0).get("Value"))).isEqualTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"15s", "15.0s", "120000ms", "1m30s", "9.87s", "55s"})
    void goDurationWaitsAreAcceptedAndBlock(String wait) {
        http().put("/v1/kv/bq/wait", "before-" + wait);
        long idx = http().get("/v1/kv/bq/wait").index();
        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/wait?index=" + idx + "&wait=" + wait);
        http().put("/v1/kv/bq/wait", "after-" + wait);
        Reply woken = Http.join(parked);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(Http.unb64(woken.json().get(0).get("Value"))).isEqualTo("after-" + wait);
    }

    @Test
    void badWaitIsRejected() {
        http().put("/v1/kv/bq/bad", "x");
        for (String wait : new String[] {"abc", "10", "5x", "1.2.3s"}) {
            Reply r = http().get("/v1/kv/bq/bad?index=1&wait=" + wait).assertOneLineError(400);
            assertThat(r.text().strip()).as("wait=" + wait).isEqualTo("Invalid wait time");
        }
    }

    @Test
    void badIndexIsRejected() {
        http().put("/v1/kv/bq/bad-index", "x");
        for (String index : new String[] {"x", "-1", "1.5", "18446744073709551616"}) {
            Reply r = http().get("/v1/kv/bq/bad-index?index=" + index).assertOneLineError(400);
            assertThat(r.text().strip()).as("index=" + index).isEqualTo("Invalid index");
        }
    }

    @Test
    void emptyIndexMeansNoIndex() {
        http().put("/v1/kv/bq/empty-index", "e");
        // Consul ignores an empty ?index=, so this is an ordinary read answered at once.
        Reply r = http().get("/v1/kv/bq/empty-index?index=&wait=5m").assertReadHeaders();
        assertThat(r.status()).isEqualTo(200);
        assertThat(Http.unb64(r.json().get(0).get("Value"))).isEqualTo("e");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0", "-1s"})
    void zeroOrNegativeWaitMeansTheDefaultWaitNotNoWait(String wait) {
        http().put("/v1/kv/bq/zero-wait", "before");
        long idx = http().get("/v1/kv/bq/zero-wait").index();
        // Consul replaces a wait <= 0 with its default wait, so the query parks like any other.
        CompletableFuture<Reply> parked = parkedGet("/v1/kv/bq/zero-wait?index=" + idx + "&wait=" + wait);
        http().put("/v1/kv/bq/zero-wait", "after");
        Reply woken = Http.join(parked);
        assertThat(woken.index()).isGreaterThan(idx);
        assertThat(Http.unb64(woken.json().get(0).get("Value"))).isEqualTo("after");
    }

    @Test
    void staleAndConsistentAreAcceptedAlone() {
        http().put("/v1/kv/bq/mode", "m");
        for (String q : new String[] {"stale", "stale=", "stale=1", "consistent", "consistent=1", "cached"}) {
            Reply r = http().get("/v1/kv/bq/mode?" + q).assertReadHeaders();
            assertThat(r.status()).as(q).isEqualTo(200);
            assertThat(Http.unb64(r.json().get(0).get("Value"))).isEqualTo("m");
        }
    }

    @Test
    void staleWithConsistentIsRejected() {
        http().put("/v1/kv/bq/both", "b");
        Reply r = http().get("/v1/kv/bq/both?stale&consistent").assertOneLineError(400);
        assertThat(r.text()).contains("stale").contains("consistent");
    }

    @Test
    void manyParkedReadersAreAllWoken() {
        http().put("/v1/kv/bq/many", "0");
        long idx = http().get("/v1/kv/bq/many").index();
        int n = 20;
        @SuppressWarnings("unchecked")
        CompletableFuture<Reply>[] fs = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            fs[i] = http().getAsync("/v1/kv/bq/many?index=" + idx + "&wait=10s");
        }
        await().atMost(AWAIT).until(() -> AGENT.parked() >= n);
        http().put("/v1/kv/bq/many", "1");
        for (CompletableFuture<Reply> f : fs) {
            Reply r = Http.join(f);
            assertThat(r.index()).isGreaterThan(idx);
            assertThat(Http.unb64(r.json().get(0).get("Value"))).isEqualTo("1");
        }
    }
}
