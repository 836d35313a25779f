package io.roster.tools.ctmpl;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools' log: lines on stderr in consul-template's shape ({@code [WARN] (view) ...}). A failure
 * that repeats is logged at most once per {@link #LIMIT} for the same subject, with the count of
 * lines left out, never a flood.
 */
public final class Log {
    static final Duration LIMIT = Duration.ofSeconds(30);

    private final PrintStream err;
    private final boolean debug;
    private final Map<String, long[]> last = new ConcurrentHashMap<>();

    public Log(PrintStream err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    public void info(String msg) {
        err.println("[INFO] " + msg);
    }

    public void debug(String msg) {
        if (debug) {
            err.println("[DEBUG] " + msg);
        }
    }

    public void warn(String msg) {
        err.println("[WARN] " + msg);
    }

    public void error(String msg) {
        err.println("[ERR] " + msg);
    }

    /** Logs {@code msg} unless {@code subject} was logged less than {@link #LIMIT} ago. */
    public void warnLimited(String subject, String msg) {
        long now = System.nanoTime();
        long[] s = last.computeIfAbsent(subject, k -> new long[] {now - LIMIT.toNanos() - 1, 0});
        synchronized (s) {
            if (now - s[0] > LIMIT.toNanos()) {
                err.println("[WARN] " + msg + (s[1] > 0 ? " (" + s[1] + " similar lines suppressed)" : ""));
                s[0] = now;
                s[1] = 0;
            } else {
                s[1]++;
            }
        }
    }

    /** Go's {@code time.Duration} text: 250ms, 1s, 1m0s. */
    public static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        long rest = ms % 1000;
        String sec = rest == 0 ? Long.toString(s % 60) : String.format("%d.%03d", s % 60, rest).replaceAll("0+$", "");
        if (s < 60) {
            return sec + "s";
        }
        long m = s / 60;
        return m >= 60 ? (m / 60) + "h" + (m % 60) + "m" + sec + "s" : m + "m" + sec + "s";
    }
}
