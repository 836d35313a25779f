package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl}: the ACL system's subcommands. Without one: exit 2. */
@Command(name = "acl", description = "Manage ACL tokens, policies and roles, and the agent's own tokens.",
        subcommands = {AclBootstrapCommand.class, AclTokenCommand.class, AclPolicyCommand.class, AclRoleCommand.class,
                AclSetAgentTokenCommand.class},
        footer = {"", "Examples:", "  roster acl bootstrap", "  roster acl policy create -name app -rules @app.hcl",
                "  roster acl token create -description app -policy-name app"})
final class AclCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
