package io.roster.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.api.RosterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster kv import DATA}: writes every entry of a {@code kv export} document (from
 * {@code @file}, {@code -} for stdin, or the argument itself), one PUT per key as Consul does,
 * under {@code -prefix} when given. A trailing {@code /} of a key (a "folder") is kept.
 */
@Command(name = "import", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv import [options] DATA",
        description = {"Import keys from the JSON that kv export writes.",
                "DATA is @FILE, - for stdin, or the JSON itself. Each key is written with its own PUT."},
        footer = {"", "Examples:", "  roster kv import @vault.json", "  cat vault.json | roster kv import -prefix=backup/ -"})
final class KvImportCommand extends ClientCommand {
    @Option(names = {"-prefix", "--prefix"}, paramLabel = "PREFIX", description = "Key prefix for imported data (default: none, the root).")
    String prefix = "";
    @Parameters(arity = "0..*", paramLabel = "DATA", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (args.isEmpty()) {
            throw usage("Error! Missing DATA argument");
        }
        maxArgs(args, 1);
        if (args.get(0).isEmpty()) {
            throw usage("Error! Empty DATA argument");
        }
        byte[] data;
        try {
            data = KvPutCommand.data(args.get(0));
        } catch (IOException e) {
            return fail("Error! " + e.getMessage());
        }
        JsonNode entries;
        try {
            entries = Json.mapper().readTree(new String(data, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return fail("Cannot unmarshal data: " + Main.oneLine(e.getOriginalMessage()));
        }
        if (entries == null || entries.isNull() || entries.isMissingNode()) {
            return 0;
        }
        if (!entries.isArray()) {
            return fail("Cannot unmarshal data: the document must be a JSON array of {\"key\", \"flags\", \"value\"} objects");
        }
        for (JsonNode entry : entries) {
            String key = field(entry, "key").asText("");
            byte[] value;
            try {
                value = Base64.getDecoder().decode(field(entry, "value").asText(""));
            } catch (IllegalArgumentException e) {
                return fail("Error base 64 decoding value for key " + key + ": " + e.getMessage());
            }
            String target = GoFormat.pathJoin(prefix, key);
            // path.Join drops a trailing "/", but such a key is a folder: keep it (Consul does too).
            if (key.endsWith("/")) {
                target += "/";
            }
            Map<String, String> params = http.writeParams();
            JsonNode flags = field(entry, "flags");
            if (!flags.isMissingNode() && !flags.isNull() && !flags.asText().equals("0")) {
                params.put("flags", Long.toUnsignedString(KvPutCommand.unsigned("flags", flags.asText())));
            }
            try {
                client().kv().put(target, value, params);
            } catch (RosterException e) {
                return fail("Error! Failed writing data for key " + target + ": " + describe(e));
            }
            out.println("Imported: " + target);
        }
        return 0;
    }

    /** A field matched case-insensitively, as Go's {@code json.Unmarshal} matches struct fields. */
    private static JsonNode field(JsonNode entry, String name) {
        Iterator<Map.Entry<String, JsonNode>> it = entry.properties().iterator();
        JsonNode found = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
            if (e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                found = e.getValue();
            }
        }
        return found;
    }
}
