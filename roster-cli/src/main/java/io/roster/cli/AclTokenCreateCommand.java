package io.roster.cli;

import io.roster.api.AclLink;
import io.roster.api.AclToken;
import io.roster.api.Durations;
import io.roster.api.RosterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster acl token create}: {@code PUT /v1/acl/token} with the policies, roles and
 * identities the flags name (names are resolved by the server; ID prefixes here, as Consul does).
 */
@Command(name = "create", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster acl token create [options]",
        description = {"Create an ACL token linked to policies, roles, service or node identities (at least one)."},
        footer = {"", "Examples:", "  roster acl token create -description \"app\" -policy-name app-kv",
                "  roster acl token create -service-identity web -service-identity \"db:dc1,dc2\"",
                "  roster acl token create -node-identity node-1:dc1 -expires-ttl 1h"})
final class AclTokenCreateCommand extends AclOutputCommand {
    @Option(names = {"-accessor", "--accessor"}, paramLabel = "UUID", description = "Create the token with this AccessorID (default: generated).")
    String accessor;
    @Option(names = {"-secret", "--secret"}, paramLabel = "UUID", description = "Create the token with this SecretID (default: generated).")
    String secret;
    @Option(names = {"-description", "--description"}, paramLabel = "TEXT", description = "A description of the token.")
    String description;
    @Option(names = {"-local", "--local"}, description = "Create a datacenter-local token.")
    boolean local;
    @Option(names = {"-policy-id", "--policy-id"}, paramLabel = "ID", description = "ID (or unique prefix) of a policy to link. Repeatable.")
    List<String> policyIds = new ArrayList<>();
    @Option(names = {"-policy-name", "--policy-name"}, paramLabel = "NAME", description = "Name of a policy to link. Repeatable.")
    List<String> policyNames = new ArrayList<>();
    @Option(names = {"-role-id", "--role-id"}, paramLabel = "ID", description = "ID (or unique prefix) of a role to link. Repeatable.")
    List<String> roleIds = new ArrayList<>();
    @Option(names = {"-role-name", "--role-name"}, paramLabel = "NAME", description = "Name of a role to link. Repeatable.")
    List<String> roleNames = new ArrayList<>();
    @Option(names = {"-service-identity", "--service-identity"}, paramLabel = "NAME[:DC,...]",
            description = "A service identity: SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2. Repeatable.")
    List<String> serviceIdentities = new ArrayList<>();
    @Option(names = {"-node-identity", "--node-identity"}, paramLabel = "NODE:DC",
            description = "A node identity: NODENAME:DATACENTER. Repeatable.")
    List<String> nodeIdentities = new ArrayList<>();
    @Option(names = {"-expires-ttl", "--expires-ttl"}, paramLabel = "DURATION", description = "How long the token is valid (e.g. 1h); default: forever.")
    String expiresTtl;

    @Override
    int run() {
        checkFormat();
        if (policyIds.isEmpty() && policyNames.isEmpty() && roleIds.isEmpty() && roleNames.isEmpty()
                && serviceIdentities.isEmpty() && nodeIdentities.isEmpty()) {
            return fail("Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, "
                    + "-service-identity, or -node-identity at least once");
        }
        String ttl = null;
        if (set(expiresTtl)) {
            Duration d;
            try {
                d = Durations.parse(expiresTtl);
            } catch (IllegalArgumentException e) {
                throw usage("invalid value \"" + expiresTtl + "\" for flag -expires-ttl: parse error");
            }
            ttl = d.isZero() ? null : Durations.format(d);
        }
        try {
            AclToken t = new AclToken(accessor, secret, description, links(policyIds, policyNames, true), links(roleIds, roleNames, false),
                    AclFormat.serviceIdentities(serviceIdentities), AclFormat.nodeIdentities(nodeIdentities), local,
                    null, null, ttl, null, null, 0, 0);
            return print(client().acl().tokenCreate(t), x -> AclFormat.token(x, meta));
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (RosterException e) {
            return fail("Failed to create new token: " + describe(e));
        }
    }

    private List<AclLink> links(List<String> ids, List<String> names, boolean policies) {
        List<AclLink> out = new ArrayList<>();
        for (String n : names) {
            out.add(new AclLink(null, n));
        }
        for (String id : ids) {
            String full;
            try {
                full = policies ? policyId(id) : roleId(id);
            } catch (IllegalArgumentException | RosterException e) {
                throw new IllegalArgumentException("Error resolving " + (policies ? "policy" : "role") + " ID " + id + ": "
                        + (e instanceof RosterException r ? describe(r) : e.getMessage()));
            }
            out.add(new AclLink(full, null));
        }
        return out;
    }
}
