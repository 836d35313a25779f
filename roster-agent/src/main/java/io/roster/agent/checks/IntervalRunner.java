package io.roster.agent.checks;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Probe} every interval: the scheduler only times the runs; each run is a fresh
 * virtual thread, so a check that waits on the network holds no platform thread. As in Consul, the
 * next run is timed from the end of the previous one, so runs of one check never overlap.
 */
final class IntervalRunner extends Runner {
    private static final Logger LOG = LoggerFactory.getLogger(IntervalRunner.class);

    private final ScheduledExecutorService scheduler;
    private final Probe probe;
    private final long intervalNanos;
    private final Thresholds thresholds;
    private final RunStats stats;
    private final String threadName;
    private ScheduledFuture<?> next;
    private Thread running;

    /** {@code thresholds} null: every result is shown as it is (alias checks). */
    IntervalRunner(String id, CheckSink sink, ScheduledExecutorService scheduler, Probe probe, long intervalNanos,
                   Thresholds thresholds, RunStats stats) {
        super(id, sink);
        this.scheduler = scheduler;
        this.probe = probe;
        this.intervalNanos = intervalNanos;
        this.thresholds = thresholds;
        this.stats = stats;
        this.threadName = "check:" + id;
    }

    void start(long initialDelayNanos) {
        schedule(initialDelayNanos);
    }

    private void schedule(long delayNanos) {
        synchronized (this) {
            if (stopped()) {
                return;
            }
            try {
                next = scheduler.schedule(this::launch, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("check {}: scheduler is shut down; the check no longer runs", id);
            }
        }
    }

    private void launch() {
        synchronized (this) {
            if (stopped()) {
                return;
            }
            running = Thread.ofVirtual().name(threadName).unstarted(this::runOnce);
            running.start();
        }
    }

    private void runOnce() {
        long t0 = System.nanoTime();
        Result r;
        try {
            r = probe.run();
        } catch (InterruptedException e) {
            r = null; // stopped
        } catch (RuntimeException e) {
            LOG.warn("check {}: the probe failed: {}", id, e.toString());
            r = Result.critical(GoErrors.message(e, e.getClass().getName()));
        }
        synchronized (this) {
            running = null;
        }
        Thread.interrupted(); // an interrupt from stop() must not leak into the sink
        stats.record(System.nanoTime() - t0);
        if (r != null && !stopped()) {
            Result shown = thresholds == null ? r : thresholds.apply(r);
            if (shown != null) {
                deliver(shown);
            }
        }
        schedule(intervalNanos);
    }

    @Override
    void onStop() {
        synchronized (this) {
            if (next != null) {
                next.cancel(false);
            }
            if (running != null) {
                running.interrupt(); // closes a blocked socket, cancels an HTTP exchange, kills a script
            }
        }
    }
}
