package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
}
