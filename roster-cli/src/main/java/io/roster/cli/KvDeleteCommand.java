package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster kv delete}: one key, a check-and-delete ({@code -cas}), or a whole prefix ({@code -recurse}). */
@Command(name = "delete", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv delete [options] KEY_OR_PREFIX",
        description = {"Delete a key, or every key under a prefix.", "Deleting a key that does not exist succeeds."},
        footer = {"", "Examples:", "  roster kv delete redis/config/connections", "  roster kv delete -recurse redis/",
                "  roster kv delete -cas -modify-index=844 redis/config/connections"})
final class KvDeleteCommand extends ClientCommand {
    @Option(names = {"-cas", "--cas"}, description = "Check-and-delete: delete only if the key's ModifyIndex is -modify-index.")
    boolean cas;
    @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "UINT", description = "The ModifyIndex -cas compares with.")
    String modifyIndex;
    @Option(names = {"-recurse", "--recurse"}, description = "Delete every key that starts with the prefix.")
    boolean recurse;
    @Parameters(arity = "0..*", paramLabel = "KEY_OR_PREFIX", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        long index = KvPutCommand.unsigned("-modify-index", modifyIndex);
        maxArgs(args, 1);
        String key = args.isEmpty() ? "" : args.get(0);
        if (key.startsWith("/")) {
            key = key.substring(1);
        }
        if (key.isEmpty() && !recurse) {
            throw usage("Error! Missing KEY argument");
        }
        if (cas && index == 0) {
            throw usage("Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.");
        }
        if (index != 0 && !cas) {
            throw usage("Cannot specify -modify-index without -cas!");
        }
        if (recurse && cas) {
            throw usage("Cannot specify both -cas and -recurse!");
        }
        Map<String, String> params = http.writeParams();
        if (recurse) {
            params.put("recurse", "");
            try {
                client().kv().delete(key, params);
            } catch (RosterException e) {
                return fail("Error! Did not delete prefix " + key + ": " + describe(e));
            }
            out.println("Success! Deleted keys with prefix: " + key);
        } else if (cas) {
            params.put("cas", Long.toUnsignedString(index));
            boolean ok;
            try {
                ok = client().kv().delete(key, params);
            } catch (RosterException e) {
                return fail("Error! Did not delete key " + key + ": " + describe(e));
            }
            if (!ok) {
                return fail("Error! Did not delete key " + key + ": CAS failed");
            }
            out.println("Success! Deleted key: " + key);
        } else {
            try {
                client().kv().delete(key, params);
            } catch (RosterException e) {
                return fail("Error deleting key " + key + ": " + describe(e));
            }
            out.println("Success! Deleted key: " + key);
        }
        return 0;
    }
}
