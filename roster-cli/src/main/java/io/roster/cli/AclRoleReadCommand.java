package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl role read}: one role, by ID (or a unique prefix) or by name. */
@Command(name = "read", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl role read [options] (-id ID | -name NAME)",
        description = {"Show one ACL role: its policies and identities."},
        footer = {"", "Examples:", "  roster acl role read -name app", "  roster acl role read -id 57147d87 -format=json"})
final class AclRoleReadCommand extends AclOutputCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The role's ID (a unique prefix will do).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The role's name.")
    String name;

    @Override
    int run() {
        return readOne("role", id, name, this::roleId,
                full -> client().acl().roleRead(full, http.queryOptions()),
                n -> client().acl().roleReadByName(n, http.queryOptions()),
                x -> AclFormat.role(x, meta));
    }
}
