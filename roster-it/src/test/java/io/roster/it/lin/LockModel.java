package io.roster.it.lin;

/**
 * A lock per key, as Consul's {@code ?acquire=<session>} and {@code ?release=<session>} keep it:
 * at most one holding session; acquiring a free lock increments {@code LockIndex}, re-acquiring by
 * the holder does not; releasing by a non-holder answers false. Reads answer the holder
 * ({@code Session}, null when free) and {@code LockIndex}, so "two holders at once" and "LockIndex
 * went back" are both non-linearizable histories. Sessions must have no lock-delay and no health
 * checks (a session invalidated by the server releases its locks outside this model).
 */
public final class LockModel implements Model<LockModel.State> {
    /** The holder ({@code null}: free) and the key's LockIndex. */
    public record State(String holder, long lockIndex) {
    }

    /** {@code ?acquire=session}; output Boolean. */
    public record Acquire(String key, String session) {
        @Override
        public String toString() {
            return "acquire " + key + " by " + session;
        }
    }

    /** {@code ?release=session}; output Boolean. */
    public record Release(String key, String session) {
        @Override
        public String toString() {
            return "release " + key + " by " + session;
        }
    }

    /** A read of the lock key; output a {@link State} (holder and LockIndex; {@code State(null, 0)} when the key is absent). */
    public record Read(String key) {
        @Override
        public String toString() {
            return "read " + key;
        }
    }

    private static final State FREE = new State(null, 0);

    @Override
    public State init() {
        return FREE;
    }

    @Override
    public Object partitionKey(Object input) {
        return switch (input) {
            case Acquire a -> a.key();
            case Release r -> r.key();
            case Read r -> r.key();
            default -> throw new IllegalArgumentException("not a lock operation: " + input);
        };
    }

    @Override
    public State step(State s, Object input, Object output, boolean unknown) {
        return switch (input) {
            case Acquire a -> {
                boolean can = s.holder() == null || s.holder().equals(a.session());
                State after = s.holder() == null ? new State(a.session(), s.lockIndex() + 1) : s;
                if (unknown) {
                    yield after;
                }
                yield Boolean.valueOf(can).equals(output) ? after : null;
            }
            case Release r -> {
                boolean holds = r.session().equals(s.holder());
                State after = holds ? new State(null, s.lockIndex()) : s;
                if (unknown) {
                    yield after;
                }
                yield Boolean.valueOf(holds).equals(output) ? after : null;
            }
            case Read r -> unknown || s.equals(output) ? s : null;
            default -> throw new IllegalArgumentException("not a lock operation: " + input);
        };
    }
}
