package io.roster.agent.http;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/agent/metrics} in Consul's JSON shape ({@code Timestamp}, {@code Gauges},
 * {@code Points}, {@code Counters}, {@code Samples}). For now: parked blocking queries
 * ({@code consul.rpc.queries_blocking}, Consul's name), the last applied index, and JVM heap.
 * Micrometer and the Prometheus format come with the catalog issue.
 */
final class MetricsEndpoint {
    private final BlockingQuery blocking;
    private final io.roster.state.Store store;

    MetricsEndpoint(BlockingQuery blocking, io.roster.state.Store store) {
        this.blocking = blocking;
        this.store = store;
    }

    void handle(Call call) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        List<Map<String, Object>> gauges = new ArrayList<>();
        gauges.add(gauge("consul.rpc.queries_blocking", blocking.parked()));
        gauges.add(gauge("roster.blocking.last_answered_epoch_us", blocking.lastAnsweredMicros()));
        gauges.add(gauge("roster.state.last_index", store.lastIndex()));
        gauges.add(gauge("roster.runtime.heap_used_bytes", heap.getUsed()));
        gauges.add(gauge("roster.runtime.heap_committed_bytes", heap.getCommitted()));
        gauges.add(gauge("roster.runtime.threads", ManagementFactory.getThreadMXBean().getThreadCount()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Timestamp", Instant.now().toString());
        out.put("Gauges", gauges);
        out.put("Points", List.of());
        out.put("Counters", List.of());
        out.put("Samples", List.of());
        call.json(out);
    }

    private static Map<String, Object> gauge(String name, double value) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("Name", name);
        g.put("Value", value);
        g.put("Labels", Map.of());
        return g;
    }
}
