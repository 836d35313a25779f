package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.http.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One test per class of bad input: each must get a precise status with a one-line plain-text
 * message (never a stack trace or an HTML page), change nothing, and leave the agent serving.
 */
class BadInputTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    @AfterEach
    void agentStillServes() {
        http().assertStillServing();
        assertThat(http().put("/v1/kv/good/after-each", "ok").text().strip()).isEqualTo("true");
    }

    private static int sessionCount() {
        return http().get("/v1/session/list").json().size();
    }

    /**
     * {@code ?dc=} naming a datacenter Roster has no path to: Consul's agent endpoints answer from the
     * local agent without reading it (200), an event fired there and the cluster routes answer
     * {@code 500 No path to datacenter} (a fuzz finding: the agent routes answered 500 too).
     */
    @Test
    void anOtherDatacenterIsIgnoredByTheAgentsOwnRoutes() {
        for (String path : new String[] {"/v1/agent/self", "/v1/agent/services", "/v1/agent/checks", "/v1/agent/members",
            "/v1/agent/metrics", "/v1/event/list"}) {
            Reply r = http().get(path + "?dc=elsewhere");
            assertThat(r.status()).as(path + " -> " + r.text()).isEqualTo(200);
        }
        assertThat(http().put("/v1/event/fire/fz?dc=elsewhere", "").assertOneLineError(500).text().strip()).isEqualTo("No path to datacenter");
        assertThat(http().get("/v1/kv/x?dc=elsewhere").assertOneLineError(500).text().strip()).isEqualTo("No path to datacenter");
        assertThat(http().get("/v1/catalog/nodes?dc=elsewhere").assertOneLineError(500).text().strip()).isEqualTo("No path to datacenter");
    }

    @Test
    void malformedJsonOnSessionCreate() {
        int sessions = sessionCount();
        for (String body : new String[] {"{bad", "{\"Name\": }", "[1,2]", "{\"TTL\": {\"x\": 1}}", "{} trailing"}) {
            Reply r = http().put("/v1/session/create", body).assertOneLineError(400);
            assertThat(r.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(r.text()).as(body).startsWith("Request decode failed").doesNotContain("[Source:");
        }
        assertThat(sessionCount()).isEqualTo(sessions);
    }

    @Test
    void malformedTransactionBodiesNameNoJavaType() {
        String[] bodies = {"{}", "[1]", "\"x\"", "[{\"KV\": 1}]", "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"a\", \"Index\": \"x\"}}]",
            "[{\"KV\": {\"Verb\": []}}]", "[{bad", "[{\"KV\": {\"Flags\": 1.5e999}}]"};
        for (String body : bodies) {
            Reply r = http().put("/v1/txn", body).assertOneLineError(400);
            assertThat(r.text()).as(body).startsWith("Failed to parse body: ")
                    .doesNotContain("java.", "io.roster", "ArrayList", "TxnOp", "[Source:", "`");
        }
        assertThat(http().put("/v1/txn", "{}").text()).isEqualTo("Failed to parse body: cannot decode the body: expected an array\n");
        assertThat(http().put("/v1/txn", "[{\"KV\": 1}]").text()).isEqualTo("Failed to parse body: cannot decode [0].KV: expected an object\n");
        for (String body : new String[] {"{\"Name\": []}", "{\"Checks\": {}}"}) {
            assertThat(http().put("/v1/session/create", body).assertOneLineError(400).text()).as(body)
                    .startsWith("Request decode failed: cannot decode ").doesNotContain("java.", "io.roster", "`");
        }
    }

    @Test
    void badLockDelayOnSessionCreate() {
        int sessions = sessionCount();
        for (String body : new String[] {"{\"LockDelay\": \"soon\"}", "{\"LockDelay\": true}", "{\"LockDelay\": \"-5s\"}"}) {
            http().put("/v1/session/create", body).assertOneLineError(400);
        }
        assertThat(sessionCount()).isEqualTo(sessions);
    }

    @Test
    void oversizedKvValue() {
        byte[] big = new byte[512 * 1024 + 1];
        Arrays.fill(big, (byte) 'x');
        Reply r = http().put("/v1/kv/bad/big", big).assertOneLineError(413);
        assertThat(r.text()).contains("too large");
        assertThat(http().get("/v1/kv/bad/big").status()).isEqualTo(404);

        // Exactly the limit is accepted.
        byte[] max = Arrays.copyOf(big, 512 * 1024);
        assertThat(http().put("/v1/kv/bad/max", max).text().strip()).isEqualTo("true");
        assertThat(http().get("/v1/kv/bad/max?raw").body()).hasSize(512 * 1024);
    }

    @Test
    void oversizedValueInATransaction() {
        String big = java.util.Base64.getEncoder().encodeToString(new byte[512 * 1024 + 1]);
        Reply r = http().put("/v1/txn", Http.json(java.util.List.of(Map.of("KV",
                Map.of("Verb", "set", "Key", "bad/txn-big", "Value", big))))).assertOneLineError(413);
        assertThat(r.text()).contains("too large");
        assertThat(http().get("/v1/kv/bad/txn-big").status()).isEqualTo(404);
    }

    @Test
    void nonUtf8PercentEncodingInTheKey() {
        http().put("/v1/kv/bad/%FF%FE", "x").assertOneLineError(400);
        http().get("/v1/kv/bad/%C3%28").assertOneLineError(400);
        http().get("/v1/kv/bad/ok?dc=%FF").assertOneLineError(400);
        assertThat(http().get("/v1/kv/bad/?keys").status()).as("nothing was written under bad/").isEqualTo(404);
    }

    @Test
    void unknownMethod() {
        Reply r = http().send("PATCH", "/v1/kv/bad/x", "v".getBytes(StandardCharsets.UTF_8)).assertOneLineError(405);
        assertThat(r.header("Allow")).hasValueSatisfying(a -> assertThat(a).contains("GET").contains("PUT").contains("DELETE"));
        http().send("DELETE", "/v1/session/list", null).assertOneLineError(405);
        http().send("GET", "/v1/txn", null).assertOneLineError(405);
        assertThat(http().get("/v1/kv/bad/x").status()).isEqualTo(404);
    }

    @Test
    void unknownPath() {
        http().get("/v1/nope").assertOneLineError(404);
        http().get("/v2/kv/x").assertOneLineError(404);
        http().put("/v1/kvx/y", "v").assertOneLineError(404);
        http().get("/v1/sessionlist").assertOneLineError(404);
    }

    @Test
    void badFlagsParameter() {
        for (String flags : new String[] {"x", "-1", "1.5", "", "18446744073709551616"}) {
            Reply r = http().put("/v1/kv/bad/flags?flags=" + flags, "v").assertOneLineError(400);
            assertThat(r.text().strip()).as("flags=" + flags).isEqualTo("Invalid flags");
        }
        assertThat(http().get("/v1/kv/bad/flags").status()).isEqualTo(404);
    }

    @Test
    void badCasParameter() {
        http().put("/v1/kv/bad/cas", "orig");
        for (String cas : new String[] {"x", "-1", ""}) {
            http().put("/v1/kv/bad/cas?cas=" + cas, "changed").assertOneLineError(400);
            http().delete("/v1/kv/bad/cas?cas=" + cas).assertOneLineError(400);
        }
        assertThat(Http.unb64(http().get("/v1/kv/bad/cas").json().get(0).get("Value"))).isEqualTo("orig");
    }

    @Test
    void acquireAndReleaseTogether() {
        String s = http().createSession(Map.of());
        http().put("/v1/kv/bad/lock?acquire=" + s + "&release=" + s, "v").assertOneLineError(400);
        assertThat(http().get("/v1/kv/bad/lock").status()).isEqualTo(404);
        // cas cannot be combined with a lock operation either.
        http().put("/v1/kv/bad/lock?acquire=" + s + "&cas=0", "v").assertOneLineError(400);
        assertThat(http().get("/v1/kv/bad/lock").status()).isEqualTo(404);
    }

    @Test
    void missingSessionIdForAcquire() {
        http().put("/v1/kv/bad/nosession?acquire=", "v").assertOneLineError(400);
        http().put("/v1/kv/bad/nosession?release", "v").assertOneLineError(400);
        assertThat(http().get("/v1/kv/bad/nosession").status()).isEqualTo(404);
    }

    @Test
    void missingIdsInSessionPaths() {
        http().put("/v1/session/destroy/").assertOneLineError(400);
        http().put("/v1/session/renew/").assertOneLineError(400);
        http().get("/v1/session/info/").assertOneLineError(400);
        http().get("/v1/session/node/").assertOneLineError(400);
    }

    @Test
    void malformedTransactionBody() {
        Reply r = http().put("/v1/txn", "[{\"KV\": {\"Verb\": \"set\", \"Key\": 12, \"Value\": \"!!\"}}").assertOneLineError(400);
        assertThat(r.text()).doesNotContain("[Source:");
    }

    @Test
    void malformedRequestLineIsAnsweredByJettyInPlainText() throws Exception {
        // A space inside the request target: Jetty rejects it before any handler; the answer must
        // still be a plain one-line error, not Jetty's HTML page.
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", AGENT.agent().httpPort())) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write("GET /v1/kv/a b c HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            sock.getOutputStream().flush();
            String answer = new String(sock.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<html");
        }
    }
}
