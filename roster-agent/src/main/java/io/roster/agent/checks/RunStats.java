package io.roster.agent.checks;

import java.util.concurrent.atomic.LongAdder;

/** Counters over all runs of all checks: runs completed and the time they took. */
final class RunStats {
    private final LongAdder runs = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void record(long runNanos) {
        runs.increment();
        nanos.add(runNanos);
    }

    long runs() {
        return runs.sum();
    }

    long nanos() {
        return nanos.sum();
    }
}
