package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.RosterException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster acl policy update}: reads the policy, changes the fields the flags give and writes
 * it back ({@code PUT /v1/acl/policy/<ID>}); with {@code -no-merge} the flags are the whole policy.
 */
@Command(name = "update", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl policy update [options] (-id ID | -name NAME)",
        description = {"Change an ACL policy's name, description, rules or datacenters.",
                "With -id, -name renames the policy; without -id, -name says which policy to change."},
        footer = {"", "Examples:", "  roster acl policy update -name app-kv -rules @app-kv.hcl",
                "  roster acl policy update -id 35b8ecb0 -name app-kv-v2 -description \"app KV, v2\""})
final class AclPolicyUpdateCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The policy's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The policy's name (with -id: its new name).")
    String name;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A new description.")
    String description;
    @Option(names = {"-valid-datacenter", "--valid-datacenter"}, paramLabel = "DC",
            description = "Datacenter the policy is valid in, replacing the list. Repeatable.")
    List<String> datacenters = new ArrayList<>();
    @Option(names = {"-rules", "--rules"}, paramLabel = "RULES", description = "New rules: literal, @FILE or - for stdin.")
    String rules;
    @Option(names = {"-no-merge", "--no-merge"}, description = "Replace the whole policy with what the flags say instead of merging.")
    boolean noMerge;

    @Override
    int run() {
        checkFormat();
        if (!set(id) && !set(name)) {
            return fail("Cannot update a policy without specifying the -id or -name parameter");
        }
        String text = null;
        if (rules != null) {
            try {
                text = AclFormat.rules(rules, System.in);
            } catch (IOException e) {
                return fail("Error loading rules: " + e.getMessage());
            }
        }
        AclPolicy current;
        try {
            Optional<AclPolicy> p;
            if (set(id)) {
                String full;
                try {
                    full = policyId(id);
                } catch (IllegalArgumentException e) {
                    return fail("Error determining policy ID: " + e.getMessage());
                }
                p = client().acl().policyRead(full, http.queryOptions());
            } else {
                p = client().acl().policyReadByName(name, http.queryOptions());
            }
            if (p.isEmpty()) {
                return fail("Error when retrieving current policy: ACL not found");
            }
            current = p.get();
        } catch (RosterException e) {
            return fail("Error when retrieving current policy: " + describe(e));
        }
        AclPolicy updated;
        if (noMerge) {
            updated = new AclPolicy(current.id(), set(name) ? name : current.name(), description, text, datacenters, null, 0, 0);
        } else {
            updated = new AclPolicy(current.id(), set(name) ? name : current.name(),
                    set(description) ? description : current.description(), text != null ? text : current.rules(),
                    set(datacenters) ? datacenters : current.datacenters(), null, 0, 0);
        }
        try {
            return print(client().acl().policyUpdate(updated), x -> AclFormat.policy(x, meta));
        } catch (RosterException e) {
            return fail("Failed to update policy " + current.id() + ": " + describe(e));
        }
    }
}
