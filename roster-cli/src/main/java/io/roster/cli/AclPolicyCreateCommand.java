package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.RosterException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl policy create}: {@code PUT /v1/acl/policy}; the server validates the rules and names the bad line. */
@Command(name = "create", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl policy create [options] -name NAME [-rules RULES|@FILE|-]",
        description = {"Create an ACL policy from rules in HCL or JSON.",
                "-rules takes the rules themselves, @FILE for a file's content, or - for stdin."},
        footer = {"", "Examples:", "  roster acl policy create -name app-kv -rules @app-kv.hcl",
                "  roster acl policy create -name app-kv -rules 'key_prefix \"app/\" { policy = \"write\" }'",
                "  cat app-kv.hcl | roster acl policy create -name app-kv -valid-datacenter dc1 -rules -"})
final class AclPolicyCreateCommand extends AclOutputCommand {
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The policy's name (required).")
    String name;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A description of the policy.")
    String description;
    @Option(names = {"-valid-datacenter", "--valid-datacenter"}, paramLabel = "DC",
            description = "Datacenter the policy is valid in (default: all). Repeatable.")
    List<String> datacenters = new ArrayList<>();
    @Option(names = {"-rules", "--rules"}, paramLabel = "RULES", description = "The rules: literal, @FILE or - for stdin.")
    String rules;

    @Override
    int run() {
        checkFormat();
        if (!set(name)) {
            return fail("Missing required '-name' flag");
        }
        String text;
        try {
            text = AclFormat.rules(rules, System.in);
        } catch (IOException e) {
            return fail("Error loading rules: " + e.getMessage());
        }
        try {
            AclPolicy p = client().acl().policyCreate(new AclPolicy(null, name, description, text, datacenters, null, 0, 0));
            return print(p, x -> AclFormat.policy(x, meta));
        } catch (RosterException e) {
            return fail("Failed to create new policy: " + describe(e));
        }
    }
}
