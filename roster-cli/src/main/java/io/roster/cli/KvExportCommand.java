package io.roster.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roster.api.KvPair;
import io.roster.api.RosterException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code roster kv export [PREFIX]}: the keys under a prefix as Consul's export JSON, a tab-indented
 * array of {@code {"key", "flags", "value" (base64)}}, which {@code kv import} (Roster's or Consul's) reads.
 */
@Command(name = "export", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv export [options] [PREFIX]",
        description = {"Export the keys under a prefix as JSON.",
                "The format is Consul's: a tab-indented array of {\"key\", \"flags\", \"value\" (base64)}."},
        footer = {"", "Example:", "  roster kv export vault/ > vault.json"})
final class KvExportCommand extends ClientCommand {
    @Parameters(arity = "0..*", paramLabel = "PREFIX", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 1);
        String prefix = args.isEmpty() ? "" : args.get(0);
        if (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        List<KvPair> pairs;
        try {
            pairs = client().kv().list(prefix, http.queryOptions()).value();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        ArrayNode entries = JsonNodeFactory.instance.arrayNode();
        for (KvPair p : pairs) {
            ObjectNode e = entries.addObject();
            e.put("key", p.key());
            e.put("flags", new BigInteger(Long.toUnsignedString(p.flags())));
            e.put("value", Base64.getEncoder().encodeToString(p.value() == null ? new byte[0] : p.value()));
        }
        out.println(GoFormat.indent(entries, "\t"));
        return 0;
    }
}
