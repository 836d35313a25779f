package io.roster.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's metrics (Micrometer): HTTP requests by route, method and status; apply time per
 * command type; parked blocking queries; check status updates. Served by {@code /v1/agent/metrics}
 * in Consul's JSON shape and, with {@code ?format=prometheus}, in the Prometheus text format.
 */
public final class AgentMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConsulMetrics consul = new ConsulMetrics();

    public AgentMetrics() {
        for (String c : new String[] {"consul.raft.apply", "consul.raft.state.leader", "consul.rpc.request", "consul.rpc.query"}) {
            consul.declareCounter(c);
        }
        for (String t : new String[] {"consul.raft.commitTime", "consul.kvs.apply", "consul.txn.apply", "consul.catalog.register"}) {
            consul.declareSummary(t);
        }
    }

    /** The metrics under Consul's own names (see {@link ConsulMetrics}). */
    public ConsulMetrics consul() {
        return consul;
    }

    /** Counts one request a server answers ({@code consul.rpc.request}) and, if blocking, {@code consul.rpc.query}. */
    public void rpc(boolean blocking) {
        consul.incr("consul.rpc.request");
        if (blocking) {
            consul.incr("consul.rpc.query");
        }
    }

    /** This server became the Raft leader ({@code consul.raft.state.leader}). */
    public void becameLeader() {
        consul.incr("consul.raft.state.leader");
    }

    /** Records one answered HTTP request. */
    public void http(String route, String method, int status, long nanos) {
        Timer.builder("roster.http.requests").description("HTTP requests by route, method and status")
                .tags("route", route.isEmpty() ? "unknown" : route, "method", method, "status", Integer.toString(status))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records the time from submitting a command to its applied result. */
    public void apply(String commandType, long nanos) {
        consul.incr("consul.raft.apply");
        consul.measure("consul.raft.commitTime", nanos);
        String name = ConsulMetrics.applyName(commandType);
        if (name != null) {
            consul.measure(name, nanos);
        }
        Timer.builder("roster.raft.apply").description("Time to replicate and apply a command, by type")
                .tag("type", commandType).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a check's status update (a change of status or output reported by its runner). */
    public void checkUpdate(String status) {
        Counter.builder("roster.checks.updates").description("Check results that changed a check, by status")
                .tag("status", status).register(registry).increment();
    }

    /** Registers a gauge read from {@code value} at every scrape. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** The Prometheus text exposition format. */
    public String prometheus() {
        return registry.scrape() + consul.prometheus();
    }

    /** Consul's {@code /v1/agent/metrics} JSON: Timestamp, Gauges, Points, Counters, Samples. */
    public Map<String, Object> consulJson() {
        List<Map<String, Object>> gauges = new ArrayList<>();
        List<Map<String, Object>> counters = new ArrayList<>();
        List<Map<String, Object>> samples = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            Map<String, String> labels = new LinkedHashMap<>();
            for (Tag t : m.getId().getTags()) {
                labels.put(t.getKey(), t.getValue());
            }
            switch (m) {
                case Gauge g -> gauges.add(entry(name, labels, "Value", g.value()));
                case Counter c -> {
                    Map<String, Object> e = entry(name, labels, "Count", (long) c.count());
                    e.put("Sum", c.count());
                    counters.add(e);
                }
                case Timer t -> {
                    Map<String, Object> e = entry(name, labels, "Count", t.count());
                    e.put("Sum", t.totalTime(TimeUnit.MILLISECONDS));
                    e.put("Max", t.max(TimeUnit.MILLISECONDS));
                    e.put("Mean", t.mean(TimeUnit.MILLISECONDS));
                    samples.add(e);
                }
                default -> {
                }
            }
        }
        consul.addJson(gauges, counters, samples);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Timestamp", Instant.now().toString());
        out.put("Gauges", gauges);
        out.put("Points", List.of());
        out.put("Counters", counters);
        out.put("Samples", samples);
        return out;
    }

    private static Map<String, Object> entry(String name, Map<String, String> labels, String key, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Name", name);
        e.put(key, value);
        e.put("Labels", labels);
        return e;
    }
}
