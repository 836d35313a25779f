package io.roster.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a Roster snapshot file without an agent, for {@code snapshot save} (verify what was
 * written) and {@code snapshot inspect}: UTF-8 JSON lines, a header line
 * {@code {"Format":"roster-snapshot","Version":n,"Index":n,...}}, one line per row named by its
 * first field ({@code KV}, {@code Session}, {@code Node}...), and a last {@code {"End":{"Rows":n}}}
 * line that tells a complete file from a truncated one.
 */
final class SnapshotFile {
    static final String FORMAT = "roster-snapshot";

    /** What a snapshot holds: its header, its size in bytes, and per row kind the count and bytes, in file order. */
    record Info(int version, long index, long size, Map<String, long[]> kinds) {
    }

    private SnapshotFile() {
    }

    /** Reads and checks a whole snapshot; an {@link IOException} says what is wrong, in one line. */
    static Info read(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String first = r.readLine();
        if (first == null || first.isBlank()) {
            throw new IOException("empty file, not a Roster snapshot");
        }
        JsonNode header = parse(first, 1);
        if (!header.isObject() || !FORMAT.equals(header.path("Format").asText(null))) {
            throw new IOException("not a Roster snapshot (no \"Format\":\"" + FORMAT + "\" header)");
        }
        if (!header.path("Version").canConvertToInt() || !header.path("Index").canConvertToLong()) {
            throw new IOException("snapshot header has no Version or Index");
        }
        long size = first.getBytes(StandardCharsets.UTF_8).length + 1L;
        Map<String, long[]> kinds = new LinkedHashMap<>();
        long rows = 0;
        long endRows = -1;
        int lineNo = 1;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            long bytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
            size += bytes;
            if (line.isEmpty()) {
                continue;
            }
            if (endRows >= 0) {
                throw new IOException("line " + lineNo + ": data after the End line");
            }
            JsonNode row = parse(line, lineNo);
            if (!row.isObject() || row.isEmpty()) {
                throw new IOException("line " + lineNo + ": not a snapshot row");
            }
            String kind = row.fieldNames().next();
            if (kind.equals("End")) {
                endRows = row.path("End").path("Rows").asLong(-1);
                continue;
            }
            long[] k = kinds.computeIfAbsent(kind, x -> new long[2]);
            k[0]++;
            k[1] += bytes;
            rows++;
        }
        if (endRows < 0) {
            throw new IOException("snapshot is truncated (no End line)");
        }
        if (endRows != rows) {
            throw new IOException("snapshot has " + rows + " rows but its End line says " + endRows);
        }
        return new Info(header.path("Version").asInt(), header.path("Index").asLong(), size, kinds);
    }

    private static JsonNode parse(String line, int lineNo) throws IOException {
        try {
            return Json.mapper().readTree(line);
        } catch (JsonProcessingException e) {
            throw new IOException("line " + lineNo + ": not JSON: " + Main.oneLine(e.getOriginalMessage()));
        }
    }
}
