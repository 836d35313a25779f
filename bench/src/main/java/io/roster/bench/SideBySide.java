package io.roster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Roster, etcd and ZooKeeper side by side on this machine: each as a 3-member cluster on loopback
 * (fsync on, data dirs under one temp directory), driven by the same Java load generator, one
 * system at a time, in alternating order, for several rounds. Prints per-run figures, then a
 * markdown table of medians (min–max) and the ratios Roster/etcd and Roster/ZooKeeper; writes a
 * CSV and one PNG chart per workload. Asserts nothing about timings: it fails only when a system
 * cannot start or a workload gets no answer at all.
 *
 * <pre>bench/run-side-by-side                full run: 3 rounds, 10 s per load workload, W4 with 1k, 10k, 100k
 * bench/run-side-by-side --smoke        1 round, 2 s per load workload, W4 with 1k (CI)
 * bench/run-side-by-side --rounds 5 --seconds 20 --watchers 1000,10000 --only w1,w4 --systems roster,etcd</pre>
 *
 * Workloads: W1 writes, W2 linearizable reads, W3 stale/serializable reads (64 clients, 256 B
 * values, distinct keys); W4 N watchers on one key, then one write; W8 single node, spawn to first
 * answered write, and its RSS.
 */
public final class SideBySide {
    private static final int CLIENTS = 64;
    private static final List<String> ALL_SYSTEMS = List.of("roster", "etcd", "zookeeper");

    private final SideSystem.Env env;
    private final boolean smoke;
    private final int rounds;
    private final Duration measure;
    private final Duration warmup;
    private final List<Integer> watchers;
    private final Set<String> only;
    private final List<String> systems;
    private final Duration watchLimit;
    private final SideResults results = new SideResults();
    private final Map<String, String> versions = new LinkedHashMap<>();

    private SideBySide(SideSystem.Env env, boolean smoke, int rounds, Duration measure, Duration warmup, List<Integer> watchers,
                       Set<String> only, List<String> systems) {
        this.env = env;
        this.smoke = smoke;
        this.rounds = rounds;
        this.measure = measure;
        this.warmup = warmup;
        this.watchers = watchers;
        this.only = only;
        this.systems = systems;
        this.watchLimit = Duration.ofSeconds(smoke ? 60 : 240);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        // The ZooKeeper client logs every refused connect with a stack trace; its errors are enough here.
        if (org.slf4j.LoggerFactory.getLogger("org.apache.zookeeper") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        boolean smoke = false;
        Integer rounds = null;
        Integer seconds = null;
        List<Integer> watchers = null;
        Set<String> only = new TreeSet<>(List.of("w1", "w2", "w3", "w4", "w8"));
        List<String> systems = ALL_SYSTEMS;
        Path out = null;
        int zkSessions = 1000;
        Path replot = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--watchers" -> watchers = Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--only" -> only = new TreeSet<>(Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(",")));
                case "--systems" -> systems = Arrays.stream(args[++i].toLowerCase(Locale.ROOT).split(","))
                        .map(s -> s.equals("zk") ? "zookeeper" : s).toList();
                case "--out" -> out = Path.of(args[++i]);
                case "--zk-sessions" -> zkSessions = Integer.parseInt(args[++i]);
                case "--replot" -> replot = Path.of(args[++i]);
                default -> {
                    System.err.println("side-by-side: unknown argument " + args[i] + " (use --smoke, --rounds N, --seconds N, "
                            + "--watchers 1000,10000, --only w1,w2,w3,w4,w8, --systems roster,etcd,zookeeper, --out DIR, --zk-sessions N, "
                            + "--replot CSV)");
                    System.exit(2);
                }
            }
        }
        for (String s : systems) {
            if (!ALL_SYSTEMS.contains(s)) {
                System.err.println("side-by-side: unknown system " + s + " (roster, etcd, zookeeper)");
                System.exit(2);
            }
        }
        Path home = Path.of(System.getProperty("roster.home", ".")).toAbsolutePath();
        if (replot != null) {
            System.exit(replot(home, replot, out));
        }
        // Missing third-party servers: say so and stop before starting anything.
        try {
            if (systems.contains("etcd")) {
                EtcdSide.binary();
            }
            if (systems.contains("zookeeper")) {
                ZkSide.classpath();
            }
        } catch (IllegalStateException e) {
            System.err.println("side-by-side: " + e.getMessage());
            System.exit(1);
        }
        Path work = Files.createTempDirectory("roster-side-by-side");
        Procs.deleteAtEnd(work);
        SideSystem.Env env = new SideSystem.Env(home, work, smoke, zkSessions);
        SideBySide b = new SideBySide(env, smoke, rounds != null ? rounds : smoke ? 1 : 3,
                Duration.ofSeconds(seconds != null ? seconds : smoke ? 2 : 10), Duration.ofMillis(smoke ? 500 : 2000),
                watchers != null ? watchers : smoke ? List.of(1000) : List.of(1000, 10_000, 100_000), only, systems);
        int rc;
        try {
            rc = b.run(out);
        } finally {
            Procs.killAll();
            Procs.deleteDirs();
        }
        // Client libraries leave non-daemon threads behind; the report is written, so leave now.
        System.exit(rc);
    }

    private int run(Path out) throws Exception {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path csvDir = out != null ? out : smoke ? env.home().resolve("bench/target/side-by-side") : env.home().resolve("bench/results");
        Path chartDir = out != null ? out : smoke ? env.home().resolve("bench/target/side-by-side") : env.home().resolve("docs/bench");
        versions.put("JDK (load generator, Roster)", System.getProperty("java.vm.name") + " " + Runtime.version());
        if (systems.contains("etcd")) {
            versions.put("etcd", EtcdSide.version());
        }
        String header = String.format(Locale.ROOT, "# Side by side (%s): %s; %d rounds; %d clients, %d B values; load %s + %s warm-up; "
                        + "W4 N = %s; %d cores, %s RAM; load average at start %s",
                smoke ? "smoke" : "full", String.join(", ", systems), rounds, CLIENTS, SideSystem.VALUE_BYTES,
                seconds(measure), seconds(warmup), watchers, Runtime.getRuntime().availableProcessors(), memTotal(), loadAvg());
        System.out.println(header);
        System.out.println("# work dir (all data dirs, one disk): " + env.work());

        for (int round = 1; round <= rounds; round++) {
            List<String> order = new ArrayList<>(systems);
            Collections.rotate(order, -(round - 1));
            System.out.printf(Locale.ROOT, "%n## round %d of %d, order %s%n", round, rounds, order);
            if (smoke) {
                // CI's budget is about two minutes: one cluster per system serves W1-W3 and W4.
                for (String sys : order) {
                    clusterWorkloads(round, sys);
                }
            } else {
                if (only.contains("w1") || only.contains("w2") || only.contains("w3")) {
                    for (String sys : order) {
                        clusterWorkloads(round, sys, List.of());
                    }
                }
            }
            if (only.contains("w4") && !smoke) {
                for (int n : watchers) {
                    for (String sys : order) {
                        watch(round, sys, n);
                    }
                }
            }
            if (only.contains("w8")) {
                for (String sys : order) {
                    start(round, sys);
                }
            }
        }

        if (only.contains("w4") && watchers.size() > 1) {
            marginal();
        }
        List<SideResults.Measure> measures = measures();
        String table = results.table(measures);
        String machine = String.format(Locale.ROOT, "%d cores, %s RAM; %s; load average at the end %s",
                Runtime.getRuntime().availableProcessors(), memTotal(), String.join("; ", versions.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList()), loadAvg());
        System.out.printf(Locale.ROOT, "%n## Summary: median (min–max) over %d round%s, %s%n%n%s%n", rounds, rounds == 1 ? "" : "s",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE), machine);
        System.out.println();
        System.out.print(table);
        List<String> notes = results.notes();
        if (!notes.isEmpty()) {
            System.out.println();
            notes.forEach(n -> System.out.println("- " + n));
        }
        Path csv = csvDir.resolve(stamp + ".csv");
        results.writeCsv(csv);
        Files.writeString(csvDir.resolve(stamp + ".md"), header + "\n\n" + machine + "\n\n" + table
                + (notes.isEmpty() ? "" : "\n" + String.join("\n", notes.stream().map(n -> "- " + n).toList()) + "\n"));
        System.out.println();
        System.out.println("csv: " + env.home().relativize(csv.toAbsolutePath()));
        try {
            for (Path png : SideCharts.write(results, chartDir, only.contains("w4") ? watchers : List.of(), rounds,
                    Runtime.getRuntime().availableProcessors() + " cores, 3 members each, loopback")) {
                System.out.println("chart: " + env.home().relativize(png.toAbsolutePath()));
            }
        } catch (Exception | LinkageError e) {
            // The figures are out already; a missing font or AWT library must not hide them.
            System.out.println("charts not written: " + e);
        }
        if (results.anyFailed()) {
            System.out.println("side-by-side: some systems or workloads failed (see the errors above)");
            return 1;
        }
        return 0;
    }

    /** The W4 parameter of the derived rows: from the smallest to the largest N. */
    private String marginalParam() {
        return Collections.min(watchers) + "-" + Collections.max(watchers);
    }

    /**
     * Server RSS per watcher between the smallest and the largest N of the same round (difference of
     * the RSS growths over difference of the counts): the fixed cost of the first watchers (buffers,
     * a heap that grows once) drops out, which dominates the per-watcher figure at small N.
     */
    private void marginal() {
        int lo = Collections.min(watchers);
        int hi = Collections.max(watchers);
        for (SideResults.Row a : results.rows()) {
            if (!a.workload().equals("W4") || !a.param().equals(Integer.toString(lo)) || a.failed()) {
                continue;
            }
            for (SideResults.Row b : results.rows()) {
                if (b.round() == a.round() && b.system().equals(a.system()) && b.workload().equals("W4")
                        && b.param().equals(Integer.toString(hi)) && !b.failed()) {
                    double per = (b.num("rss_delta_mb") - a.num("rss_delta_mb")) * 1048576.0 / (b.num("parked") - a.num("parked"));
                    Map<String, String> extra = new LinkedHashMap<>();
                    extra.put("marginal_rss_per_watcher_b", String.format(Locale.ROOT, "%.0f", per));
                    extra.put("how", "derived: (RSS growth at N=" + hi + " - at N=" + lo + ") / (" + hi + " - " + lo + ")");
                    results.add(new SideResults.Row(a.round(), a.system(), "W4", marginalParam(), Double.NaN, Double.NaN, Double.NaN, extra));
                }
            }
        }
    }

    /** {@code --replot CSV}: the table and the charts again from a finished run's CSV (charts to docs/bench or --out). */
    private static int replot(Path home, Path csv, Path out) throws Exception {
        SideResults res = SideResults.readCsv(csv);
        Set<String> only = new TreeSet<>();
        Set<Integer> ns = new TreeSet<>();
        int rounds = 0;
        for (SideResults.Row r : res.rows()) {
            only.add(r.workload().toLowerCase(Locale.ROOT));
            rounds = Math.max(rounds, r.round());
            if (r.workload().equals("W4") && r.param().matches("\\d+")) {
                ns.add(Integer.parseInt(r.param()));
            }
        }
        SideBySide b = new SideBySide(new SideSystem.Env(home, home, false, 0), false, rounds, Duration.ZERO, Duration.ZERO,
                List.copyOf(ns), only, ALL_SYSTEMS);
        System.out.print(res.table(b.measures()));
        Path dir = out != null ? out : home.resolve("docs/bench");
        for (Path png : SideCharts.write(res, dir, List.copyOf(ns), rounds,
                Runtime.getRuntime().availableProcessors() + " cores, 3 members each, loopback")) {
            System.out.println("chart: " + png);
        }
        return 0;
    }

    private List<SideResults.Measure> measures() {
        List<SideResults.Measure> m = new ArrayList<>();
        String[][] kv = {{"W1", "writes"}, {"W2", "linearizable reads"}, {"W3", "stale reads"}};
        for (String[] w : kv) {
            if (only.contains(w[0].toLowerCase(Locale.ROOT))) {
                m.add(new SideResults.Measure(w[0], "", "throughput", w[1] + ", req/s", "%,.0f", true));
                m.add(new SideResults.Measure(w[0], "", "p50_ms", "p50 ms", "%.2f", false));
                m.add(new SideResults.Measure(w[0], "", "p99_ms", "p99 ms", "%.2f", false));
            }
        }
        if (only.contains("w4")) {
            for (int n : watchers) {
                String p = Integer.toString(n);
                m.add(new SideResults.Measure("W4", p, "all_ms", "all " + n + " watchers notified, ms", "%,.0f", false));
                m.add(new SideResults.Measure("W4", p, "p50_ms", "p50 notification, ms", "%,.0f", false));
                m.add(new SideResults.Measure("W4", p, "write_ms", "the write's own acknowledgement, ms", "%,.0f", false));
                m.add(new SideResults.Measure("W4", p, "rss_per_watcher_b", "server RSS growth per watcher, bytes", "%,.0f", false));
            }
            if (watchers.size() > 1) {
                m.add(new SideResults.Measure("W4", marginalParam(), "marginal_rss_per_watcher_b",
                        "server RSS per additional watcher, bytes", "%,.0f", false));
            }
        }
        if (only.contains("w8")) {
            m.add(new SideResults.Measure("W8", "", "start_ms", "spawn to first answered write, ms", "%,.0f", false));
            m.add(new SideResults.Measure("W8", "", "rss_mb", "RSS after it, MB", "%,.0f", false));
        }
        return m;
    }

    // ------------------------------------------------------------------ the workloads

    private SideSystem startCluster(String sys) throws Exception {
        SideSystem.Env e = new SideSystem.Env(env.home(), Files.createTempDirectory(env.work(), sys + "-"), smoke, env.zkSessions());
        long t0 = System.nanoTime();
        SideSystem s = switch (sys) {
            case "roster" -> RosterSide.cluster(e);
            case "etcd" -> EtcdSide.cluster(e);
            case "zookeeper" -> {
                ZkSide z = ZkSide.cluster(e);
                versions.putIfAbsent("ZooKeeper", z.version() + " (on " + javaVersion("/usr/bin/java") + ")");
                yield z;
            }
            default -> throw new IllegalArgumentException(sys);
        };
        System.out.printf(Locale.ROOT, "  %s: 3 members up in %.1f s (RSS %d MB)%n", s.label(), (System.nanoTime() - t0) / 1e9,
                Procs.rss(s.servers()) >> 20);
        return s;
    }

    private static String label(String sys) {
        return switch (sys) {
            case "roster" -> "Roster";
            case "etcd" -> "etcd";
            default -> "ZooKeeper";
        };
    }

    private void failed(int round, String sys, String workload, String param, Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        System.out.printf(Locale.ROOT, "  %s %s%s FAILED: %s%n", label(sys), workload, param.isEmpty() ? "" : " " + param, msg);
        results.add(new SideResults.Row(round, label(sys), workload, param, Double.NaN, Double.NaN, Double.NaN,
                Map.of("error", msg.lines().findFirst().orElse(msg))));
    }

    /** W1-W3 and, in smoke mode, W4 for every N, on one fresh cluster of {@code sys}. */
    private void clusterWorkloads(int round, String sys) {
        clusterWorkloads(round, sys, only.contains("w4") ? watchers : List.of());
    }

    private void clusterWorkloads(int round, String sys, List<Integer> ns) {
        boolean load = only.contains("w1") || only.contains("w2") || only.contains("w3");
        SideSystem s;
        try {
            s = startCluster(sys);
        } catch (Exception e) {
            failed(round, sys, load ? "W1-W3" : "W4", "", e);
            return;
        }
        try {
            if (load) {
                kv(round, s);
            }
        } catch (Exception e) {
            failed(round, sys, "W1-W3", "", e);
        }
        try {
            for (int n : ns) {
                watch(round, s, n);
            }
        } finally {
            s.close();
        }
    }

    private void kv(int round, SideSystem s) throws Exception {
        s.prepare(CLIENTS);
        Object[][] ws = {{"W1", s.write()}, {"W2", s.read(true)}, {"W3", s.read(false)}};
        for (Object[] w : ws) {
            String name = (String) w[0];
            if (!only.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            SideSystem.Op op = (SideSystem.Op) w[1];
            LoadGen.run(CLIENTS, warmup, op);
            LoadGen.Result r = LoadGen.run(CLIENTS, measure, op);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("ops", Long.toString(r.ops()));
            extra.put("errors", Long.toString(r.errors()));
            extra.put("seconds", String.format(Locale.ROOT, "%.2f", r.seconds()));
            if (r.ops() == 0) {
                extra.put("error", "no request answered" + (r.firstError() != null ? ": " + r.firstError() : ""));
            } else if (r.firstError() != null) {
                extra.put("first_error", r.firstError().replace(';', ','));
            }
            results.add(new SideResults.Row(round, s.label(), name, "", r.throughput(), r.stats().percentileMs(50),
                    r.stats().percentileMs(99), extra));
            System.out.printf(Locale.ROOT, "  %-9s %s: %,8.0f req/s, p50 %7.2f ms, p99 %7.2f ms (%d answered, %d errors%s)%n",
                    s.label(), name, r.throughput(), r.stats().percentileMs(50), r.stats().percentileMs(99), r.ops(), r.errors(),
                    r.firstError() != null ? "; first: " + r.firstError() : "");
        }
    }

    /** W4 for {@code n} watchers on a fresh cluster. */
    private void watch(int round, String sys, int n) {
        SideSystem s;
        try {
            s = startCluster(sys);
        } catch (Exception e) {
            failed(round, sys, "W4", Integer.toString(n), e);
            return;
        }
        try (s) {
            watch(round, s, n);
        }
    }

    private void watch(int round, SideSystem s, int n) {
        String p = Integer.toString(n);
        String sys = s.label().toLowerCase(Locale.ROOT);
        try {
            SideSystem.Watch w = s.watch(n, watchLimit);
            long delta = w.rssAfter() - w.rssBefore();
            double all = w.latencies().maxMs();
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("all_ms", String.format(Locale.ROOT, "%.1f", all));
            extra.put("write_ms", String.format(Locale.ROOT, "%.1f", w.writeNanos() / 1e6));
            extra.put("parked", Long.toString(w.parked()));
            extra.put("notified", Long.toString(w.notified()));
            extra.put("failed", Long.toString(w.failed()));
            extra.put("server_watches", Long.toString(w.serverWatches()));
            extra.put("rss_before_mb", String.format(Locale.ROOT, "%.1f", w.rssBefore() / 1048576.0));
            extra.put("rss_after_mb", String.format(Locale.ROOT, "%.1f", w.rssAfter() / 1048576.0));
            extra.put("rss_delta_mb", String.format(Locale.ROOT, "%.1f", delta / 1048576.0));
            extra.put("rss_per_watcher_b", String.format(Locale.ROOT, "%.0f", (double) delta / Math.max(1, w.parked())));
            if (w.heapAfter() != 0) {
                extra.put("heap_per_watcher_b", String.format(Locale.ROOT, "%.0f",
                        (double) (w.heapAfter() - w.heapBefore()) / Math.max(1, w.parked())));
            }
            extra.put("how", w.note().replace(';', ','));
            if (w.notified() == 0) {
                extra.put("error", "no watcher notified (" + w.parked() + " parked, " + w.failed() + " failed)");
            } else if (w.notified() < n || w.parked() < n) {
                extra.put("limit", "parked " + w.parked() + ", notified " + w.notified() + " of " + n + ": " + w.note());
            }
            double perSec = all > 0 ? w.notified() / (all / 1000) : Double.NaN;
            results.add(new SideResults.Row(round, s.label(), "W4", p, perSec, w.latencies().percentileMs(50),
                    w.latencies().percentileMs(99), extra));
            System.out.printf(Locale.ROOT, "  %-9s W4 N=%d: all notified in %,.0f ms (p50 %,.0f ms; the write itself %,.0f ms), %d parked, %d notified, %d failed; "
                            + "server RSS %+.1f MB (%,.0f B/watcher)%s; server-side watches %d; %s%n",
                    s.label(), n, all, w.latencies().percentileMs(50), w.writeNanos() / 1e6, w.parked(), w.notified(), w.failed(), delta / 1048576.0,
                    (double) delta / Math.max(1, w.parked()),
                    w.heapAfter() != 0 ? String.format(Locale.ROOT, ", heap %,.0f B/watcher after GC",
                            (double) (w.heapAfter() - w.heapBefore()) / Math.max(1, w.parked())) : "",
                    w.serverWatches(), w.note());
        } catch (Exception e) {
            failed(round, sys, "W4", p, e);
        }
    }

    private void start(int round, String sys) {
        try {
            SideSystem.Env e = new SideSystem.Env(env.home(), Files.createTempDirectory(env.work(), sys + "-single-"), smoke,
                    env.zkSessions());
            SideSystem.Start st = switch (sys) {
                case "roster" -> RosterSide.single(e);
                case "etcd" -> EtcdSide.single(e);
                default -> ZkSide.single(e);
            };
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("start_ms", String.format(Locale.ROOT, "%.1f", st.nanos() / 1e6));
            extra.put("rss_mb", String.format(Locale.ROOT, "%.1f", st.rss() / 1048576.0));
            extra.put("how", st.note());
            results.add(new SideResults.Row(round, label(sys), "W8", "", Double.NaN, Double.NaN, Double.NaN, extra));
            System.out.printf(Locale.ROOT, "  %-9s W8: first answered write %,.0f ms after spawn, RSS %.0f MB (%s)%n", label(sys),
                    st.nanos() / 1e6, st.rss() / 1048576.0, st.note());
        } catch (Exception e) {
            failed(round, sys, "W8", "", e);
        }
    }

    // ------------------------------------------------------------------ machine facts

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0) + " GB";
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return "? GB";
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String javaVersion(String java) {
        try {
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out.lines().findFirst().orElse("?").replace("\"", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
