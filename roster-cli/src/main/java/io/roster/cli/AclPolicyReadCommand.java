package io.roster.cli;

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
        return readOne("policy", id, name, this::policyId,
                full -> client().acl().policyRead(full, http.queryOptions()),
                n -> client().acl().policyReadByName(n, http.queryOptions()),
                x -> AclFormat.policy(x, meta));
    }
}
