package io.roster.agent.http;

import io.roster.agent.metrics.AgentMetrics;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * {@code /v1/agent/metrics}: Consul's JSON shape ({@code Timestamp}, {@code Gauges}, {@code Points},
 * {@code Counters}, {@code Samples}), or the Prometheus text format with {@code ?format=prometheus}.
 * Gauges include parked blocking queries under Consul's name {@code consul.rpc.queries_blocking}.
 */
final class MetricsEndpoint {
    private final AgentMetrics metrics;

    MetricsEndpoint(AgentMetrics metrics, BlockingQuery blocking, io.roster.state.Store store) {
        this.metrics = metrics;
        metrics.gauge("consul.rpc.queries_blocking", "Blocking queries parked now", blocking::parked);
        metrics.gauge("roster.blocking.last_answered_epoch_us", "When the latest parked query was answered (epoch us)",
                blocking::lastAnsweredMicros);
        metrics.gauge("roster.state.last_index", "Index of the last applied command", store::lastIndex);
        metrics.gauge("roster.runtime.heap_used_bytes", "JVM heap in use",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        metrics.gauge("roster.runtime.heap_committed_bytes", "JVM heap committed",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        metrics.gauge("roster.runtime.threads", "Live JVM threads", () -> ManagementFactory.getThreadMXBean().getThreadCount());
    }

    void handle(Call call) {
        if ("prometheus".equals(call.param("format"))) {
            call.bytes(200, "text/plain; version=0.0.4; charset=utf-8", metrics.prometheus().getBytes(StandardCharsets.UTF_8));
            return;
        }
        call.json(metrics.consulJson());
    }
}
