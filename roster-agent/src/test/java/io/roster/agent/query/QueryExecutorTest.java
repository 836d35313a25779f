package io.roster.agent.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.filter.Schema;
import io.roster.api.HealthCheck;
import io.roster.api.Json;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.PreparedQuery;
import io.roster.api.ServiceEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A prepared query's Service part over a hand-made set of health entries, each answer computed by hand. */
class QueryExecutorTest {
    private static final Schema SCHEMA = Schema.of(ServiceEntry.class);

    private static ServiceEntry entry(String node, Map<String, String> nodeMeta, String id, List<String> tags,
                                      Map<String, String> meta, String... checkStatuses) {
        Node n = new Node(null, node, "10.0.0.1", "dc1", null, nodeMeta, 1, 1);
        NodeService s = new NodeService(null, id, "web", tags, null, null, meta, 80, null, false, null, 1, 1);
        List<HealthCheck> checks = new java.util.ArrayList<>();
        for (int i = 0; i < checkStatuses.length; i++) {
            checks.add(new HealthCheck(node, "chk-" + i, "chk-" + i, checkStatuses[i], null, null, id, "web", tags,
                    null, null, null, 0, null, 1, 1));
        }
        return new ServiceEntry(n, s, checks);
    }

    private static final ServiceEntry A = entry("a", Map.of("rack", "r1"), "web-a", List.of("v1", "Blue"), Map.of("ver", "1"), "passing");
    private static final ServiceEntry B = entry("b", Map.of("rack", "r2"), "web-b", List.of("v2"), Map.of("ver", "2"), "passing", "warning");
    private static final ServiceEntry C = entry("c", Map.of("rack", "r1"), "web-c", List.of("v1", "canary"), Map.of(), "critical");
    private static final List<ServiceEntry> ALL = List.of(A, B, C);

    private static List<String> ids(PreparedQuery.ServiceQuery q) {
        return QueryExecutor.select(q, ALL, SCHEMA, e -> (JsonNode) Json.mapper().valueToTree(e)).stream()
                .map(e -> e.service().id()).toList();
    }

    private static PreparedQuery.ServiceQuery q(String filter, List<String> ignore, boolean onlyPassing, List<String> tags,
                                                Map<String, String> nodeMeta, Map<String, String> serviceMeta) {
        return new PreparedQuery.ServiceQuery("web", null, filter, null, ignore, onlyPassing, tags, nodeMeta, serviceMeta);
    }

    @Test
    void criticalIsAlwaysDroppedWarningOnlyWithOnlyPassing() {
        assertThat(ids(q(null, null, false, null, null, null))).containsExactly("web-a", "web-b");
        assertThat(ids(q(null, null, true, null, null, null))).containsExactly("web-a");
        assertThat(ids(q(null, List.of("chk-0"), false, null, null, null))).containsExactly("web-a", "web-b", "web-c");
        assertThat(ids(q(null, List.of("chk-1"), true, null, null, null))).containsExactly("web-a", "web-b");
    }

    @Test
    void tagsAllPresentAndNegatedTagsAbsentCaseInsensitively() {
        assertThat(ids(q(null, List.of("chk-0"), false, List.of("v1"), null, null))).containsExactly("web-a", "web-c");
        assertThat(ids(q(null, List.of("chk-0"), false, List.of("v1", "!canary"), null, null))).containsExactly("web-a");
        assertThat(ids(q(null, null, false, List.of("blue"), null, null))).containsExactly("web-a");
        assertThat(ids(q(null, null, false, List.of("!BLUE"), null, null))).containsExactly("web-b");
    }

    @Test
    void nodeMetaServiceMetaAndFilter() {
        assertThat(ids(q(null, List.of("chk-0"), false, null, Map.of("rack", "r1"), null))).containsExactly("web-a", "web-c");
        assertThat(ids(q(null, null, false, null, null, Map.of("ver", "2")))).containsExactly("web-b");
        assertThat(ids(q("Service.Meta.ver == \"1\" or Node.Meta.rack == r2", null, false, null, null, null)))
                .containsExactly("web-a", "web-b");
    }

    @Test
    void validationNeedsAServiceAndAValidFilter() {
        PreparedQuery ok = new PreparedQuery(null, "q", null, null, q("Service.Port == 80", null, false, null, null, null),
                null, null, 0, 0);
        assertThat(QueryExecutor.validate(ok, SCHEMA)).isNull();
        PreparedQuery noService = new PreparedQuery(null, "q", null, null, null, null, null, 0, 0);
        assertThat(QueryExecutor.validate(noService, SCHEMA)).isEqualTo("Must provide a Service name to query");
        PreparedQuery bad = new PreparedQuery(null, "q", null, null, q("Nope == 1", null, false, null, null, null),
                null, null, 0, 0);
        assertThat(QueryExecutor.validate(bad, SCHEMA)).startsWith("Failed to create boolean expression evaluator: ");
    }

    @Test
    void theDefinitionReadsConsulsJsonCaseInsensitively() throws Exception {
        PreparedQuery pq = Json.mapper().readValue("{\"Name\":\"web-q\",\"Service\":{\"Service\":\"web\",\"Tags\":[\"v1\",\"!canary\"],"
                + "\"OnlyPassing\":true,\"IgnoreCheckIDs\":[\"x\"],\"NodeMeta\":{\"rack\":\"r1\"},"
                + "\"Failover\":{\"NearestN\":3,\"Datacenters\":[\"dc2\"]}},\"dns\":{\"ttl\":\"10s\"}}", PreparedQuery.class);
        assertThat(pq.service().tags()).containsExactly("v1", "!canary");
        assertThat(pq.service().onlyPassing()).isTrue();
        assertThat(pq.service().failover().nearestN()).isEqualTo(3);
        assertThat(pq.dns().ttl()).isEqualTo("10s");
        assertThat(ids(pq.service())).containsExactly("web-a");
    }
}
