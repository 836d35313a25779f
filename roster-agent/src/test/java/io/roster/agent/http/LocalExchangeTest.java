package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A forwarded request is dispatched straight into the route table ({@link LocalExchange}, what the
 * server RPC's {@code Forward} uses): for the same requests, the same status, body and
 * {@code X-Consul-*}/{@code Allow} headers as on the agent's HTTP socket.
 */
class LocalExchangeTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static final long TIMEOUT_MS = 30_000;

    private static LocalExchange.Answer direct(String method, String pathQuery, byte[] body, String[]... headers) throws Exception {
        LocalExchange.Exchange x = AGENT.agent().http().local().start(method, pathQuery, List.of(headers), body);
        LocalExchange.Answer a = x.await(TIMEOUT_MS);
        assertThat(a).as("answer to %s %s", method, pathQuery).isNotNull();
        return a;
    }

    private static Optional<String> header(LocalExchange.Answer a, String name) {
        return a.headers().stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    /** Sends the same request both ways and checks the answers agree. */
    private static LocalExchange.Answer same(String method, String pathQuery, String body) throws Exception {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Http.Reply socket = AGENT.http().send(method, pathQuery, body == null ? null : b);
        LocalExchange.Answer a = direct(method, pathQuery, b);
        assertThat(a.status()).as("status of %s %s", method, pathQuery).isEqualTo(socket.status());
        if (!method.equals("HEAD")) {
            assertThat(new String(a.body(), StandardCharsets.UTF_8)).as("body of %s %s", method, pathQuery)
                    .isEqualTo(new String(socket.body(), StandardCharsets.UTF_8));
        }
        for (String h : List.of("X-Consul-Index", "X-Consul-KnownLeader", "X-Consul-LastContact", "Allow")) {
            assertThat(header(a, h)).as("%s of %s %s", h, method, pathQuery).isEqualTo(socket.header(h));
        }
        if (socket.status() == 200 && socket.body().length > 0 && !method.equals("HEAD")) {
            assertThat(a.contentType()).as("content type of %s %s", method, pathQuery)
                    .isEqualTo(socket.header("Content-Type").orElse(null));
        }
        return a;
    }

    @Test
    void answersAsTheSocketDoes() throws Exception {
        assertThat(same("PUT", "/v1/kv/lx/a%2Fb", "v1").status()).isEqualTo(200);
        assertThat(new String(same("GET", "/v1/kv/lx/a/b?raw", null).body(), StandardCharsets.UTF_8)).isEqualTo("v1");
        same("GET", "/v1/kv/lx/?recurse", null);
        same("GET", "/v1/kv/lx?keys&separator=/", null);
        assertThat(same("HEAD", "/v1/kv/lx/a/b", null).body()).isEmpty();
        assertThat(same("GET", "/v1/kv/lx/missing", null).status()).isEqualTo(404);
        assertThat(same("PATCH", "/v1/kv/lx/a", "x").status()).isEqualTo(405);
        assertThat(same("OPTIONS", "/v1/kv/lx/a", null).status()).isEqualTo(200);
        assertThat(same("GET", "/v1/nothing/here", null).status()).isEqualTo(404);
        assertThat(same("GET", "/v1/kv/x?index=abc", null).status()).isEqualTo(400);
        assertThat(same("GET", "/v1/kv/%C3%28", null).status()).isEqualTo(400);
        assertThat(same("GET", "/v1/kv/x?dc=elsewhere", null).status()).isEqualTo(500);
        same("GET", "/v1/status/leader", null);
        same("GET", "/v1/catalog/services", null);
        same("GET", "/v1/health/service/consul?passing", null);
        assertThat(same("PUT", "/v1/txn", "[{\"KV\":{\"Verb\":\"get\",\"Key\":\"lx/a/b\"}}]").status()).isEqualTo(200);
        assertThat(same("PUT", "/v1/txn", "{not json").status()).isEqualTo(400);
        assertThat(same("DELETE", "/v1/kv/lx?recurse", null).status()).isEqualTo(200);
    }

    @Test
    void headersAndTokenReachTheHandlerAndAParkedQueryAnswersAfterAWrite() throws Exception {
        AGENT.client().kv().put("lx2/k", "one".getBytes(StandardCharsets.UTF_8));
        LocalExchange.Answer first = direct("GET", "/v1/kv/lx2/k", new byte[0], new String[] {"X-Consul-Token", "t-1"});
        long index = Long.parseLong(header(first, "X-Consul-Index").orElseThrow());
        LocalExchange.Exchange parked = AGENT.agent().http().local()
                .start("GET", "/v1/kv/lx2/k?index=" + index + "&wait=20s", List.of(), new byte[0]);
        AGENT.client().kv().put("lx2/k", "two".getBytes(StandardCharsets.UTF_8));
        LocalExchange.Answer woke = parked.await(TIMEOUT_MS);
        assertThat(woke).isNotNull();
        assertThat(woke.status()).isEqualTo(200);
        assertThat(Long.parseLong(header(woke, "X-Consul-Index").orElseThrow())).isGreaterThan(index);
        assertThat(new String(woke.body(), StandardCharsets.UTF_8)).contains("\"Value\":\"dHdv\"");
    }

    @Test
    void aRequestHttpCouldNotCarryIsRefused() {
        LocalExchange local = AGENT.agent().http().local();
        for (String[] bad : List.of(new String[] {"get", "/v1/kv/x"}, new String[] {"GET", "v1/kv/x"},
                new String[] {"GET", "/v1/kv/a b"})) {
            try {
                local.start(bad[0], bad[1], List.of(), new byte[0]);
                throw new AssertionError("accepted " + String.join(" ", bad));
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
