package io.roster.cli;

import io.roster.api.NodeService;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster catalog services}: service names, sorted; with {@code -tags} a second column of sorted, comma-joined tags. */
@Command(name = "services", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster catalog services [options]",
        description = "List the services of a datacenter.",
        footer = {"", "Examples:", "  roster catalog services", "  roster catalog services -tags",
                "  roster catalog services -node=web-1", "  roster catalog services -node-meta=rack=r1"})
final class CatalogServicesCommand extends ClientCommand {
    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "Only the services of this node.")
    String node;
    @Option(names = {"-node-meta", "--node-meta"}, paramLabel = "KEY=VALUE", description = "Only services on nodes with this metadata pair (repeatable).")
    List<String> nodeMeta = new ArrayList<>();
    @Option(names = {"-tags", "--tags"}, description = "Show each service's tags, comma-separated, beside its name.")
    boolean tags;
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        Map<String, String> meta = CatalogNodesCommand.keyValues("-node-meta", nodeMeta);
        Map<String, List<String>> services = new TreeMap<>();
        if (node != null && !node.isEmpty()) {
            try {
                Optional<RosterClient.CatalogNode> n = client().catalog().node(node, http.queryOptions()).value();
                if (n.isPresent()) {
                    for (NodeService s : n.get().services().values()) {
                        services.computeIfAbsent(s.service(), k -> new ArrayList<>()).addAll(s.tags());
                    }
                }
            } catch (RosterException e) {
                return fail("Error listing services for node: " + describe(e));
            }
        } else {
            try {
                client().catalog().services(meta, http.queryOptions()).value()
                        .forEach((name, t) -> services.put(name, new ArrayList<>(t == null ? List.of() : t)));
            } catch (RosterException e) {
                return fail("Error listing services: " + describe(e));
            }
        }
        if (services.isEmpty()) {
            err.println("No services match the given query - try expanding your search.");
            return 0;
        }
        if (tags) {
            List<List<String>> rows = new ArrayList<>();
            services.forEach((name, t) -> rows.add(List.of(name, String.join(",", t.stream().sorted().toList()))));
            out.println(GoFormat.tabwriter(rows, 6).strip());
        } else {
            services.keySet().forEach(out::println);
        }
        return 0;
    }
}
