package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl policy}: create, list, read, update and delete policies. Without a subcommand: exit 2. */
@Command(name = "policy", description = "Create, list, read, update and delete ACL policies.",
        subcommands = {AclPolicyCreateCommand.class, AclPolicyListCommand.class, AclPolicyReadCommand.class,
                AclPolicyUpdateCommand.class, AclPolicyDeleteCommand.class},
        footer = {"", "Examples:", "  roster acl policy create -name app -rules @app.hcl", "  roster acl policy list",
                "  roster acl policy read -name app"})
final class AclPolicyCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
