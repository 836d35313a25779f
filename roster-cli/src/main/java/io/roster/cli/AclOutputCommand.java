package io.roster.cli;

import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.api.QueryOptions;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * An {@code acl} command that prints tokens, policies or roles: Consul's {@code -format} and
 * {@code -meta} flags, and resolving an ID prefix to the one ID it names.
 */
abstract class AclOutputCommand extends ClientCommand {
    @Option(names = {"-format", "--format"}, paramLabel = "FORMAT", description = "Output format {pretty|json} (default: pretty).")
    String format = AclFormat.PRETTY;
    @Option(names = {"-meta", "--meta"}, description = "Show the content hash and the Raft indexes too.")
    boolean meta;

    /** Checks {@code -format} before anything is sent, so that a typo changes nothing. */
    final void checkFormat() {
        try {
            AclFormat.format(format);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    final boolean json() {
        return AclFormat.JSON.equals(format);
    }

    /** Prints one object in the chosen format, followed by the blank line Consul's UI adds. */
    final <T> int print(T value, Function<T, String> pretty) {
        out.println(json() ? AclFormat.json(value) : pretty.apply(value));
        return 0;
    }

    /**
     * {@code acl policy|role read}: the one {@code kind} a {@code -id} (a unique prefix) or a
     * {@code -name} names, printed in the chosen format; Consul's error lines otherwise.
     */
    final <T> int readOne(String kind, String id, String name, Function<String, String> fromPrefix,
                          Function<String, java.util.Optional<T>> byId, Function<String, java.util.Optional<T>> byName,
                          Function<T, String> pretty) {
        checkFormat();
        if (!set(id) && !set(name)) {
            return fail("Must specify either the -id or -name parameters");
        }
        String what = set(id) ? id : name;
        try {
            java.util.Optional<T> found;
            if (set(id)) {
                try {
                    what = fromPrefix.apply(id);
                } catch (IllegalArgumentException e) {
                    return fail("Error determining " + kind + " ID: " + e.getMessage());
                }
                found = byId.apply(what);
            } else {
                found = byName.apply(name);
            }
            if (found.isEmpty()) {
                return fail("Error reading " + kind + " \"" + what + "\": ACL not found");
            }
            return print(found.get(), pretty);
        } catch (io.roster.api.RosterException e) {
            return fail("Error reading " + kind + " \"" + what + "\": " + describe(e));
        }
    }

    /**
     * The full ID a {@code -id} (a unique prefix) or, without one, a {@code -name} names, for the
     * commands that act on a policy or a role by either; null once Consul's {@code Error
     * determining <kind> ID: ...} line is printed.
     */
    final String idOrName(String kind, String id, String name, Function<String, String> fromPrefix,
                          Function<String, java.util.Optional<String>> byName) {
        try {
            if (set(id)) {
                return fromPrefix.apply(id);
            }
            java.util.Optional<String> found = byName.apply(name);
            if (found.isEmpty()) {
                fail("Error determining " + kind + " ID: No such " + kind + " with name " + name);
                return null;
            }
            return found.get();
        } catch (IllegalArgumentException e) {
            fail("Error determining " + kind + " ID: " + e.getMessage());
        } catch (io.roster.api.RosterException e) {
            fail("Error determining " + kind + " ID: " + describe(e));
        }
        return null;
    }

    final String tokenId(String partial) {
        return AclFormat.fromPartial(partial, "token", () -> client().acl().tokenList(null, null, null, QueryOptions.DEFAULT)
                .stream().map(AclToken::accessorId).toList());
    }

    final String policyId(String partial) {
        return AclFormat.fromPartial(partial, "policy", () -> client().acl().policyList(QueryOptions.DEFAULT)
                .stream().map(AclPolicy.Stub::id).toList());
    }

    final String roleId(String partial) {
        return AclFormat.fromPartial(partial, "role", () -> client().acl().roleList(null, QueryOptions.DEFAULT)
                .stream().map(AclRole::id).toList());
    }

    static boolean set(String s) {
        return s != null && !s.isEmpty();
    }

    static boolean set(List<?> l) {
        return l != null && !l.isEmpty();
    }
}
