package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster services}: register and deregister services with the local agent. */
@Command(name = "services", description = "Register and deregister services with the local agent.",
        subcommands = {ServicesRegisterCommand.class, ServicesDeregisterCommand.class},
        footer = {"", "Example:", "  roster services register web.json", "  roster services deregister -id=web"})
final class ServicesCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
