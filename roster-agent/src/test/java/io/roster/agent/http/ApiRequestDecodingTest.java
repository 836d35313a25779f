package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a request's path and query are decoded (pinned before the decoding moved onto Jetty's
 * {@code UrlEncoded}): {@code +} is a plus in the path and a space in the query, {@code %2F} is a
 * slash, a {@code %} that starts no escape stays as it is, {@code ;}, {@code &} and {@code =} in a
 * path are part of a KV key, parameters keep their order and repeats, and bytes that are not UTF-8
 * answer 400 with one line.
 */
class ApiRequestDecodingTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static ApiRequest req(String rawPath, String rawQuery) {
        return ApiRequest.of("GET", rawPath, rawQuery, HttpFields.EMPTY, ApiRequest.Body.of(new byte[0]));
    }

    private static String path(String rawPath) {
        return req(rawPath, null).path();
    }

    private static Map<String, List<String>> query(String rawQuery) {
        return req("/", rawQuery).query();
    }

    @Test
    void pathsDecodeEscapesAndKeepEverythingElse() {
        assertThat(path("/v1/kv/a+b")).isEqualTo("/v1/kv/a+b");
        assertThat(path("/v1/kv/a%2Fb")).isEqualTo("/v1/kv/a/b");
        assertThat(path("/v1/kv/a%2fb%20c")).isEqualTo("/v1/kv/a/b c");
        assertThat(path("/v1/kv/a%2B")).isEqualTo("/v1/kv/a+");
        assertThat(path("/v1/kv/%25")).isEqualTo("/v1/kv/%");
        assertThat(path("/v1/kv/%00x")).isEqualTo("/v1/kv/\u0000x");
        assertThat(path("/v1/kv/%C3%A9")).isEqualTo("/v1/kv/é");
        assertThat(path("/v1/kv/é")).isEqualTo("/v1/kv/é");
        assertThat(path("/v1/kv/a&b=c")).isEqualTo("/v1/kv/a&b=c");
        assertThat(path("/v1/kv/a;b")).isEqualTo("/v1/kv/a;b");
        assertThat(path("/v1/kv/a/../b")).isEqualTo("/v1/kv/a/../b");
        // a '%' that starts no escape is kept as sent
        assertThat(path("/v1/kv/%zz")).isEqualTo("/v1/kv/%zz");
        assertThat(path("/v1/kv/a%4")).isEqualTo("/v1/kv/a%4");
        assertThat(path("/v1/kv/a%")).isEqualTo("/v1/kv/a%");
        assertThat(path("/v1/kv/%&")).isEqualTo("/v1/kv/%&");
        assertThat(path("/v1/kv/%+x")).isEqualTo("/v1/kv/%+x");
        assertThat(path("/v1/kv/%4&")).isEqualTo("/v1/kv/%4&");
        assertThat(req(null, null).path()).isEqualTo("/");
    }

    @Test
    void queriesKeepOrderRepeatsAndEmptyValues() {
        assertThat(query("a=1&a=2&b")).containsExactly(Map.entry("a", List.of("1", "2")), Map.entry("b", List.of("")));
        assertThat(query("a=&b=x")).containsExactly(Map.entry("a", List.of("")), Map.entry("b", List.of("x")));
        assertThat(query("k=a+b&j=a%2Bb")).containsExactly(Map.entry("k", List.of("a b")), Map.entry("j", List.of("a+b")));
        assertThat(query("&&x=1&")).containsExactly(Map.entry("x", List.of("1")));
        assertThat(query("=v")).containsExactly(Map.entry("", List.of("v")));
        assertThat(query("a=b=c")).containsExactly(Map.entry("a", List.of("b=c")));
        assertThat(query("a%3Db=c")).containsExactly(Map.entry("a=b", List.of("c")));
        assertThat(query("q=%E2%9C%93&a=é")).containsExactly(Map.entry("q", List.of("✓")), Map.entry("a", List.of("é")));
        assertThat(query("a=1;b=2")).containsExactly(Map.entry("a", List.of("1;b=2")));
        assertThat(query("A=1&a=2")).containsExactly(Map.entry("A", List.of("1")), Map.entry("a", List.of("2")));
        assertThat(query("sp ace=1")).containsExactly(Map.entry("sp ace", List.of("1")));
        assertThat(query("filter=Meta.x%20%3D%3D%20%22y%22")).containsExactly(Map.entry("filter", List.of("Meta.x == \"y\"")));
        assertThat(query("a=%zz&x=%2&y=%&%zz=1")).containsExactly(Map.entry("a", List.of("%zz")),
                Map.entry("x", List.of("%2")), Map.entry("y", List.of("%")), Map.entry("%zz", List.of("1")));
        assertThat(query("")).isEmpty();
        assertThat(query(null)).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8Answer400() {
        for (String[] c : new String[][] {{"/v1/kv/%C3%28", null}, {"/v1/kv/%C3", null}, {"/", "a=%C3%28"}, {"/", "%C3%28=1"}}) {
            assertThatThrownBy(() -> req(c[0], c[1])).as(String.join(" ? ", c[0], String.valueOf(c[1])))
                    .isInstanceOfSatisfying(HttpError.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).isEqualTo("Invalid URL encoding: not valid UTF-8");
                    });
        }
    }

    @Test
    void overHttpTheKeyKeepsItsCharactersAndBadUtf8IsOneLine() {
        Http http = AGENT.http();
        assertThat(http.put("/v1/kv/dec/a;b=c&d+e%2Ff", "v").text().strip()).isEqualTo("true");
        assertThat(http.get("/v1/kv/dec/?keys").json().get(0).asText()).isEqualTo("dec/a;b=c&d+e/f");
        assertThat(http.get("/v1/kv/dec/?keys&separator=%2B").json().get(0).asText()).isEqualTo("dec/a;b=c&d+");
        assertThat(http.get("/v1/kv/%C3%28").assertOneLineError(400).text())
                .isEqualTo("Invalid URL encoding: not valid UTF-8\n");
        assertThat(http.get("/v1/kv/dec/?keys&separator=%C3%28").assertOneLineError(400).text())
                .isEqualTo("Invalid URL encoding: not valid UTF-8\n");
    }
}
