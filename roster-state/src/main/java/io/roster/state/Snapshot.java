package io.roster.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roster.api.Json;
import io.roster.api.KvPair;
import io.roster.api.SessionEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot format, version 1: UTF-8 JSON lines. The first line is a header
 * ({@code Format}, {@code Version}, indexes); then one line per row ({@code {"KV":...}},
 * {@code {"Tombstone":...}}, {@code {"Session":...}}) in key order; the last line is
 * {@code {"End":{"Rows":n}}}, so a truncated file is detected. Rows are sorted, so the same state
 * always gives the same bytes (golden-file tested). Newer versions may add row kinds; a reader
 * refuses versions it does not know.
 */
public final class Snapshot {
    public static final String FORMAT = "roster-snapshot";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = Json.mapper();

    private Snapshot() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(@JsonProperty("Format") String format, @JsonProperty("Version") int version,
                  @JsonProperty("Index") long index, @JsonProperty("KVIndex") long kvIndex,
                  @JsonProperty("SessionIndex") long sessionIndex) {
    }

    record Tombstone(@JsonProperty("Key") String key, @JsonProperty("Index") long index) {
    }

    record End(@JsonProperty("Rows") long rows) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(@JsonProperty("KV") KvPair kv, @JsonProperty("Tombstone") Tombstone tombstone,
               @JsonProperty("Session") SessionEntry session, @JsonProperty("End") End end) {
    }

    /** What a snapshot holds, fully parsed. */
    record Contents(long index, long kvIndex, long sessionIndex, List<KvPair> kv,
                    Map<String, Long> tombstones, List<SessionEntry> sessions) {
    }

    static void write(Store s, long index, OutputStream out) throws IOException {
        long rows = 0;
        line(out, new Header(FORMAT, VERSION, index, s.kv.index, s.sessions.index));
        for (KvPair e : s.kv.entries.values()) {
            line(out, new Row(e, null, null, null));
            rows++;
        }
        for (Map.Entry<String, Long> t : s.kv.tombstones.entrySet()) {
            line(out, new Row(null, new Tombstone(t.getKey(), t.getValue()), null, null));
            rows++;
        }
        for (SessionEntry e : s.sessions.byId.values()) {
            line(out, new Row(null, null, e, null));
            rows++;
        }
        line(out, new Row(null, null, null, new End(rows)));
        out.flush();
    }

    private static void line(OutputStream out, Object o) throws IOException {
        out.write(Json.write(o));
        out.write('\n');
    }

    static Contents read(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String first = r.readLine();
        if (first == null) {
            throw new IOException("empty snapshot");
        }
        Header h;
        try {
            h = JSON.readValue(first, Header.class);
        } catch (IOException e) {
            throw new IOException("not a Roster snapshot (bad header)", e);
        }
        if (!FORMAT.equals(h.format())) {
            throw new IOException("not a Roster snapshot (format " + h.format() + ")");
        }
        if (h.version() != VERSION) {
            throw new IOException("unsupported snapshot version " + h.version() + " (this server reads " + VERSION + ")");
        }
        List<KvPair> kv = new ArrayList<>();
        Map<String, Long> tombs = new TreeMap<>();
        List<SessionEntry> sessions = new ArrayList<>();
        long rows = 0;
        String line;
        while ((line = r.readLine()) != null) {
            Row row;
            try {
                row = JSON.readValue(line, Row.class);
            } catch (IOException e) {
                throw new IOException("corrupt snapshot row " + (rows + 1), e);
            }
            if (row.end() != null) {
                if (row.end().rows() != rows) {
                    throw new IOException("snapshot says " + row.end().rows() + " rows, found " + rows);
                }
                return new Contents(h.index(), h.kvIndex(), h.sessionIndex(), kv, tombs, sessions);
            }
            if (row.kv() != null) {
                kv.add(row.kv());
            } else if (row.tombstone() != null) {
                tombs.put(row.tombstone().key(), row.tombstone().index());
            } else if (row.session() != null) {
                sessions.add(row.session());
            }
            rows++;
        }
        throw new IOException("truncated snapshot: no end marker after " + rows + " rows");
    }
}
