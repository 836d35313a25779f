package io.roster.agent.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The metrics existing Consul dashboards read, under Consul's own names and types (go-metrics'
 * names: dots in JSON, underscores in Prometheus, camelCase kept, counters without a
 * {@code _total} suffix, timings as summaries in milliseconds with quantiles 0.5/0.9/0.99).
 * Micrometer's naming conventions would rename them ({@code consul_raft_commit_time_seconds}),
 * so they are kept and rendered here, beside Roster's own Micrometer metrics.
 *
 * <p>Values are cumulative since the agent started (Consul's JSON endpoint shows its current
 * 10-second interval instead); summary quantiles are over the last 1024 observations.
 */
public final class ConsulMetrics {
    private static final int RESERVOIR = 1024;

    /** One timing metric: count, sum, min, max and a ring of recent values (milliseconds). */
    static final class Summary {
        private final double[] ring = new double[RESERVOIR];
        private long count;
        private double sum;
        private double sumSq;
        private double min = Double.NaN;
        private double max = Double.NaN;

        synchronized void observe(double ms) {
            ring[(int) (count % RESERVOIR)] = ms;
            count++;
            sum += ms;
            sumSq += ms * ms;
            min = Double.isNaN(min) ? ms : Math.min(min, ms);
            max = Double.isNaN(max) ? ms : Math.max(max, ms);
        }

        synchronized double[] recent() {
            return Arrays.copyOf(ring, (int) Math.min(count, RESERVOIR));
        }

        synchronized Map<String, Object> json(String name) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Name", name);
            e.put("Count", count);
            e.put("Rate", sum / 10.0);
            e.put("Sum", sum);
            e.put("Min", count == 0 ? 0 : min);
            e.put("Max", count == 0 ? 0 : max);
            double mean = count == 0 ? 0 : sum / count;
            e.put("Mean", mean);
            e.put("Stddev", count < 2 ? 0 : Math.sqrt(Math.max(0, (sumSq - count * mean * mean) / (count - 1))));
            e.put("Labels", Map.of());
            return e;
        }

        synchronized long count() {
            return count;
        }

        synchronized double sum() {
            return sum;
        }
    }

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> cumulative = new ConcurrentHashMap<>();
    private final Map<String, Summary> summaries = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();

    /** Adds one to a counter ({@code consul.raft.apply}, {@code consul.rpc.request}, ...). */
    public void incr(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** Declares a counter so it shows (at 0) before its first increment. */
    public void declareCounter(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder());
    }

    /** A counter whose cumulative value is read at every scrape (e.g. memberlist's packet counts). */
    public void counter(String name, Supplier<Number> value) {
        cumulative.put(name, value);
    }

    /** Records one timing in nanoseconds, shown in milliseconds as Consul's go-metrics does. */
    public void measure(String name, long nanos) {
        summaries.computeIfAbsent(name, n -> new Summary()).observe(nanos / 1e6);
    }

    /** Declares a timing so it shows (count 0) before its first observation. */
    public void declareSummary(String name) {
        summaries.computeIfAbsent(name, n -> new Summary());
    }

    /** A gauge read at every scrape. */
    public void gauge(String name, Supplier<Number> value) {
        gauges.put(name, value);
    }

    /** The listener that counts gossip membership changes as {@code consul.serf.member.*}. */
    public io.roster.gossip.Listener serfListener() {
        for (String n : List.of("join", "left", "failed", "update")) {
            declareCounter("consul.serf.member." + n);
        }
        return new io.roster.gossip.Listener() {
            @Override
            public void onJoin(io.roster.gossip.Member m) {
                incr("consul.serf.member.join");
            }

            @Override
            public void onLeave(io.roster.gossip.Member m) {
                incr("consul.serf.member.left");
            }

            @Override
            public void onFail(io.roster.gossip.Member m) {
                incr("consul.serf.member.failed");
            }

            @Override
            public void onUpdate(io.roster.gossip.Member m) {
                incr("consul.serf.member.update");
            }
        };
    }

    private static double value(Supplier<Number> s) {
        try {
            Number n = s.get();
            return n == null ? Double.NaN : n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String promName(String name) {
        return name.replace('.', '_').replace('-', '_');
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The Prometheus text for these metrics, with Consul's names and types. */
    public String prometheus() {
        StringBuilder b = new StringBuilder();
        for (String name : sorted(gauges.keySet())) {
            String p = promName(name);
            b.append("# HELP ").append(p).append(' ').append(p).append('\n').append("# TYPE ").append(p).append(" gauge\n")
                    .append(p).append(' ').append(num(value(gauges.get(name)))).append('\n');
        }
        Map<String, Double> all = counterValues();
        for (String name : sorted(all.keySet())) {
            String p = promName(name);
            b.append("# HELP ").append(p).append(' ').append(p).append('\n').append("# TYPE ").append(p).append(" counter\n")
                    .append(p).append(' ').append(num(all.get(name))).append('\n');
        }
        for (String name : sorted(summaries.keySet())) {
            Summary s = summaries.get(name);
            String p = promName(name);
            double[] r = s.recent();
            Arrays.sort(r);
            b.append("# HELP ").append(p).append(' ').append(p).append('\n').append("# TYPE ").append(p).append(" summary\n");
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                b.append(p).append("{quantile=\"").append(q).append("\"} ").append(num(quantile(r, q))).append('\n');
            }
            b.append(p).append("_sum ").append(num(s.sum())).append('\n');
            b.append(p).append("_count ").append(s.count()).append('\n');
        }
        return b.toString();
    }

    private Map<String, Double> counterValues() {
        Map<String, Double> all = new LinkedHashMap<>();
        counters.forEach((k, v) -> all.put(k, (double) v.sum()));
        cumulative.forEach((k, v) -> all.put(k, value(v)));
        return all;
    }

    private static List<String> sorted(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return l;
    }

    /** Adds these metrics to the JSON lists of {@code /v1/agent/metrics}. */
    public void addJson(List<Map<String, Object>> gaugesOut, List<Map<String, Object>> countersOut,
                        List<Map<String, Object>> samplesOut) {
        for (String name : sorted(gauges.keySet())) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Name", name);
            double v = value(gauges.get(name));
            e.put("Value", Double.isNaN(v) ? 0 : v);
            e.put("Labels", Map.of());
            gaugesOut.add(e);
        }
        Map<String, Double> all = counterValues();
        for (String name : sorted(all.keySet())) {
            double v = all.get(name);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("Name", name);
            e.put("Count", (long) v);
            e.put("Rate", v / 10.0);
            e.put("Sum", v);
            e.put("Min", 1);
            e.put("Max", 1);
            e.put("Mean", 1);
            e.put("Stddev", 0);
            e.put("Labels", Map.of());
            countersOut.add(e);
        }
        for (String name : sorted(summaries.keySet())) {
            samplesOut.add(summaries.get(name).json(name));
        }
    }

    /** The Consul timing name for a replicated command type, or null (e.g. {@code KV} is {@code consul.kvs.apply}). */
    static String applyName(String commandType) {
        return switch (commandType.toLowerCase(Locale.ROOT)) {
            case "kv" -> "consul.kvs.apply";
            case "txn" -> "consul.txn.apply";
            case "catalog_register" -> "consul.catalog.register";
            case "catalog_deregister" -> "consul.catalog.deregister";
            case "session_create", "session_destroy" -> "consul.session.apply";
            default -> null;
        };
    }
}
