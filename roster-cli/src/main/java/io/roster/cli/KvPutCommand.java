package io.roster.cli;

import io.roster.api.RosterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster kv put KEY [DATA]}: DATA is literal, {@code @file} for a file's bytes, or {@code -}
 * for stdin; {@code -cas}, {@code -acquire} and {@code -release} map to the same query parameters
 * of {@code PUT /v1/kv/<key>}, and each prints Consul's success or failure text.
 */
@Command(name = "put", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster kv put [options] KEY [DATA]",
        description = {"Write a key's value.",
                "DATA may be literal, @FILE for a file's content, or - for stdin; without DATA the key is written empty."},
        footer = {"", "Examples:", "  roster kv put config/redis/maxconns 5", "  roster kv put config/program/license @license.lic",
                "  echo abcd1234 | roster kv put config/program/license -", "  roster kv put -cas -modify-index=844 config/redis/maxconns 5",
                "  roster kv put -acquire -session=<id> service/web/leader node-a"})
final class KvPutCommand extends ClientCommand {
    @Option(names = {"-acquire", "--acquire"}, description = "Take the lock on the key for -session (creating the key if needed).")
    boolean acquire;
    @Option(names = {"-base64", "--base64"}, description = "DATA is base64-encoded.")
    boolean base64;
    @Option(names = {"-cas", "--cas"}, description = "Check-and-set: write only if the key's ModifyIndex is -modify-index (0: only if absent).")
    boolean cas;
    @Option(names = {"-flags", "--flags"}, paramLabel = "UINT", description = "Unsigned 64-bit flags to store with the key (default: 0).")
    String flags;
    @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "UINT", description = "The ModifyIndex -cas compares with.")
    String modifyIndex;
    @Option(names = {"-release", "--release"}, description = "Give up -session's lock on the key.")
    boolean release;
    @Option(names = {"-session", "--session"}, paramLabel = "ID", description = "Session for -acquire and -release.")
    String session;
    @Parameters(arity = "0..*", paramLabel = "KEY [DATA]", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() throws IOException {
        long kvFlags = unsigned("-flags", flags);
        long index = unsigned("-modify-index", modifyIndex);
        if (args.isEmpty()) {
            throw usage("Error! Missing KEY argument");
        }
        if (args.size() > 2) {
            throw usage("Error! Too many arguments (expected 1 or 2, got " + args.size() + ")");
        }
        String key = args.get(0);
        byte[] data;
        try {
            data = data(args.size() == 2 ? args.get(1) : "");
        } catch (IOException e) {
            return fail("Error! " + e.getMessage());
        }
        if (base64) {
            try {
                // Go's decoder skips newlines (echo adds one); anything else out of the alphabet is an error.
                data = Base64.getDecoder().decode(new String(data, StandardCharsets.UTF_8).replaceAll("[\r\n]", ""));
            } catch (IllegalArgumentException e) {
                return fail("Error! Cannot base 64 decode data: " + e.getMessage());
            }
        }
        if ((release || acquire) && (session == null || session.isEmpty())) {
            throw usage("Error! Missing -session (required with -acquire and -release)");
        }
        Map<String, String> params = http.writeParams();
        if (kvFlags != 0) {
            params.put("flags", Long.toUnsignedString(kvFlags));
        }
        try {
            if (cas) {
                params.put("cas", Long.toUnsignedString(index));
                boolean ok;
                try {
                    ok = client().kv().put(key, data, params);
                } catch (RosterException e) {
                    return fail("Error! Did not write to " + key + ": " + describe(e));
                }
                if (!ok && index == 0) {
                    return fail("Error! Did not write to " + key + ": CAS performed with index=0 and key already exists.");
                }
                if (!ok) {
                    return fail("Error! Did not write to " + key + ": CAS failed");
                }
                out.println("Success! Data written to: " + key);
            } else if (acquire) {
                params.put("acquire", session);
                if (!client().kv().put(key, data, params)) {
                    return fail("Error! Did not acquire lock");
                }
                out.println("Success! Lock acquired on: " + key);
            } else if (release) {
                params.put("release", session);
                if (!client().kv().put(key, data, params)) {
                    return fail("Error! Did not release lock");
                }
                out.println("Success! Lock released on: " + key);
            } else {
                client().kv().put(key, data, params);
                out.println("Success! Data written to: " + key);
            }
        } catch (RosterException e) {
            return fail("Error! Failed writing data: " + describe(e));
        }
        return 0;
    }

    /** Consul's data source rules: empty, {@code @file}, {@code -} (stdin), or the literal text. */
    static byte[] data(String arg) throws IOException {
        if (arg.isEmpty()) {
            return new byte[0];
        }
        if (arg.startsWith("@")) {
            try {
                return Files.readAllBytes(Path.of(arg.substring(1)));
            } catch (IOException e) {
                throw new IOException("Failed to read file: " + ioMessage(e), e);
            }
        }
        if (arg.equals("-")) {
            try {
                return System.in.readAllBytes();
            } catch (IOException e) {
                throw new IOException("Failed to read stdin: " + ioMessage(e), e);
            }
        }
        return arg.getBytes(StandardCharsets.UTF_8);
    }

    static String ioMessage(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "open " + n.getFile() + ": no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "open " + a.getFile() + ": permission denied";
        }
        return e.getMessage();
    }

    /** An unsigned 64-bit flag value, with Go's flag error when it is not one. */
    static long unsigned(String flag, String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw usage("invalid value \"" + value + "\" for flag " + flag + ": parse error");
        }
    }
}
