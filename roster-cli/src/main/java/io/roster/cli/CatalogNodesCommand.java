package io.roster.cli;

import io.roster.api.CatalogService;
import io.roster.api.Node;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster catalog nodes}: Consul's columns {@code Node ID Address DC} (ID cut at its first
 * dash), or with {@code -detailed} the full ID, tagged addresses and meta.
 */
@Command(name = "nodes", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster catalog nodes [options]",
        description = "List the nodes of a datacenter.",
        footer = {"", "Examples:", "  roster catalog nodes", "  roster catalog nodes -detailed",
                "  roster catalog nodes -service=web", "  roster catalog nodes -node-meta=rack=r1"})
final class CatalogNodesCommand extends ClientCommand {
    @Option(names = {"-detailed", "--detailed"}, description = "Show full node IDs, tagged addresses and metadata.")
    boolean detailed;
    @Option(names = {"-near", "--near"}, paramLabel = "NODE", description = "Sort by round-trip time from NODE (accepted; Roster has no coordinates yet, so the order is by name).")
    String near;
    @Option(names = {"-node-meta", "--node-meta"}, paramLabel = "KEY=VALUE", description = "Only nodes with this metadata pair (repeatable).")
    List<String> nodeMeta = new ArrayList<>();
    @Option(names = {"-service", "--service"}, paramLabel = "NAME", description = "Only nodes that provide this service.")
    String service;
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        Map<String, String> meta = keyValues("-node-meta", nodeMeta);
        List<Node> nodes = new ArrayList<>();
        if (service != null && !service.isEmpty()) {
            try {
                for (CatalogService s : client().catalog().service(service, List.of(), meta, http.queryOptions()).value()) {
                    nodes.add(new Node(s.id(), s.node(), s.address(), s.datacenter(), s.taggedAddresses(), s.nodeMeta(),
                            s.createIndex(), s.modifyIndex()));
                }
            } catch (RosterException e) {
                return fail("Error listing nodes for service: " + describe(e));
            }
        } else {
            try {
                nodes = client().catalog().nodes(meta, http.queryOptions()).value();
            } catch (RosterException e) {
                return fail("Error listing nodes: " + describe(e));
            }
        }
        if (nodes.isEmpty()) {
            err.println("No nodes match the given query - try expanding your search.");
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(detailed ? List.of("Node", "ID", "Address", "DC", "TaggedAddresses", "Meta") : List.of("Node", "ID", "Address", "DC"));
        for (Node n : nodes) {
            if (detailed) {
                rows.add(List.of(n.node(), n.id(), n.address(), n.datacenter(), GoFormat.mapToKv(n.taggedAddresses(), ", "),
                        GoFormat.mapToKv(n.meta(), ", ")));
            } else {
                String id = n.id();
                int dash = id.indexOf('-');
                rows.add(List.of(n.node(), dash > 0 ? id.substring(0, dash) : id, n.address(), n.datacenter()));
            }
        }
        out.println(GoFormat.columnize(rows));
        return 0;
    }

    /** {@code key=value} flag values as a map, with Consul's error for a value without {@code =}. */
    static Map<String, String> keyValues(String flag, List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq < 0) {
                throw usage("invalid value \"" + v + "\" for flag " + flag + ": Missing \"=\" value in argument: " + v);
            }
            m.put(v.substring(0, eq), v.substring(eq + 1));
        }
        return m;
    }
}
