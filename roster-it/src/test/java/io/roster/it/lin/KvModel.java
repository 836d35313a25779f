package io.roster.it.lin;

/**
 * A KV register per key, with check-and-set: Consul's {@code PUT /v1/kv/<key>} (set),
 * {@code PUT ...?cas=<ModifyIndex>} and reads. A workload writes every value at most once, so a
 * value names one version of a key: {@code ?cas=<index>} is recorded as a CAS from the value that
 * the client read at that index ({@code null}: {@code ?cas=0}, the key must be absent). States are
 * the current value ({@code null} when absent); partitions are keys.
 */
public final class KvModel implements Model<KvModel.Value> {
    /** The register's content; {@code value == null} means absent. */
    public record Value(String value) {
    }

    /**
     * A read; its output is the value read ({@code null}: absent). {@code mode} is Consul's
     * consistency mode ({@code consistent}, {@code default}, {@code stale}): the model ignores it,
     * so a caller can check the history with or without the weaker reads.
     */
    public record Read(String key, String mode) {
        public Read(String key) {
            this(key, "consistent");
        }

        @Override
        public String toString() {
            return "read(" + mode + ") " + key;
        }
    }

    /** An unconditional write; output {@code true}. */
    public record Write(String key, String value) {
        @Override
        public String toString() {
            return "write " + key + "=" + value;
        }
    }

    /** A check-and-set from {@code expected} ({@code null}: absent) to {@code value}; output Boolean. */
    public record Cas(String key, String expected, String value) {
        @Override
        public String toString() {
            return "cas " + key + " " + expected + "->" + value;
        }
    }

    private static final Value ABSENT = new Value(null);

    @Override
    public Value init() {
        return ABSENT;
    }

    @Override
    public Object partitionKey(Object input) {
        return switch (input) {
            case Read r -> r.key();
            case Write w -> w.key();
            case Cas c -> c.key();
            default -> throw new IllegalArgumentException("not a KV operation: " + input);
        };
    }

    @Override
    public Value step(Value state, Object input, Object output, boolean unknown) {
        return switch (input) {
            case Read r -> unknown || java.util.Objects.equals(output, state.value()) ? state : null;
            case Write w -> new Value(w.value());
            case Cas c -> {
                boolean applies = java.util.Objects.equals(c.expected(), state.value());
                if (unknown) {
                    yield applies ? new Value(c.value()) : state;
                }
                if (Boolean.TRUE.equals(output)) {
                    yield applies ? new Value(c.value()) : null;
                }
                yield applies ? null : state;
            }
            default -> throw new IllegalArgumentException("not a KV operation: " + input);
        };
    }
}
