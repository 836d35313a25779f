package io.roster.cli;

import io.roster.agent.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster version}. */
@Command(name = "version", customSynopsis = "roster version",
        description = "Print Roster's version and the Consul API version it speaks.",
        footer = {"", "Example:", "  roster version"})
final class VersionCommand implements Runnable {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public void run() {
        System.out.println("Roster v" + Version.ROSTER);
        System.out.println("Consul API compatibility: v" + Version.CONSUL_API);
    }
}
