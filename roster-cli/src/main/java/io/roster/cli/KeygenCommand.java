package io.roster.cli;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code roster keygen}: a new gossip encryption key (32 random bytes, base64); needs no agent. */
@Command(name = "keygen", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster keygen",
        description = {"Generate a new gossip encryption key (32 bytes, base64) for -encrypt and roster keyring."},
        footer = {"", "Example:", "  roster agent -server -encrypt=$(roster keygen) ..."})
final class KeygenCommand extends ClientCommand {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        out.println(Base64.getEncoder().encodeToString(key));
        return 0;
    }
}
