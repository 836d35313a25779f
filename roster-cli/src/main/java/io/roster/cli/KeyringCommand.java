package io.roster.cli;

import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster keyring -list|-install=KEY|-use=KEY|-remove=KEY}: the gossip keyring through
 * {@code /v1/operator/keyring}. A rotation: install the new key, use it, remove the old one.
 */
@Command(name = "keyring", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster keyring [options]",
        description = {"Manage the gossip encryption keys of the cluster (exactly one of the options below)."},
        footer = {"", "Examples:", "  roster keyring -list", "  roster keyring -install=$(roster keygen)",
                "  roster keyring -use=NEWKEY", "  roster keyring -remove=OLDKEY"})
final class KeyringCommand extends ClientCommand {
    @Option(names = {"-list", "--list"}, description = "List the installed keys and how many nodes hold each.")
    boolean list;
    @Option(names = {"-install", "--install"}, paramLabel = "KEY", description = "Install a new key on every member.")
    String install;
    @Option(names = {"-use", "--use"}, paramLabel = "KEY", description = "Make an installed key the primary (encrypting) key.")
    String use;
    @Option(names = {"-remove", "--remove"}, paramLabel = "KEY", description = "Remove a key (not the primary) from every member.")
    String remove;
    @Option(names = {"-list-primary", "--list-primary"}, description = "List only the primary keys.")
    boolean listPrimary;
    @Option(names = {"-relay-factor", "--relay-factor"}, paramLabel = "N", description = "Accepted, ignored.")
    Integer relayFactor;
    @Option(names = {"-local-only", "--local-only"}, description = "Accepted, ignored.")
    boolean localOnly;
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        int chosen = (list ? 1 : 0) + (listPrimary ? 1 : 0) + (install != null ? 1 : 0) + (use != null ? 1 : 0) + (remove != null ? 1 : 0);
        if (chosen != 1) {
            throw usage("Only a single action is allowed");
        }
        RosterClient.Operator op = client().operator();
        try {
            if (list || listPrimary) {
                out.println("==> Gathering installed encryption keys...");
                for (RosterClient.KeyringResponse r : op.keyringList()) {
                    String pool = r.wan() ? "WAN" : r.datacenter() + " (LAN)";
                    out.println();
                    out.println(pool + ":");
                    Map<String, Integer> keys = listPrimary ? r.primaryKeys() : r.keys();
                    for (Map.Entry<String, Integer> k : keys.entrySet()) {
                        out.println("  " + k.getKey() + " [" + k.getValue() + "/" + r.numNodes() + "]");
                    }
                }
                return 0;
            }
            if (install != null) {
                out.println("==> Installing new gossip encryption key...");
                op.keyringInstall(install);
            } else if (use != null) {
                out.println("==> Changing primary gossip encryption key...");
                op.keyringUse(use);
            } else {
                out.println("==> Removing gossip encryption key...");
                op.keyringRemove(remove);
            }
            return 0;
        } catch (RosterException e) {
            return fail("error: " + describe(e));
        }
    }
}
