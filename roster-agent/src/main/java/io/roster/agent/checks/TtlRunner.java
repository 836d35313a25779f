package io.roster.agent.checks;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TTL check (Consul's {@code CheckTTL}): its status is whatever {@link #update} last set, until
 * {@code TTL} passes without an update; then it turns critical with output {@code TTL expired}
 * (followed by the last output, if there was one). The clock starts at {@link #start}. One timer is
 * kept armed while the TTL runs; an update only moves the deadline, so frequent updates cost no
 * scheduler churn.
 */
final class TtlRunner extends Runner {
    private final ScheduledExecutorService scheduler;
    private final long ttlNanos;
    private final int outputMaxSize;
    private long deadline;
    private boolean armed;
    private String lastOutput = "";
    private ScheduledFuture<?> timer;

    TtlRunner(String id, CheckSink sink, ScheduledExecutorService scheduler, long ttlNanos, int outputMaxSize) {
        super(id, sink);
        this.scheduler = scheduler;
        this.ttlNanos = ttlNanos;
        this.outputMaxSize = outputMaxSize;
    }

    synchronized void start() {
        deadline = System.nanoTime() + ttlNanos;
        arm(ttlNanos);
    }

    /** Sets the status and renews the TTL; false if the check was stopped meanwhile. */
    boolean update(String status, String output) {
        String out = truncate(output == null ? "" : output, outputMaxSize);
        synchronized (this) {
            if (stopped()) {
                return false;
            }
            lastOutput = out;
            deadline = System.nanoTime() + ttlNanos;
            if (!armed) {
                arm(ttlNanos);
            }
            offerLocked(new Result(status, out));
        }
        drain();
        return true;
    }

    private void arm(long delayNanos) {
        try {
            timer = scheduler.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
            armed = true;
        } catch (RejectedExecutionException e) {
            armed = false;
        }
    }

    private void fire() {
        synchronized (this) {
            if (stopped()) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left > 0) {
                arm(left);
                return;
            }
            armed = false;
            offerLocked(Result.critical(lastOutput.isEmpty()
                    ? "TTL expired"
                    : "TTL expired (last output before timeout follows): " + lastOutput));
        }
        drain();
    }

    @Override
    void onStop() {
        synchronized (this) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /**
     * Consul's TTL output limit: the first {@code max} bytes and {@code " ... (captured max of total bytes)"}.
     * Cuts on a character boundary, so slightly fewer bytes may be kept.
     */
    static String truncate(String output, int max) {
        byte[] b = output.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return output;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // don't split a UTF-8 sequence
        }
        return new String(b, 0, end, StandardCharsets.UTF_8) + " ... (captured " + max + " of " + b.length + " bytes)";
    }
}
