package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /v1/agent/metrics} carries the names, types and units Consul dashboards query
 * (go-metrics: {@code consul_raft_commitTime} summary in ms, counters without {@code _total}).
 */
class ConsulMetricNamesTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev(b -> b.nodeName("metrics-node"));

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void prometheusTextHasConsulsNamesAndTypes() {
        Http h = AGENT.http();
        assertThat(h.put("/v1/kv/m/a", "1").status()).isEqualTo(200);
        assertThat(h.put("/v1/txn", "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"m/t\",\"Value\":\"MQ==\"}}]").status()).isEqualTo(200);
        assertThat(h.put("/v1/catalog/register", "{\"Node\":\"mn\",\"Address\":\"10.0.0.9\"}").status()).isEqualTo(200);
        long idx = h.get("/v1/kv/m/a").index();
        assertThat(h.get("/v1/kv/m/a?index=" + idx + "&wait=10ms").status()).isEqualTo(200);

        String text = h.get("/v1/agent/metrics?format=prometheus").text();
        assertThat(text).contains("# TYPE consul_raft_apply counter\n", "# TYPE consul_raft_commitTime summary\n",
                "# TYPE consul_kvs_apply summary\n", "# TYPE consul_txn_apply summary\n",
                "# TYPE consul_catalog_register summary\n", "# TYPE consul_rpc_request counter\n",
                "# TYPE consul_rpc_query counter\n", "# TYPE consul_raft_state_leader counter\n",
                "# TYPE consul_autopilot_healthy gauge\n", "# TYPE consul_runtime_alloc_bytes gauge\n",
                "# TYPE consul_runtime_num_goroutines gauge\n", "# TYPE consul_serf_member_join counter\n",
                "# TYPE consul_memberlist_udp_sent counter\n", "# TYPE consul_memberlist_health_score gauge\n",
                "consul_raft_commitTime{quantile=\"0.99\"} ");
        assertThat(text).doesNotContain("consul_raft_apply_total", "consul_raft_commit_time");
        assertThat(value(text, "consul_raft_apply")).isGreaterThanOrEqualTo(3);
        assertThat(value(text, "consul_kvs_apply_count")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "consul_txn_apply_count")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "consul_catalog_register_count")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "consul_rpc_request")).isGreaterThanOrEqualTo(4);
        assertThat(value(text, "consul_rpc_query")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "consul_raft_state_leader")).isEqualTo(1);
        assertThat(value(text, "consul_autopilot_healthy")).isEqualTo(1);
        assertThat(value(text, "consul_runtime_alloc_bytes")).isPositive();
    }

    @Test
    void jsonHasTheSameUnderDottedNames() {
        Http h = AGENT.http();
        assertThat(h.put("/v1/kv/m/json", "1").status()).isEqualTo(200);
        JsonNode m = h.get("/v1/agent/metrics").json();
        JsonNode kvs = find(m.get("Samples"), "consul.kvs.apply");
        assertThat(kvs.path("Count").asLong()).isPositive();
        assertThat(kvs.has("Mean")).isTrue();
        assertThat(kvs.path("Labels").isObject()).isTrue();
        assertThat(find(m.get("Gauges"), "consul.autopilot.healthy").path("Value").asDouble()).isEqualTo(1);
        assertThat(find(m.get("Counters"), "consul.raft.apply").path("Count").asLong()).isPositive();
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode e : list) {
            if (e.path("Name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }
}
