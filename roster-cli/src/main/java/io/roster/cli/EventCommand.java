package io.roster.cli;

import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster event -name=NAME [PAYLOAD]}: {@code PUT /v1/event/fire/<name>}. */
@Command(name = "event", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster event [options] [PAYLOAD]",
        description = {"Fire a user event to every agent of the datacenter.",
                "Filters are regular expressions each receiving agent applies to itself."},
        footer = {"", "Examples:", "  roster event -name=deploy v1.2.3", "  roster event -name=restart -service=web -tag=canary"})
final class EventCommand extends ClientCommand {
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "The event's name (required).")
    String name;
    @Option(names = {"-node", "--node"}, paramLabel = "REGEXP", description = "Only agents whose node name matches.")
    String node;
    @Option(names = {"-service", "--service"}, paramLabel = "REGEXP", description = "Only agents with a matching service.")
    String service;
    @Option(names = {"-tag", "--tag"}, paramLabel = "REGEXP", description = "Only agents with a matching service tag (needs -service).")
    String tag;
    @Parameters(arity = "0..*", paramLabel = "PAYLOAD", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (name == null || name.isEmpty()) {
            throw usage("Event name must be specified");
        }
        if (tag != null && !tag.isEmpty() && (service == null || service.isEmpty())) {
            throw usage("Cannot provide tag filter without service filter.");
        }
        maxArgs(args, 1);
        byte[] payload = args.isEmpty() ? new byte[0] : args.getFirst().getBytes(StandardCharsets.UTF_8);
        try {
            client().agent().nodeName();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        RosterClient.UserEvent e;
        try {
            e = client().event().fire(name, payload, node, service, tag);
        } catch (RosterException ex) {
            return fail("Error firing event: " + describe(ex));
        }
        out.println("Event ID: " + e.id());
        return 0;
    }
}
