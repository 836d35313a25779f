package io.roster.agent.util;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A log line for a failure that a loop repeats (forwarding, anti-entropy, join and DNS retries):
 * the first occurrence is logged, then at most one line per interval carrying the count of the
 * repeats suppressed since the last line. A loop that fails a thousand times a second writes one
 * line per interval, never a flood; {@link #recovered} logs once that the failure stopped.
 *
 * <p>Thread-safe and lock-free; the clock is injected so tests need not wait.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the last line was written; Long.MIN_VALUE when none since the last recovery. */
    private final AtomicLong lastLine = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong lines = new AtomicLong();

    public RateLimitedLog(Logger log, Level level, Duration interval) {
        this(log, level, interval, System::nanoTime);
    }

    public RateLimitedLog(Logger log, Level level, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.level = level;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * One occurrence of the failure. {@code format} and {@code args} are SLF4J's; when repeats were
     * suppressed, the line ends with {@code (N similar messages suppressed in the last Xs)}.
     *
     * @return true when a line was written
     */
    public boolean log(String format, Object... args) {
        long now = nanoClock.getAsLong();
        long last = lastLine.get();
        if (last != Long.MIN_VALUE && now - last < intervalNanos) {
            suppressed.incrementAndGet();
            return false;
        }
        if (!lastLine.compareAndSet(last, now)) {
            suppressed.incrementAndGet(); // another thread is writing this very line
            return false;
        }
        long n = suppressed.getAndSet(0);
        String f = n == 0 ? format : format + " (" + n + " similar messages suppressed in the last "
                + Duration.ofNanos(now - last).toSeconds() + "s)";
        log.atLevel(level).log(f, args);
        lines.incrementAndGet();
        return true;
    }

    /**
     * The failure stopped: logs {@code message} at INFO once if a failure line was written since
     * the last recovery, and makes the next failure log at once again.
     */
    public void recovered(String format, Object... args) {
        if (lastLine.getAndSet(Long.MIN_VALUE) != Long.MIN_VALUE) {
            long n = suppressed.getAndSet(0);
            log.atInfo().log(n == 0 ? format : format + " (after " + n + " more failures)", args);
            lines.incrementAndGet();
        }
    }

    /** Lines written so far (for tests and metrics). */
    public long lines() {
        return lines.get();
    }
}
