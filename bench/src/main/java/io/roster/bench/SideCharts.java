package io.roster.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * One PNG per workload from the medians over rounds (XChart, headless): W1-W3 throughput and
 * p50/p99 latency per system; W4 time to notify every watcher and server RSS per watcher by N;
 * W8 start to first answer and RSS.
 */
final class SideCharts {
    private static final int W = 640;
    private static final int H = 420;

    private SideCharts() {
    }

    static List<Path> write(SideResults res, Path dir, List<Integer> watcherCounts, int rounds, String subtitle) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        String[][] kv = {{"W1", "w1.png", "writes (PUT / put / setData)"}, {"W2", "w2.png", "linearizable reads"},
                {"W3", "w3.png", "stale / serializable reads"}};
        for (String[] w : kv) {
            if (res.values("Roster", w[0], "", "throughput").isEmpty() && res.values("etcd", w[0], "", "throughput").isEmpty()
                    && res.values("ZooKeeper", w[0], "", "throughput").isEmpty()) {
                continue;
            }
            CategoryChart tput = chart(w[0] + " " + w[2] + ": throughput", "requests/s", rounds, subtitle);
            tput.addSeries("median of rounds", SideResults.SYSTEMS, medians(res, w[0], "", "throughput"));
            tput.getStyler().setLegendVisible(false);
            CategoryChart lat = chart(w[0] + " " + w[2] + ": latency", "ms", rounds, subtitle);
            lat.addSeries("p50", SideResults.SYSTEMS, medians(res, w[0], "", "p50_ms"));
            lat.addSeries("p99", SideResults.SYSTEMS, medians(res, w[0], "", "p99_ms"));
            out.add(save(List.of(tput, lat), dir.resolve(w[1])));
        }
        if (!watcherCounts.isEmpty() && hasAny(res, "W4")) {
            XYChart all = xy("W4 one write, N watchers: time until all notified", "ms (log)", rounds, subtitle);
            all.getStyler().setYAxisLogarithmic(true);
            XYChart mem = xy("W4 server RSS growth per parked watcher", "bytes (log)", rounds, subtitle);
            mem.getStyler().setYAxisLogarithmic(true);
            for (String sys : SideResults.SYSTEMS) {
                addPoints(all, sys, res, watcherCounts, "all_ms");
                addPoints(mem, sys, res, watcherCounts, "rss_per_watcher_b");
            }
            out.add(save(List.of(all, mem), dir.resolve("w4.png")));
        }
        if (hasAny(res, "W8")) {
            CategoryChart start = chart("W8 single node: spawn to first answered write", "ms", rounds, subtitle);
            start.addSeries("median of rounds", SideResults.SYSTEMS, medians(res, "W8", "", "start_ms"));
            start.getStyler().setLegendVisible(false);
            CategoryChart rss = chart("W8 single node: RSS after the first answer", "MB", rounds, subtitle);
            rss.addSeries("median of rounds", SideResults.SYSTEMS, medians(res, "W8", "", "rss_mb"));
            rss.getStyler().setLegendVisible(false);
            out.add(save(List.of(start, rss), dir.resolve("w8.png")));
        }
        return out;
    }

    private static boolean hasAny(SideResults res, String workload) {
        return res.rows().stream().anyMatch(r -> r.workload().equals(workload) && !r.failed());
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static List<Double> medians(SideResults res, String workload, String param, String metric) {
        List<Double> out = new ArrayList<>();
        for (String sys : SideResults.SYSTEMS) {
            out.add(orZero(SideResults.median(res.values(sys, workload, param, metric))));
        }
        return out;
    }

    private static CategoryChart chart(String title, String yTitle, int rounds, String subtitle) {
        CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).yAxisTitle(yTitle).build();
        c.setXAxisTitle(rounds > 1 ? "median of " + rounds + " rounds; " + subtitle : subtitle);
        Styler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setLabelsRotation(0);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
        return c;
    }

    private static XYChart xy(String title, String yTitle, int rounds, String subtitle) {
        XYChart c = new XYChartBuilder().width(W).height(H).title(title).yAxisTitle(yTitle)
                .xAxisTitle("watchers on one key (log)" + (rounds > 1 ? "; median of " + rounds + " rounds" : "")).build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setXAxisDecimalPattern("#,##0");
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
        return c;
    }

    /** One line per system; points without a positive median (failed, or memory that shrank) are left out of the log plot. */
    private static void addPoints(XYChart c, String sys, SideResults res, List<Integer> ns, String metric) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int n : ns) {
            double v = SideResults.median(res.values(sys, "W4", Integer.toString(n), metric));
            if (v > 0) {
                x.add((double) n);
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            c.addSeries(sys, x, y);
        }
    }

    private static <T extends Chart<?, ?>> Path save(List<T> charts, Path file) throws IOException {
        BitmapEncoder.saveBitmap(charts, 1, charts.size(), file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
