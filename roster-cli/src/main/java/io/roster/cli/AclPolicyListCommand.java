package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.RosterException;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code roster acl policy list}: {@code GET /v1/acl/policies}, without the rules. */
@Command(name = "list", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl policy list [options]",
        description = {"List every ACL policy (names, IDs, descriptions, datacenters)."},
        footer = {"", "Examples:", "  roster acl policy list", "  roster acl policy list -format=json"})
final class AclPolicyListCommand extends AclOutputCommand {
    @Override
    int run() {
        checkFormat();
        List<AclPolicy.Stub> policies;
        try {
            policies = client().acl().policyList(http.queryOptions());
        } catch (RosterException e) {
            return fail("Failed to retrieve the policy list: " + describe(e));
        }
        return print(policies, l -> AclFormat.policyList(l, meta));
    }
}
