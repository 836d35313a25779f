package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP calls to an agent process's API on 127.0.0.1, for the process tests. */
public final class LocalHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalHttp() {
    }

    /** {@code method path} on the agent at {@code port}, with {@code body} (null: none); 30 s at most. */
    public static HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** A GET that must answer 200, as JSON. */
    public static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = send(port, "GET", path, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }
}
