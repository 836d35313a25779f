package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wire details that real third-party Consul clients broke on when they were first run against
 * Roster (the suites in {@code roster-it/src/test/java/io/roster/it/clients}). Each test names the
 * client behaviour it protects, so the fast HTTP suite catches a regression without the client.
 */
class ThirdPartyClientRegressionTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev();

    private static Http http() {
        return AGENT.http();
    }

    private static JsonNode only(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    /**
     * kiwiproject consul-client maps a present {@code TaggedAddresses} object to a type whose
     * {@code wan} is required, so {@code {}} failed {@code catalogClient().getNode(...)} and every
     * health read of such a node. Consul writes the nil map of a node registered without tagged
     * addresses as {@code null}; Roster now does too, and keeps objects that have entries.
     */
    @Test
    void nodeWithoutTaggedAddressesHasNullTaggedAddressesLikeConsul() {
        Http.Reply reg = http().put("/v1/catalog/register", "{\"Node\":\"bare\",\"Address\":\"192.0.2.1\","
                + "\"Service\":{\"ID\":\"bare-db\",\"Service\":\"bare-db\",\"Port\":5432}}");
        assertThat(reg.status()).as(reg.text()).isEqualTo(200);

        JsonNode nodes = http().get("/v1/catalog/nodes").json();
        assertThat(only(nodes, "Node", "bare").get("TaggedAddresses").isNull()).isTrue();
        assertThat(http().get("/v1/catalog/node/bare").json().at("/Node/TaggedAddresses").isNull()).isTrue();
        assertThat(http().get("/v1/catalog/node-services/bare").json().at("/Node/TaggedAddresses").isNull()).isTrue();
        assertThat(http().get("/v1/catalog/service/bare-db").json().get(0).get("TaggedAddresses").isNull()).isTrue();
        assertThat(http().get("/v1/health/service/bare-db").json().get(0).at("/Node/TaggedAddresses").isNull()).isTrue();
        // Meta stays an object ({} when empty), as Consul's catalog answers it.
        assertThat(only(nodes, "Node", "bare").get("Meta").isObject()).isTrue();

        // The agent's own node carries lan/wan addresses, as Consul's does.
        JsonNode self = only(nodes, "Node", "test-node").get("TaggedAddresses");
        assertThat(self.isObject()).isTrue();
        assertThat(self.get("wan").asText()).isNotEmpty();

        assertThat(http().put("/v1/catalog/deregister", "{\"Node\":\"bare\"}").status()).isEqualTo(200);
    }

    /**
     * Spring Cloud Consul's config watch long-polls its contexts one after another
     * ({@code config/app,default/}, {@code config/app/}, {@code config/application,default/}, ...,
     * each {@code ?recurse&wait=55s&index=N}), and most of them are empty. An empty answer carries
     * the KV table's index, so, as in Consul, a write anywhere in KV must wake it; before, the parked
     * empty context slept through the write and the refresh of {@code config/app/} came 55 s late.
     * The same holds for a missing key and an empty {@code ?keys} listing.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/kv/config/regress,default/?recurse", "/v1/kv/config/regress-missing",
        "/v1/kv/config/regress,dev/?keys"})
    void aReadThatFoundNothingWakesOnAnyKvWriteLikeConsul(String path) throws Exception {
        Http.Reply empty = http().get(path);
        assertThat(empty.status()).isEqualTo(404);
        long before = AGENT.parked();
        CompletableFuture<Http.Reply> parked = http().getAsync(path + (path.contains("?") ? "&" : "?")
                + "index=" + empty.index() + "&wait=30s");
        await().atMost(Duration.ofSeconds(10)).until(() -> AGENT.parked() > before || parked.isDone());
        assertThat(parked).as("parks while nothing changes").isNotDone();

        assertThat(http().put("/v1/kv/config/regress/greeting", "bonjour").status()).isEqualTo(200);
        Http.Reply woken = parked.get(5, TimeUnit.SECONDS);
        assertThat(woken.status()).isEqualTo(404);
        assertThat(woken.index()).as("the table index moved, and the read said so at once").isGreaterThan(empty.index());
        http().delete("/v1/kv/config/regress/greeting");
    }
}
