package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster tls}: a CA and agent certificates for TLS, as {@code consul tls} makes them. Without a subcommand: exit 2. */
@Command(name = "tls", description = "Create a certificate authority and agent certificates for TLS (no openssl needed).",
        subcommands = {TlsCommand.Ca.class, TlsCommand.Cert.class},
        footer = {"", "Example:", "  roster tls ca create", "  roster tls cert create -server -dc dc1",
                "  roster tls cert create -client"})
final class TlsCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    /** {@code roster tls ca}. */
    @Command(name = "ca", description = "Manage the certificate authority.", subcommands = {TlsCaCreateCommand.class},
            footer = {"", "Example:", "  roster tls ca create -days 1825"})
    static final class Ca {
        @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;
    }

    /** {@code roster tls cert}. */
    @Command(name = "cert", description = "Create agent certificates signed by the CA.", subcommands = {TlsCertCreateCommand.class},
            footer = {"", "Example:", "  roster tls cert create -server -additional-ipaddress 10.0.0.5"})
    static final class Cert {
        @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;
    }
}
