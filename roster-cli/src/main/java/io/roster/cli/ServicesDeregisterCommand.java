package io.roster.cli;

import io.roster.agent.config.ConfigException;
import io.roster.api.RosterException;
import io.roster.api.ServiceDefinition;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster services deregister}: removes services from the local agent
 * ({@code PUT /v1/agent/service/deregister/<id>}), named by the same definition files used to
 * register them (their ID, else their name) or by {@code -id}.
 */
@Command(name = "deregister", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster services deregister [options] [FILE...]",
        description = {"Deregister services from the local agent.", "Name them by definition file (their ID, else their name) or by -id."},
        footer = {"", "Examples:", "  roster services deregister web.json db.json", "  roster services deregister -id=web"})
final class ServicesDeregisterCommand extends ClientCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "ID of the service to deregister (not with files).")
    String id;
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> files = new ArrayList<>();

    @Override
    int run() {
        boolean hasId = id != null && !id.isEmpty();
        if (files.isEmpty() && !hasId) {
            throw usage("Service deregistration requires at least one argument or -id.");
        }
        if (!files.isEmpty() && hasId) {
            throw usage("Service deregistration requires arguments or -id, not both.");
        }
        List<String> ids = new ArrayList<>();
        if (hasId) {
            ids.add(id);
        } else {
            try {
                for (ServiceDefinition s : ServicesRegisterCommand.fromFiles(files)) {
                    String sid = s.effectiveId();
                    if (sid != null && !sid.isEmpty()) {
                        ids.add(sid);
                    }
                }
            } catch (ConfigException e) {
                return fail("Error: " + e.getMessage());
            }
        }
        for (String sid : ids) {
            try {
                client().agent().serviceDeregister(sid);
            } catch (RosterException e) {
                return fail("Error deregistering service \"" + sid + "\": " + describe(e));
            }
            out.println("Deregistered service: " + sid);
        }
        return 0;
    }
}
