package io.roster.cli;

import io.roster.agent.Version;
import picocli.CommandLine.Command;

/** {@code roster version}. */
@Command(name = "version", description = "Print Roster's version and the Consul API version it speaks.",
        footer = {"", "Example:", "  roster version"})
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Roster v" + Version.ROSTER);
        System.out.println("Consul API compatibility: v" + Version.CONSUL_API);
    }
}
