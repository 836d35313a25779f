package io.roster.gossip.time;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * A discrete-event scheduler in virtual time, shared by every member of a simulation. Nothing runs
 * until the driving thread calls {@link #runFor} or {@link #runUntil}; then tasks run in time order
 * (ties in submission order) on that thread, and the clock jumps from one task to the next. So a
 * simulated minute of 500 members costs only the CPU time of their tasks, and a run is a function of
 * its seeds.
 *
 * <p>A task that throws stops the run with the exception: in a simulation that is a bug to see.
 */
public final class SimScheduler implements Scheduler {

    private static final class Task implements Comparable<Task>, Cancellable {
        final long time;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(long time, long seq, Runnable body) {
            this.time = time;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private long executed;

    /** Starts the virtual clock at {@code startMillis} (any value; only differences matter). */
    public SimScheduler(long startMillis) {
        this.now = startMillis;
    }

    public SimScheduler() {
        this(1_000_000L);
    }

    @Override
    public long nowMillis() {
        return now;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        Task t = new Task(now + Math.max(0, delayMillis), seq++, task);
        queue.add(t);
        return t;
    }

    @Override
    public <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs every task due within the next {@code d} of virtual time; the clock ends at now + d. */
    public void runFor(Duration d) {
        runTo(now + d.toMillis());
    }

    /**
     * Runs until {@code condition} holds (checked every {@code checkEvery} of virtual time) or
     * {@code max} has passed. Returns whether the condition held.
     */
    public boolean runUntil(BooleanSupplier condition, Duration max, Duration checkEvery) {
        long end = now + max.toMillis();
        long step = Math.max(1, checkEvery.toMillis());
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (now >= end) {
                return false;
            }
            runTo(Math.min(end, now + step));
        }
    }

    /** Runs until the queue has nothing due, up to {@code max}. */
    public void runTo(long time) {
        while (!queue.isEmpty() && queue.peek().time <= time) {
            Task t = queue.poll();
            if (t.cancelled) {
                continue;
            }
            now = t.time;
            executed++;
            t.body.run();
        }
        now = Math.max(now, time);
    }

    /** Tasks executed so far (a measure of simulation work). */
    public long executed() {
        return executed;
    }

    public int pending() {
        return queue.size();
    }
}
