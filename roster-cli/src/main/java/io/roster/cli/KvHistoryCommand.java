package io.roster.cli;

import io.roster.api.KvVersion;
import io.roster.api.RosterException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster kv history}: the last versions of a key, newest first ({@code GET /v1/kv/<key>?history},
 * a Roster extension: Consul keeps no history). One aligned row per version: its index, time (UTC, as the
 * server stamped the write; "-" when unknown), size, flags,
 * session and value (one line, cut at 60 characters; {@code -base64} for binary values); a delete is
 * a version too. A key with no history is an error (exit 1).
 */
@Command(name = "history", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv history [options] KEY",
        description = {"Show the last versions of a key, newest first (a Roster extension).",
                "The agent keeps kv_history_versions versions per key (default 10); a delete is a version too.",
                "Restore one with: roster kv put -cas -modify-index=<current index> KEY <old value>."},
        footer = {"", "Examples:", "  roster kv history redis/config/connections",
                "  roster kv history -base64 app/certificate"})
final class KvHistoryCommand extends ClientCommand {
    private static final int MAX_VALUE = 60;

    @Option(names = {"-base64", "--base64"}, description = "Show values base64-encoded.")
    boolean base64;
    @Parameters(arity = "0..*", paramLabel = "KEY", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 1);
        String key = args.isEmpty() ? "" : args.get(0);
        if (key.startsWith("/")) {
            key = key.substring(1);
        }
        if (key.isEmpty()) {
            throw usage("Error! Missing KEY argument");
        }
        List<KvVersion> versions;
        try {
            versions = client().kv().history(key, http.queryOptions()).value();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        if (versions.isEmpty()) {
            return fail("Error! No history for key: " + key);
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Index", "Time", "Size", "Flags", "Session", "Value"));
        for (KvVersion v : versions) {
            rows.add(List.of(Long.toString(v.modifyIndex()), v.time() == null ? "-" : v.time(), v.deleted() ? "-" : Integer.toString(v.size()),
                    Long.toUnsignedString(v.flags()), v.session() == null || v.session().isEmpty() ? "-" : v.session(),
                    v.deleted() ? "(deleted)" : shown(v.value())));
        }
        out.print(GoFormat.tabwriter(rows, 2));
        return 0;
    }

    private String shown(byte[] value) {
        if (value == null) {
            return "";
        }
        String s = base64 ? Base64.getEncoder().encodeToString(value) : new String(value, StandardCharsets.UTF_8);
        s = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
        return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE - 3) + "..." : s;
    }
}
