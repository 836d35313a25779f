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
        metrics.gauge("roster.blocking.woken_renderings", "Answers rendered for woken blocking queries (one per query and index)",
                blocking::wokenRenderings);
        metrics.gauge("roster.blocking.woken_answers", "Woken blocking queries answered", blocking::wokenAnswers);
        metrics.gauge("roster.catalog.rows_touched", "Catalog rows looked at by reads (nodes, instances, checks)",
                store::catalogRowsTouched);
        metrics.gauge("roster.state.last_index", "Index of the last applied command", store::lastIndex);
        metrics.gauge("roster.runtime.heap_used_bytes", "JVM heap in use",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        metrics.gauge("roster.runtime.heap_committed_bytes", "JVM heap committed",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        metrics.gauge("roster.runtime.threads", "Live JVM threads", () -> ManagementFactory.getThreadMXBean().getThreadCount());
        // consul.runtime.*: what Consul reports of the Go runtime, from the JVM's equivalents.
        io.roster.agent.metrics.ConsulMetrics c = metrics.consul();
        c.gauge("consul.runtime.alloc_bytes", () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        c.gauge("consul.runtime.sys_bytes", () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted()
                + ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted());
        c.gauge("consul.runtime.num_goroutines", () -> ManagementFactory.getThreadMXBean().getThreadCount());
        c.gauge("consul.runtime.total_gc_runs", () -> ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(g -> Math.max(0, g.getCollectionCount())).sum());
        c.gauge("consul.runtime.total_gc_pause_ns", () -> ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(g -> Math.max(0, g.getCollectionTime())).sum() * 1_000_000L);
    }

    /** {@code consul.autopilot.healthy} (1 or 0) and {@code consul.raft.leader.lastContact} from autopilot's judgement. */
    MetricsEndpoint withAutopilot(OperatorEndpoint operator) {
        if (operator == null) {
            return this; // a client agent runs no autopilot
        }
        metrics.consul().gauge("consul.autopilot.healthy", () -> operator.healthy() ? 1 : 0);
        return this;
    }

    private static java.util.function.Supplier<Number> stat(io.roster.agent.lan.LanPool lan,
                                                           java.util.function.ToLongFunction<io.roster.gossip.GossipStats> f) {
        return () -> {
            io.roster.gossip.GossipStats st = lan.stats();
            return st == null ? null : f.applyAsLong(st);
        };
    }

    /** {@code consul.memberlist.*}: the gossip member's counters and health score. */
    MetricsEndpoint withGossip(io.roster.agent.lan.LanPool lan) {
        if (lan == null) {
            return this;
        }
        io.roster.agent.metrics.ConsulMetrics c = metrics.consul();
        lan.addListener(c.serfListener());
        c.counter("consul.memberlist.udp.sent", stat(lan, io.roster.gossip.GossipStats::bytesOut));
        c.counter("consul.memberlist.udp.received", stat(lan, io.roster.gossip.GossipStats::bytesIn));
        c.counter("consul.memberlist.tcp.accept", stat(lan, io.roster.gossip.GossipStats::streamsIn));
        c.counter("consul.memberlist.tcp.connect", stat(lan, io.roster.gossip.GossipStats::streamsOut));
        c.counter("consul.memberlist.msg.suspect", stat(lan, io.roster.gossip.GossipStats::suspicions));
        c.counter("consul.memberlist.msg.dead", stat(lan, io.roster.gossip.GossipStats::failuresDeclared));
        c.counter("consul.memberlist.degraded.probe", stat(lan, io.roster.gossip.GossipStats::probeFailures));
        c.gauge("consul.memberlist.health.score", stat(lan, io.roster.gossip.GossipStats::awareness));
        return this;
    }

    void handle(Call call) {
        if ("prometheus".equals(call.param("format"))) {
            call.bytes(200, "text/plain; version=0.0.4; charset=utf-8", metrics.prometheus().getBytes(StandardCharsets.UTF_8));
            return;
        }
        call.json(metrics.consulJson());
    }
}
