package io.roster.gossip.time;

import java.util.concurrent.Callable;

/**
 * The clock and the event loop of one gossip member. The protocol core runs every task of a member on
 * its scheduler, one at a time, so the core holds no locks: inbound packets, timers and API calls are
 * all tasks on this loop.
 *
 * <p>Two implementations: {@link LoopScheduler} (a real thread and wall-clock time) and
 * {@link SimScheduler} (a discrete-event scheduler in virtual time that many simulated members share).
 */
public interface Scheduler {

    /** Milliseconds on a monotonic clock (virtual time in a simulation). Only differences mean anything. */
    long nowMillis();

    /** Nanoseconds on the same clock, for round-trip times; a simulation has millisecond steps. */
    default long nowNanos() {
        return nowMillis() * 1_000_000L;
    }

    /** Runs {@code task} on the loop after {@code delayMillis} (0 or less: as soon as possible). */
    Cancellable schedule(long delayMillis, Runnable task);

    /** Runs {@code task} on the loop as soon as possible. */
    default void execute(Runnable task) {
        schedule(0, task);
    }

    /**
     * Runs {@code task} on the loop and returns its result, waiting for it. Called from outside the
     * loop by the public API. A simulation runs it inline: there the caller is the thread that drives
     * the simulation, and nothing else runs at the same time.
     */
    <T> T call(Callable<T> task);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();

        Cancellable NONE = () -> { };
    }
}
