package io.roster.it.lin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A recorder of client operations, Jepsen-style: {@link #invoke} before the request is sent, then
 * exactly one of {@link Pending#ok} (the answer came), {@link Pending#fail} (it surely did not take
 * effect: refused before it was sent, or a definite error answer) or {@link Pending#info} (unknown:
 * a timeout, a cut connection, a 5xx from a server that may have applied it). Times are positions on
 * one logical clock shared by all clients, taken just before sending and just after receiving, so
 * the real-time order the checker relies on is exact and needs no wall clock. Thread-safe.
 */
public final class History {
    private final AtomicLong clock = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();
    private int failed;

    /** An operation that has been invoked and not yet completed. */
    public final class Pending {
        private final int client;
        private final Object input;
        private final long call;
        private boolean done;

        private Pending(int client, Object input, long call) {
            this.client = client;
            this.input = input;
            this.call = call;
        }

        public Object input() {
            return input;
        }

        /** The answer came: the operation took effect (or not) as {@code output} says. */
        public void ok(Object output) {
            long ret = clock.incrementAndGet();
            finish(Op.ok(client, input, output, call, ret));
        }

        /** Surely without effect: left out of the history. */
        public void fail() {
            finish(null);
        }

        /** Unknown outcome: it may take effect at any time after its call, or never. */
        public void info() {
            finish(Op.info(client, input, call));
        }

        private void finish(Op op) {
            synchronized (History.this) {
                if (done) {
                    throw new IllegalStateException("completed twice: " + input);
                }
                done = true;
                if (op == null) {
                    failed++;
                } else {
                    ops.add(op);
                }
            }
        }
    }

    /** Records the invocation of {@code input} by {@code client}; complete the result once. */
    public Pending invoke(int client, Object input) {
        return new Pending(client, input, clock.incrementAndGet());
    }

    /** The operations completed so far (ok and unknown), in completion order. */
    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    /** How many operations were recorded as failed (and so left out). */
    public synchronized int failed() {
        return failed;
    }
}
