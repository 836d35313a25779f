package io.roster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The side-by-side benchmark's figures: one {@link Row} per (round, system, workload, parameter),
 * written as CSV ({@code round,system,workload,param,throughput,p50_ms,p99_ms,extra}), summarised
 * over rounds (median, min-max) in a markdown table with the ratios Roster/etcd and Roster/ZooKeeper.
 */
final class SideResults {
    static final List<String> SYSTEMS = List.of("Roster", "etcd", "ZooKeeper");

    /** {@code extra} holds the workload's other figures as key=value (numbers) or text (notes, errors). */
    record Row(int round, String system, String workload, String param, double throughput, double p50, double p99,
               Map<String, String> extra) {
        double num(String key) {
            String v = extra.get(key);
            if (v == null) {
                return Double.NaN;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        /** A figure by name: the fixed columns, or a number from {@code extra}. */
        double get(String metric) {
            return switch (metric) {
                case "throughput" -> throughput;
                case "p50_ms" -> p50;
                case "p99_ms" -> p99;
                default -> num(metric);
            };
        }

        boolean failed() {
            return extra.containsKey("error");
        }
    }

    /** A line of the summary table: which figure, how to print it, and whether more is better. */
    record Measure(String workload, String param, String metric, String label, String format, boolean higherBetter) {
    }

    private final List<Row> rows = new ArrayList<>();

    synchronized void add(Row r) {
        rows.add(r);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    synchronized boolean anyFailed() {
        return rows.stream().anyMatch(Row::failed);
    }

    /** The values of one figure over the rounds, failed rows and missing values left out. */
    synchronized List<Double> values(String system, String workload, String param, String metric) {
        List<Double> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.system.equals(system) && r.workload.equals(workload) && Objects.equals(r.param, param) && !r.failed()) {
                double v = r.get(metric);
                if (!Double.isNaN(v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    static double median(List<Double> vs) {
        if (vs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(vs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("round,system,workload,param,throughput,p50_ms,p99_ms,extra");
        for (Row r : rows()) {
            StringBuilder extra = new StringBuilder();
            r.extra.forEach((k, v) -> extra.append(extra.isEmpty() ? "" : ";").append(k).append('=').append(v));
            lines.add(String.join(",", Integer.toString(r.round), r.system, r.workload, csv(r.param), num(r.throughput), num(r.p50),
                    num(r.p99), csv(extra.toString())));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, lines);
    }

    /** Reads a CSV written by {@link #writeCsv} back (for {@code --replot}). */
    static SideResults readCsv(Path file) throws IOException {
        SideResults res = new SideResults();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = splitCsv(line);
            if (f.size() < 8) {
                continue;
            }
            Map<String, String> extra = new LinkedHashMap<>();
            for (String kv : f.get(7).split(";")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    extra.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            res.add(new Row(Integer.parseInt(f.get(0)), f.get(1), f.get(2), f.get(3), parse(f.get(4)), parse(f.get(5)),
                    parse(f.get(6)), extra));
        }
        return res;
    }

    private static double parse(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"" : s;
    }

    static String fmt(String format, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
    }

    /** The markdown table: for each measure, each system's median (min–max over rounds), and the two ratios. */
    String table(List<Measure> measures) {
        StringBuilder b = new StringBuilder();
        b.append("| workload | measure | Roster | etcd | ZooKeeper | Roster/etcd | Roster/ZK |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Measure m : measures) {
            Map<String, Double> med = new LinkedHashMap<>();
            StringBuilder line = new StringBuilder("| " + m.workload() + (m.param().isEmpty() ? "" : " " + m.param()) + " | "
                    + m.label() + (m.higherBetter() ? " (higher is better)" : " (lower is better)") + " |");
            boolean any = false;
            for (String sys : SYSTEMS) {
                List<Double> vs = values(sys, m.workload(), m.param(), m.metric());
                double md = median(vs);
                med.put(sys, md);
                any |= !vs.isEmpty();
                String cell = fmt(m.format(), md);
                if (vs.size() > 1) {
                    cell += " (" + fmt(m.format(), vs.stream().mapToDouble(d -> d).min().orElse(Double.NaN)) + "–"
                            + fmt(m.format(), vs.stream().mapToDouble(d -> d).max().orElse(Double.NaN)) + ")";
                }
                line.append(' ').append(cell).append(" |");
            }
            if (!any) {
                continue;
            }
            line.append(' ').append(ratio(med.get("Roster"), med.get("etcd"))).append(" |")
                    .append(' ').append(ratio(med.get("Roster"), med.get("ZooKeeper"))).append(" |\n");
            b.append(line);
        }
        return b.toString();
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "—";
        }
        double r = a / b;
        return String.format(Locale.ROOT, r >= 10 ? "%.0fx" : r >= 1 ? "%.1fx" : "%.2fx", r);
    }

    /** Notes attached to rows (parking limits, errors), one line each, for the end of the report. */
    synchronized List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            String n = r.extra.get("error") != null ? "error: " + r.extra.get("error") : r.extra.get("limit");
            if (n != null) {
                out.add("round " + r.round + ", " + r.system + " " + r.workload + (r.param.isEmpty() ? "" : " " + r.param) + ": " + n);
            }
        }
        return out;
    }
}
