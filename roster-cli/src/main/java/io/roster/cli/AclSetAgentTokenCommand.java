package io.roster.cli;

import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code roster acl set-agent-token TYPE TOKEN}: {@code PUT /v1/agent/token/<type>} on the agent
 * the flags name; the agent keeps it in its data directory when token persistence is on.
 */
@Command(name = "set-agent-token", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl set-agent-token [options] TYPE TOKEN",
        description = {"Set one of the agent's own ACL tokens.",
                "TYPE is default (for DNS and requests without a token), agent (anti-entropy), recovery,",
                "replication, or config_file_service_registration."},
        footer = {"", "Examples:", "  roster acl set-agent-token agent 5a8e7f3c-0c3e-4d7b-9b0e-3bd1f7c2a1d4",
                "  roster acl set-agent-token default 0d1b3d47-92e0-4b76-bd0d-2b1c1a9f45c3"})
final class AclSetAgentTokenCommand extends ClientCommand {
    /** CLI type to the endpoint's name; the deprecated spellings Consul still takes map to their successors. */
    static final Map<String, String> KINDS = Map.of("default", "default", "agent", "agent", "recovery", "agent_recovery",
            "agent-master", "agent_recovery", "agent_master", "agent_recovery", "replication", "replication",
            "config_file_service_registration", "config_file_service_registration");

    @Parameters(arity = "0..*", paramLabel = "TYPE TOKEN", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        if (args.size() != 2) {
            return fail("Missing TYPE and TOKEN arguments");
        }
        String kind = KINDS.get(args.get(0));
        if (kind == null) {
            return fail("Unknown token type");
        }
        try {
            client().acl().setAgentToken(kind, args.get(1));
        } catch (RosterException e) {
            return fail("Failed setting token: " + describe(e));
        }
        out.println("ACL token \"" + args.get(0) + "\" set successfully");
        return 0;
    }
}
