package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code roster info}: the {@code Stats} of {@code /v1/agent/self}, one {@code section:} per group and {@code \tkey = value} lines, sorted. */
@Command(name = "info", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster info [options]",
        description = {"Show the agent's runtime statistics, for operators."},
        footer = {"", "Example:", "  roster info"})
final class InfoCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        JsonNode self;
        try {
            self = client().agent().self();
        } catch (RosterException e) {
            return fail("Error querying agent: " + describe(e));
        }
        JsonNode stats = self.get("Stats");
        if (stats == null || !stats.isObject()) {
            return fail("Agent response did not contain 'Stats' key: " + GoFormat.compact(self));
        }
        for (String section : sorted(stats)) {
            out.println(section + ":");
            JsonNode values = stats.get(section);
            if (!values.isObject()) {
                return fail("Got invalid subkey in stats: " + GoFormat.compact(values));
            }
            for (String key : sorted(values)) {
                JsonNode v = values.get(key);
                out.println("\t" + key + " = " + (v.isValueNode() ? v.asText() : GoFormat.compact(v)));
            }
        }
        return 0;
    }

    private static List<String> sorted(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }
}
