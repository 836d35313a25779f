package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.RosterException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl policy read}: one policy with its rules, by ID (or a unique prefix) or by name. */
@Command(name = "read", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl policy read [options] (-id ID | -name NAME)",
        description = {"Show one ACL policy and its rules."},
        footer = {"", "Examples:", "  roster acl policy read -name global-management", "  roster acl policy read -id 0000000 -format=json"})
final class AclPolicyReadCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The policy's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The policy's name.")
    String name;

    @Override
    int run() {
        checkFormat();
        if (!set(id) && !set(name)) {
            return fail("Must specify either the -id or -name parameters");
        }
        String what = set(id) ? id : name;
        try {
            Optional<AclPolicy> p;
            if (set(id)) {
                String full;
                try {
                    full = policyId(id);
                } catch (IllegalArgumentException e) {
                    return fail("Error determining policy ID: " + e.getMessage());
                }
                what = full;
                p = client().acl().policyRead(full, http.queryOptions());
            } else {
                p = client().acl().policyReadByName(name, http.queryOptions());
            }
            if (p.isEmpty()) {
                return fail("Error reading policy \"" + what + "\": ACL not found");
            }
            return print(p.get(), x -> AclFormat.policy(x, meta));
        } catch (RosterException e) {
            return fail("Error reading policy \"" + what + "\": " + describe(e));
        }
    }
}
