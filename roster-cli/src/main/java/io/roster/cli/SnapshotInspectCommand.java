package io.roster.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster snapshot inspect}: reads a snapshot file locally (no agent) and prints, in Consul's
 * layout (a tabwriter with 6 spaces of padding), its header ({@code Format Size Index Version}) and
 * a {@code Type Count Size} table of its rows per kind, largest first, with a {@code Total} line.
 */
@Command(name = "inspect", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster snapshot inspect [options] FILE",
        description = {"Show what a snapshot file holds: its index, format version, and rows per kind.",
                "Reads the file only; no agent is needed."},
        footer = {"", "Example:", "  roster snapshot inspect backup.snap"})
final class SnapshotInspectCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        if (args.isEmpty()) {
            err.println("Missing FILE argument");
            return 2;
        }
        if (args.size() > 1) {
            err.println("Too many arguments (expected 1, got " + args.size() + ")");
            return 2;
        }
        SnapshotFile.Info info;
        try (InputStream in = Files.newInputStream(Path.of(args.get(0)))) {
            try {
                info = SnapshotFile.read(in);
            } catch (IOException e) {
                err.println("Error inspecting snapshot: " + Main.oneLine(String.valueOf(e.getMessage())));
                return 1;
            }
        } catch (IOException e) {
            err.println("Error opening snapshot file: " + Main.oneLine(String.valueOf(e.getMessage())));
            return 1;
        }
        out.print(format(info));
        out.flush();
        return 0;
    }

    /** The header block, a blank line, and the per-kind table. */
    static String format(SnapshotFile.Info info) {
        List<List<String>> head = List.of(
                List.of(" Format", SnapshotFile.FORMAT),
                List.of(" Size", Long.toString(info.size())),
                List.of(" Index", Long.toString(info.index())),
                List.of(" Version", Integer.toString(info.version())));
        List<Map.Entry<String, long[]>> kinds = new ArrayList<>(info.kinds().entrySet());
        kinds.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]).thenComparing(Map.Entry::getKey));
        List<List<String>> table = new ArrayList<>();
        table.add(List.of(" Type", "Count", "Size"));
        table.add(List.of(" ----", "----", "----"));
        long total = 0;
        for (Map.Entry<String, long[]> k : kinds) {
            table.add(List.of(" " + k.getKey(), Long.toString(k.getValue()[0]), byteSize(k.getValue()[1])));
            total += k.getValue()[1];
        }
        table.add(List.of(" ----", "----", "----"));
        table.add(List.of(" Total", "", byteSize(total)));
        return GoFormat.tabwriter(head, 6) + "\n" + GoFormat.tabwriter(table, 6);
    }

    /** A size as Consul's inspect prints it: {@code 0}, {@code 412B}, {@code 1.7KB}, {@code 5MB} (one decimal, ".0" dropped). */
    static String byteSize(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int u = 0;
        while (value >= 1024 && u < units.length - 1) {
            value /= 1024;
            u++;
        }
        String s = String.format(java.util.Locale.ROOT, "%.1f", value);
        if (s.endsWith(".0")) {
            s = s.substring(0, s.length() - 2);
        }
        return s + units[u];
    }
}
