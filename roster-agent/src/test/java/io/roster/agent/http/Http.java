package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Raw HTTP/1.1 requests to an agent. Paths are sent exactly as given (already percent-encoded), so
 * tests control what goes on the wire.
 */
final class Http {
    /** Longer than any blocking query a test makes; a hung server fails the test instead of hanging it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Http(String base) {
        this.base = base;
    }

    /** One answer: status, headers and body. */
    record Reply(int status, HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("body is not JSON (status " + status + "): " + text(), e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** {@code X-Consul-Index} as a number; fails when it is missing. */
        long index() {
            String v = header("X-Consul-Index").orElseThrow(() -> new AssertionError("no X-Consul-Index header"));
            return Long.parseLong(v);
        }

        /** Asserts the headers every Consul read carries: a non-zero index, a known leader, no lag. */
        Reply assertReadHeaders() {
            assertThat(index()).as("X-Consul-Index").isPositive();
            assertThat(header("X-Consul-KnownLeader")).as("X-Consul-KnownLeader").contains("true");
            assertThat(header("X-Consul-LastContact")).as("X-Consul-LastContact").contains("0");
            return this;
        }

        /** Asserts a plain-text, one-line error body (no stack trace) with the given status. */
        Reply assertOneLineError(int expectedStatus) {
            assertThat(status).as("status of error answer: " + text()).isEqualTo(expectedStatus);
            String t = text();
            assertThat(t.strip()).as("error message").isNotEmpty().doesNotContain("\n").doesNotContain("\r");
            assertThat(t).as("error body").doesNotContain("\tat ").doesNotContain("<html");
            return this;
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply put(String path) {
        return send("PUT", path, null);
    }

    Reply put(String path, String body) {
        return send("PUT", path, body.getBytes(StandardCharsets.UTF_8));
    }

    Reply put(String path, byte[] body) {
        return send("PUT", path, body);
    }

    Reply delete(String path) {
        return send("DELETE", path, null);
    }

    Reply send(String method, String path, byte[] body) {
        return join(sendAsync(method, path, body));
    }

    CompletableFuture<Reply> getAsync(String path) {
        return sendAsync("GET", path, null);
    }

    CompletableFuture<Reply> sendAsync(String method, String path, byte[] body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Reply(r.statusCode(), r.headers(), r.body()));
    }

    static Reply join(CompletableFuture<Reply> f) {
        try {
            return f.get(TIMEOUT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new AssertionError("request failed", c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer in time", e);
        }
    }

    /** Serializes a request body (maps, lists) to JSON. */
    static String json(Object value) {
        return Json.writeString(value);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(JsonNode n) {
        return n == null || n.isNull() ? null : new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    /** The field names of a JSON object, in order. */
    static List<String> fieldNames(JsonNode obj) {
        List<String> out = new java.util.ArrayList<>();
        obj.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Creates a session from a JSON body and returns its ID, asserting success. */
    String createSession(Object body) {
        Reply r = put("/v1/session/create", json(body));
        assertThat(r.status()).as("session create: " + r.text()).isEqualTo(200);
        return r.json().get("ID").asText();
    }

    /** Asserts a server still answers an ordinary request (after bad input). */
    void assertStillServing() {
        Reply r = get("/v1/status/leader");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().isTextual()).isTrue();
    }
}
