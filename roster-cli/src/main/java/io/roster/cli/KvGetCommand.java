package io.roster.cli;

import io.roster.api.KvPair;
import io.roster.api.RosterException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster kv get}: prints a value as stored (raw bytes and a newline), or, with
 * {@code -detailed}, Consul's aligned {@code Key  value} block; {@code -recurse} prints
 * {@code key:value} lines, {@code -keys} key names folded at {@code -separator}.
 */
@Command(name = "get", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv get [options] [KEY_OR_PREFIX]",
        description = {"Read a key's value, or list the keys under a prefix.",
                "A missing key is an error (exit 1); a key with no data prints an empty line."},
        footer = {"", "Examples:", "  roster kv get redis/config/connections", "  roster kv get -detailed redis/config/connections",
                "  roster kv get -recurse redis/", "  roster kv get -keys -separator=/ redis/"})
final class KvGetCommand extends ClientCommand {
    @Option(names = {"-base64", "--base64"}, description = "Base64-encode the value.")
    boolean base64;
    @Option(names = {"-detailed", "--detailed"}, description = "Show the key's metadata (indexes, flags, session) too.")
    boolean detailed;
    @Option(names = {"-keys", "--keys"}, description = "List the keys that start with the prefix, not their values.")
    boolean keys;
    @Option(names = {"-recurse", "--recurse"}, description = "Read every key that starts with the prefix.")
    boolean recurse;
    @Option(names = {"-separator", "--separator"}, paramLabel = "SEP",
            description = "With -keys, fold keys at this separator (default: \"/\").")
    String separator = "/";
    @Parameters(arity = "0..*", paramLabel = "KEY_OR_PREFIX", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 1);
        String key = args.isEmpty() ? "" : args.get(0);
        // Keys cannot start with "/", but users type "/foo": strip it, as Consul does.
        if (key.startsWith("/")) {
            key = key.substring(1);
        }
        if (key.isEmpty() && !(recurse || keys)) {
            throw usage("Error! Missing KEY argument");
        }
        try {
            if (keys && recurse) {
                List<KvPair> pairs = client().kv().list(key, http.queryOptions()).value();
                for (int i = 0; i < pairs.size(); i++) {
                    if (detailed) {
                        out.print(detailed(pairs.get(i), false, true));
                        out.println();
                        if (i < pairs.size() - 1) {
                            out.println();
                        }
                    } else {
                        out.println(pairs.get(i).key());
                    }
                }
            } else if (keys) {
                for (String k : client().kv().keys(key, separator, http.queryOptions()).value()) {
                    out.println(k);
                }
            } else if (recurse) {
                List<KvPair> pairs = client().kv().list(key, http.queryOptions()).value();
                for (int i = 0; i < pairs.size(); i++) {
                    KvPair p = pairs.get(i);
                    if (detailed) {
                        out.print(detailed(p, base64, false));
                        out.println();
                        if (i < pairs.size() - 1) {
                            out.println();
                        }
                    } else {
                        out.print(p.key() + ":");
                        value(p);
                    }
                }
            } else {
                Optional<KvPair> pair = client().kv().get(key, http.queryOptions()).value();
                if (pair.isEmpty()) {
                    return fail("Error! No key exists at: " + key);
                }
                if (detailed) {
                    out.print(detailed(pair.get(), base64, false));
                    out.println();
                } else {
                    value(pair.get());
                }
            }
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        return 0;
    }

    /** The value as stored (or base64) and a newline. */
    private void value(KvPair p) {
        byte[] v = p.value() == null ? new byte[0] : p.value();
        if (base64) {
            out.println(Base64.getEncoder().encodeToString(v));
        } else {
            out.writeBytes(v);
            out.println();
        }
    }

    /**
     * Consul's detailed block (a tabwriter with 6 spaces of padding); the Value line has no newline,
     * and with {@code keysOnly} there is no Value line at all.
     */
    static String detailed(KvPair p, boolean base64, boolean keysOnly) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CreateIndex", Long.toString(p.createIndex())));
        rows.add(List.of("Flags", Long.toUnsignedString(p.flags())));
        rows.add(List.of("Key", p.key()));
        rows.add(List.of("LockIndex", Long.toString(p.lockIndex())));
        rows.add(List.of("ModifyIndex", Long.toString(p.modifyIndex())));
        rows.add(List.of("Session", p.session() == null || p.session().isEmpty() ? "-" : p.session()));
        if (!keysOnly) {
            byte[] v = p.value() == null ? new byte[0] : p.value();
            rows.add(List.of("Value", base64 ? Base64.getEncoder().encodeToString(v) : new String(v, StandardCharsets.UTF_8)));
        }
        String s = GoFormat.tabwriter(rows, 6);
        return keysOnly ? s : s.substring(0, s.length() - 1);
    }
}
