package io.roster.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster catalog}: read the catalog's datacenters, nodes and services. */
@Command(name = "catalog", description = "Read the catalog: datacenters, nodes, services.",
        subcommands = {CatalogDatacentersCommand.class, CatalogNodesCommand.class, CatalogServicesCommand.class},
        footer = {"", "Example:", "  roster catalog services -tags", "  roster catalog nodes -detailed"})
final class CatalogCommand {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
