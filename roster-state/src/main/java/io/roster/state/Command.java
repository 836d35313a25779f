package io.roster.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A state change, replicated through the log and applied by {@link Store#apply}. Each record maps to
 * one {@link CommandType}. Fields are explicit: everything apply needs (IDs, decisions made on the
 * leader) is inside the command.
 */
public sealed interface Command {

    /** The stable type code of this command. */
    CommandType type();

    /**
     * One KV operation ({@code verb} is a write verb). {@code index} is the CAS index for
     * cas/delete-cas; {@code session} the session for lock/unlock. {@code time} is the wall-clock
     * time (epoch milliseconds) the server stamped before replicating it, for the KV history; 0 (and
     * absent from the JSON) when none was stamped, as in commands logged before it existed.
     */
    record Kv(@JsonProperty("Verb") KvVerb verb,
              @JsonProperty("Key") String key,
              @JsonProperty("Value") byte[] value,
              @JsonProperty("Flags") long flags,
              @JsonProperty("Index") long index,
              @JsonProperty("Session") String session,
              @JsonProperty("Time") @com.fasterxml.jackson.annotation.JsonInclude(
                      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT) long time) implements Command {
        public Kv(KvVerb verb, String key, byte[] value, long flags, long index, String session) {
            this(verb, key, value, flags, index, session, 0);
        }

        /** This operation stamped with {@code millis}. */
        public Kv at(long millis) {
            return new Kv(verb, key, value, flags, index, session, millis);
        }

        @Override
        public CommandType type() {
            return CommandType.KV;
        }
    }

    /** Creates a session whose ID was chosen by the leader. {@code lockDelay} is in nanoseconds. */
    record SessionCreate(@JsonProperty("ID") String id,
                         @JsonProperty("Name") String name,
                         @JsonProperty("Node") String node,
                         @JsonProperty("LockDelay") long lockDelay,
                         @JsonProperty("Behavior") String behavior,
                         @JsonProperty("TTL") String ttl,
                         @JsonProperty("NodeChecks") List<String> nodeChecks,
                         @JsonProperty("ServiceChecks") List<io.roster.api.SessionEntry.ServiceCheck> serviceChecks)
            implements Command {
        @Override
        public CommandType type() {
            return CommandType.SESSION_CREATE;
        }
    }

    /** Destroys (invalidates) a session: its locks are released or its keys deleted per its behaviour. */
    record SessionDestroy(@JsonProperty("ID") String id) implements Command {
        @Override
        public CommandType type() {
            return CommandType.SESSION_DESTROY;
        }
    }

    /** An all-or-nothing list of KV operations; any verb, reads and checks included, as Consul allows. */
    record Txn(@JsonProperty("Ops") List<Kv> ops,
               @JsonProperty("Time") @com.fasterxml.jackson.annotation.JsonInclude(
                       com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT) long time) implements Command {
        /** {@code time} as in {@link Kv}: 0 when none was stamped. */
        public Txn(List<Kv> ops) {
            this(ops, 0);
        }

        @Override
        public CommandType type() {
            return CommandType.TXN;
        }
    }

    /** Forgets KV tombstones written at or below {@code index} (decided by the leader's tombstone GC). */
    record TombstoneReap(@JsonProperty("Index") long index) implements Command {
        @Override
        public CommandType type() {
            return CommandType.TOMBSTONE_REAP;
        }
    }

    /**
     * Registers (or updates) a node, optionally one service instance on it, and checks. Identical
     * rows are left as they are (no index bump). {@code skipNodeUpdate} keeps an existing node row.
     */
    record CatalogRegister(@JsonProperty("Node") io.roster.api.Node node,
                           @JsonProperty("Service") io.roster.api.NodeService service,
                           @JsonProperty("Checks") List<io.roster.api.HealthCheck> checks,
                           @JsonProperty("SkipNodeUpdate") boolean skipNodeUpdate) implements Command {
        @Override
        public CommandType type() {
            return CommandType.CATALOG_REGISTER;
        }
    }

    /** Removes one check, or one service with its checks, or (both empty) a whole node. */
    record CatalogDeregister(@JsonProperty("Node") String node,
                             @JsonProperty("ServiceID") String serviceId,
                             @JsonProperty("CheckID") String checkId) implements Command {
        @Override
        public CommandType type() {
            return CommandType.CATALOG_DEREGISTER;
        }
    }

    /** Replaces the whole state with a snapshot ({@code PUT /v1/snapshot}), on every server at the same log index. */
    record Restore(@JsonProperty("Snapshot") byte[] snapshot) implements Command {
        @Override
        public CommandType type() {
            return CommandType.RESTORE;
        }
    }

    /**
     * Several commands in one log entry (the replicator groups concurrent writes so that one Raft round
     * and one fsync carry many). Applied in order at the entry's index, with no read in between; each
     * command keeps its own result and a rejected one does not affect the others.
     *
     * <p>The batch rules live here, and only here: a batch never holds a batch (the constructor
     * refuses one, {@link #isBatch(byte[])} spots one in encoded form), and a restore, which
     * replaces the whole store, is never batched ({@link #mayCarry}: the replicator sends it alone,
     * and apply rejects one found in a batch with its own error, leaving the others).
     */
    record Batch(List<Command> commands) implements Command {
        public Batch {
            commands = List.copyOf(commands);
            for (Command c : commands) {
                if (c instanceof Batch) {
                    throw new IllegalArgumentException("a batch cannot contain a batch");
                }
            }
        }

        /** Whether {@code c} may be applied as a member of a batch. */
        public static boolean mayCarry(Command c) {
            return !(c instanceof Batch) && !(c instanceof Restore);
        }

        /** Whether an encoded command ({@link CommandCodec#encode}) is itself a batch, so may not be a member of one. */
        public static boolean isBatch(byte[] encoded) {
            return encoded.length > 0 && (encoded[0] & 0xff) == CommandType.BATCH.code();
        }

        @Override
        public CommandType type() {
            return CommandType.BATCH;
        }
    }

    /**
     * Creates or replaces a prepared query whose ID was chosen by the leader (a template already
     * checked there). Refused when the name is taken by another query or is another query's ID, when
     * another template has an empty name too, or when its session does not exist.
     */
    record PreparedQuerySet(@JsonProperty("Query") io.roster.api.PreparedQuery query) implements Command {
        @Override
        public CommandType type() {
            return CommandType.PREPARED_QUERY_SET;
        }
    }

    /** Deletes a prepared query; deleting one that does not exist is not an error (as Consul). */
    record PreparedQueryDelete(@JsonProperty("ID") String id) implements Command {
        @Override
        public CommandType type() {
            return CommandType.PREPARED_QUERY_DELETE;
        }
    }

    /**
     * Network coordinates sent by agents, gathered by a server into one entry. Updates for nodes that
     * are not in the catalog are skipped (as Consul's {@code CoordinateBatchUpdate}).
     */
    record CoordinateBatch(@JsonProperty("Coordinates") List<io.roster.api.Coordinate.Entry> coordinates)
            implements Command {
        public CoordinateBatch {
            coordinates = coordinates == null ? List.of() : List.copyOf(coordinates);
        }

        @Override
        public CommandType type() {
            return CommandType.COORDINATE_BATCH;
        }
    }

    /**
     * The one-time bootstrap: stores the first management token (AccessorID, SecretID and times
     * chosen by the leader). Refused with Consul's text once done, unless {@code resetIndex} names
     * the index of the last bootstrap (the operator's {@code acl-bootstrap-reset} file).
     */
    record AclBootstrap(@JsonProperty("Token") io.roster.api.AclToken token,
                        @JsonProperty("ResetIndex") long resetIndex) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_BOOTSTRAP;
        }
    }

    /**
     * Creates or replaces a token whose IDs, secret, times and policy/role links the leader has
     * resolved and checked. {@code mustExist}: an update, refused when the token is gone.
     */
    record AclTokenSet(@JsonProperty("Token") io.roster.api.AclToken token,
                       @JsonProperty("MustExist") boolean mustExist) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_TOKEN_SET;
        }
    }

    /** Deletes tokens by AccessorID (a user's delete, or the leader's reaping of expired tokens). */
    record AclTokenDelete(@JsonProperty("AccessorIDs") List<String> accessorIds) implements Command {
        public AclTokenDelete {
            accessorIds = accessorIds == null ? List.of() : List.copyOf(accessorIds);
        }

        @Override
        public CommandType type() {
            return CommandType.ACL_TOKEN_DELETE;
        }
    }

    /** Creates or replaces a policy (rules already validated by the leader). */
    record AclPolicySet(@JsonProperty("Policy") io.roster.api.AclPolicy policy,
                        @JsonProperty("MustExist") boolean mustExist) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_POLICY_SET;
        }
    }

    /** Deletes a policy; the built-in {@code global-management} is refused. */
    record AclPolicyDelete(@JsonProperty("ID") String id) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_POLICY_DELETE;
        }
    }

    /** Creates or replaces a role (links resolved by the leader). */
    record AclRoleSet(@JsonProperty("Role") io.roster.api.AclRole role,
                      @JsonProperty("MustExist") boolean mustExist) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_ROLE_SET;
        }
    }

    /** Deletes a role. */
    record AclRoleDelete(@JsonProperty("ID") String id) implements Command {
        @Override
        public CommandType type() {
            return CommandType.ACL_ROLE_DELETE;
        }
    }
}
