package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster acl token}: create, list, read, update, clone and delete tokens. Without a subcommand: exit 2. */
@Command(name = "token", description = "Create, list, read, update, clone and delete ACL tokens.",
        subcommands = {AclTokenCreateCommand.class, AclTokenListCommand.class, AclTokenReadCommand.class,
                AclTokenUpdateCommand.class, AclTokenCloneCommand.class, AclTokenDeleteCommand.class},
        footer = {"", "Examples:", "  roster acl token create -description web -service-identity web", "  roster acl token list",
                "  roster acl token read -self"})
final class AclTokenCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
