package io.roster.cli;

import io.roster.api.HealthCheck;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster maint}: puts the node or one service in maintenance mode (a critical check with the
 * reason in its Notes), takes it out, or without flags lists what is in maintenance.
 */
@Command(name = "maint", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster maint [options]",
        description = {"Put the node or a service in maintenance mode, or take it out.", "Without -enable or -disable, shows what is in maintenance."},
        footer = {"", "Examples:", "  roster maint -enable -reason=\"kernel upgrade\"", "  roster maint -disable",
                "  roster maint -enable -service=web", "  roster maint"})
final class MaintCommand extends ClientCommand {
    @Option(names = {"-enable", "--enable"}, description = "Enable maintenance mode.")
    boolean enable;
    @Option(names = {"-disable", "--disable"}, description = "Disable maintenance mode.")
    boolean disable;
    @Option(names = {"-reason", "--reason"}, paramLabel = "TEXT", description = "Why (shown in the check's Notes); only with -enable.")
    String reason = "";
    @Option(names = {"-service", "--service"}, paramLabel = "ID", description = "A service ID, instead of the whole node.")
    String serviceId = "";
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        if (enable && disable) {
            throw usage("Only one of -enable or -disable may be provided");
        }
        if (!enable && !reason.isEmpty()) {
            throw usage("Reason may only be provided with -enable");
        }
        if (!enable && !disable && !serviceId.isEmpty()) {
            throw usage("Service requires either -enable or -disable");
        }
        String nodeName;
        try {
            nodeName = client().agent().nodeName();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        if (!enable && !disable) {
            Map<String, HealthCheck> checks;
            try {
                checks = client().agent().checks();
            } catch (RosterException e) {
                return fail("Error getting checks: " + describe(e));
            }
            HealthCheck node = checks.get("_node_maintenance");
            if (node != null) {
                out.println("Node:");
                out.println("  Name:   " + nodeName);
                out.println("  Reason: " + node.notes());
                out.println();
            }
            checks.keySet().stream().sorted().filter(id -> id.startsWith("_service_maintenance:")).forEach(id -> {
                out.println("Service:");
                out.println("  ID:     " + checks.get(id).serviceId());
                out.println("  Reason: " + checks.get(id).notes());
                out.println();
            });
            return 0;
        }
        if (enable) {
            if (serviceId.isEmpty()) {
                try {
                    client().agent().enableNodeMaintenance(reason);
                } catch (RosterException e) {
                    return fail("Error enabling node maintenance: " + describe(e));
                }
                out.println("Node maintenance is now enabled");
            } else {
                try {
                    client().agent().enableServiceMaintenance(serviceId, reason);
                } catch (RosterException e) {
                    return fail("Error enabling service maintenance: " + describe(e));
                }
                out.println("Service maintenance is now enabled for \"" + serviceId + "\"");
            }
            return 0;
        }
        if (serviceId.isEmpty()) {
            try {
                client().agent().disableNodeMaintenance();
            } catch (RosterException e) {
                return fail("Error disabling node maintenance: " + describe(e));
            }
            out.println("Node maintenance is now disabled");
        } else {
            try {
                client().agent().disableServiceMaintenance(serviceId);
            } catch (RosterException e) {
                return fail("Error disabling service maintenance: " + describe(e));
            }
            out.println("Service maintenance is now disabled for \"" + serviceId + "\"");
        }
        return 0;
    }
}
