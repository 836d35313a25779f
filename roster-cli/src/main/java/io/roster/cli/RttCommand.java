package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Coordinate;
import io.roster.api.Json;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster rtt node1 [node2]}: the round trip between two nodes estimated from their network
 * coordinates, printed as Consul prints it ({@code Estimated a <-> b rtt: 0.610 ms (using LAN
 * coordinates)}). Without {@code node2}, the agent's own node. With {@code -wan}, servers named
 * {@code <node>.<dc>} and their WAN coordinates ({@code /v1/coordinate/datacenters}). Exit code 1
 * when a node has no coordinate.
 */
@Command(name = "rtt", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster rtt [options] node1 [node2]",
        description = {"Estimate the network round trip time between two nodes from their coordinates.",
                "Without node2, the node of the agent asked."},
        footer = {"", "Examples:", "  roster rtt web-1", "  roster rtt web-1 db-2", "  roster rtt -wan server-1.dc2"})
final class RttCommand extends ClientCommand {
    @Option(names = {"-wan", "--wan"}, description = "Use WAN coordinates instead of LAN coordinates; nodes are given as "
            + "<node>.<datacenter> (servers only), and without node2 the server asked.")
    boolean wan;
    @Parameters(arity = "0..*", paramLabel = "NODE")
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (args.isEmpty() || args.size() > 2) {
            throw usage("One or two node names must be specified");
        }
        if (wan) {
            return runWan();
        }
        String a = args.get(0);
        String b;
        List<Coordinate.Entry> all;
        try {
            b = args.size() == 2 ? args.get(1) : client().agent().self().path("Config").path("NodeName").asText();
            all = new ArrayList<>();
            for (JsonNode n : client().getJson("/v1/coordinate/nodes")) {
                all.add(Json.mapper().treeToValue(n, Coordinate.Entry.class));
            }
        } catch (RosterException e) {
            return fail("Error getting coordinates: " + describe(e));
        } catch (java.io.IOException e) {
            return fail("Error getting coordinates: " + Main.oneLine(e.getMessage()));
        }
        return printRtt(all, a, b, "LAN");
    }

    /** {@code -wan}: both nodes as {@code <node>.<dc>}, their coordinates from {@code /v1/coordinate/datacenters}. */
    private int runWan() {
        String a = args.get(0);
        String b;
        List<Coordinate.Entry> all = new ArrayList<>();
        try {
            if (args.size() == 2) {
                b = args.get(1);
            } else {
                JsonNode config = client().agent().self().path("Config");
                b = config.path("NodeName").asText() + "." + config.path("Datacenter").asText();
            }
            for (JsonNode dc : client().getJson("/v1/coordinate/datacenters")) {
                for (JsonNode n : dc.path("Coordinates")) {
                    all.add(Json.mapper().treeToValue(n, Coordinate.Entry.class));
                }
            }
        } catch (RosterException e) {
            return fail("Error getting coordinates: " + describe(e));
        } catch (java.io.IOException e) {
            return fail("Error getting coordinates: " + Main.oneLine(e.getMessage()));
        }
        if (a.split("\\.", -1).length != 2 || b.split("\\.", -1).length != 2) {
            return fail("Node names must be specified as <node name>.<datacenter> with -wan");
        }
        return printRtt(all, a, b, "WAN");
    }

    /** The estimated round trip between {@code a} and {@code b} from {@code all}, or Consul's error line. */
    private int printRtt(List<Coordinate.Entry> all, String a, String b, String pool) {
        Coordinate ca = find(all, a);
        if (ca == null) {
            return fail("Could not find a coordinate for node \"" + a + "\"");
        }
        Coordinate cb = find(all, b);
        if (cb == null) {
            return fail("Could not find a coordinate for node \"" + b + "\"");
        }
        double seconds = ca.distanceTo(cb);
        if (Double.isNaN(seconds)) {
            return fail("Coordinates of \"" + a + "\" and \"" + b + "\" are not compatible");
        }
        out.printf(Locale.ROOT, "Estimated %s <-> %s rtt: %.3f ms (using %s coordinates)%n", a, b, seconds * 1000, pool);
        return 0;
    }

    /** The node's coordinate in the default segment. */
    private static Coordinate find(List<Coordinate.Entry> all, String node) {
        for (Coordinate.Entry e : all) {
            if (e.node().equals(node) && e.segment().isEmpty()) {
                return e.coord();
            }
        }
        return null;
    }
}
