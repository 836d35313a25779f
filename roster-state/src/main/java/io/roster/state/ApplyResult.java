package io.roster.state;

import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import java.util.List;

/**
 * What {@link Store#apply} returns for one command, and what {@link Replicator#submit} completes
 * with: one record per result shape. The type is sealed so that every place that reads a result
 * (roster-server's result codec, the agent's HTTP answers) switches over it exhaustively, with no
 * default branch: adding a shape is a compile error until each of them handles it.
 */
public sealed interface ApplyResult
        permits ApplyResult.Bool, ApplyResult.Count, ApplyResult.SessionId, ApplyResult.QueryId, ApplyResult.Token,
        ApplyResult.Policy, ApplyResult.Role, ApplyResult.Batch, ApplyResult.None, TxnOutcome, ApplyError {

    /** Whether the command was rejected (state unchanged): an {@link ApplyError} or a rolled-back transaction. */
    default boolean rejected() {
        return this instanceof ApplyError || this instanceof TxnOutcome t && !t.committed();
    }

    /** A KV set, CAS, lock, unlock or delete ({@code true}/{@code false} on the wire), and every write that only succeeds. */
    record Bool(boolean value) implements ApplyResult {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);

        public static Bool of(boolean value) {
            return value ? TRUE : FALSE;
        }
    }

    /** How many rows a write removed (tombstones reaped, ACL tokens deleted). */
    record Count(int value) implements ApplyResult {
    }

    /** The ID of the session a {@code SessionCreate} made. */
    record SessionId(String id) implements ApplyResult {
    }

    /** The ID of the prepared query a {@code PreparedQuerySet} stored. */
    record QueryId(String id) implements ApplyResult {
    }

    /** The ACL token row as stored (bootstrap, token set). */
    record Token(AclToken token) implements ApplyResult {
    }

    /** The ACL policy row as stored. */
    record Policy(AclPolicy policy) implements ApplyResult {
    }

    /** The ACL role row as stored. */
    record Role(AclRole role) implements ApplyResult {
    }

    /**
     * Nothing was applied, and nothing went wrong: a piece of a command replicated in chunks (its
     * last piece carries the command's result), or an ignorable command this server does not know.
     */
    record None() implements ApplyResult {
        public static final None INSTANCE = new None();
    }

    /** A {@code Command.Batch}'s results, one per member, in order (a batch never holds a batch). */
    record Batch(List<ApplyResult> results) implements ApplyResult {
        public Batch {
            results = List.copyOf(results);
        }
    }
}
