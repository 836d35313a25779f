package io.roster.agent.checks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every running check shares: the stop flag and the delivery of results to the
 * {@link CheckSink}, de-duplicated (only a change of status or output is reported) and serialised.
 *
 * <p>Delivery never holds a lock while calling the sink, so a sink that takes the agent's own
 * locks cannot deadlock against a caller of {@link CheckRunners#stop} or
 * {@link CheckRunners#ttlUpdate} that holds them. Results are offered into a one-slot mailbox under
 * this runner's lock (so the last decided result wins) and whichever thread finds no one draining
 * becomes the drainer; a result offered while another thread is in the sink is delivered by that
 * thread right after.
 */
abstract sealed class Runner permits IntervalRunner, TtlRunner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    final String id;
    private final CheckSink sink;
    private boolean stopped;
    private boolean draining;
    private Result pending;
    private String lastStatus;
    private String lastOutput;

    Runner(String id, CheckSink sink) {
        this.id = id;
        this.sink = sink;
    }

    /** Stops the runner: nothing is offered or delivered after this returns (see {@link CheckRunners#stop}). */
    void stop() {
        synchronized (this) {
            stopped = true;
            pending = null;
        }
        onStop();
    }

    /** Cancels timers and in-flight work; called once, after the stop flag is set. */
    abstract void onStop();

    final synchronized boolean stopped() {
        return stopped;
    }

    /** Offers a result and delivers it (and anything offered meanwhile) unless another thread is delivering. */
    final void deliver(Result r) {
        synchronized (this) {
            offerLocked(r);
        }
        drain();
    }

    /** Puts a result in the mailbox; the caller holds this runner's lock and calls {@link #drain} after releasing it. */
    final void offerLocked(Result r) {
        if (!stopped) {
            pending = r;
        }
    }

    final void drain() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
        }
        boolean done = false;
        try {
            while (true) {
                Result next;
                synchronized (this) {
                    next = pending;
                    pending = null;
                    if (next == null || stopped) {
                        draining = false;
                        done = true;
                        return;
                    }
                    if (next.status().equals(lastStatus) && next.output().equals(lastOutput)) {
                        continue;
                    }
                    lastStatus = next.status();
                    lastOutput = next.output();
                }
                LOG.debug("check {} is now {}", id, next.status());
                try {
                    sink.update(id, next.status(), next.output());
                } catch (RuntimeException e) {
                    LOG.warn("check {}: the sink failed on a status update: {}", id, e.toString());
                }
            }
        } finally {
            if (!done) {
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }
}
