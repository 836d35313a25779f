package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cleartext HTTP/2 (the JDK client upgrades with {@code Upgrade: h2c}): a request whose body is
 * refused before it is read (an unknown path, a wrong method, a bad parameter) still gets its
 * answer, and the connection keeps serving. Before the fix the JDK client waited forever for
 * flow-control credit on a body larger than the stream window: the server had answered without
 * reading it. The request timeout turns such a hang into a failure.
 */
class Http2EarlyAnswerTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static final HttpClient H2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> put(String path, byte[] body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(AGENT.agent().httpAddress() + path))
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return H2.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusalsBeforeTheBodyIsReadAreAnsweredOverH2c() throws Exception {
        HttpResponse<String> warm = H2.send(HttpRequest.newBuilder(URI.create(AGENT.agent().httpAddress() + "/v1/status/leader"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(warm.statusCode()).isEqualTo(200);
        byte[] big = new byte[3 * 1024 * 1024]; // far beyond HTTP/2's initial 64 KB stream window

        HttpResponse<String> unknown = put("/v1/nosuch", big);
        assertThat(unknown.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(unknown.statusCode()).isEqualTo(404);

        HttpResponse<String> method = put("/v1/status/leader", big);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(method.body().strip()).isEqualTo("method PUT not allowed");

        HttpResponse<String> cas = put("/v1/kv/h2/a?cas=x", big);
        assertThat(cas.statusCode()).isEqualTo(400);
        assertThat(cas.body().strip()).isEqualTo("Invalid CAS index");

        HttpResponse<String> ok = put("/v1/kv/h2/b", "value".getBytes());
        assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(ok.body().strip()).isEqualTo("true");
        assertThat(AGENT.http().get("/v1/kv/h2/a").status()).isEqualTo(404); // the refused write changed nothing
    }
}
