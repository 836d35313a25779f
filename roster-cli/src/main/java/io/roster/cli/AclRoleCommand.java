package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl role}: create, list, read, update and delete roles. Without a subcommand: exit 2. */
@Command(name = "role", description = "Create, list, read, update and delete ACL roles.",
        subcommands = {AclRoleCreateCommand.class, AclRoleListCommand.class, AclRoleReadCommand.class,
                AclRoleUpdateCommand.class, AclRoleDeleteCommand.class},
        footer = {"", "Examples:", "  roster acl role create -name app -policy-name app", "  roster acl role list",
                "  roster acl role read -name app"})
final class AclRoleCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
