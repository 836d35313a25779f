package io.roster.tools.ctmpl;

import io.roster.api.RosterClient;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Watches one {@link Dependency}: a loop of blocking queries on its own virtual thread, storing
 * each new value in the {@link CtFuncs.Brain} and reporting a change. Errors are retried with
 * consul-template's backoff (base x 2^attempt, capped) and logged once per distinct message and
 * backoff step, never a flood; after the configured number of attempts the view gives up and
 * reports the error as fatal (0 attempts: retry forever).
 */
public final class View {
    /** How long one blocking query may park on the agent (consul-template's default, 1 minute). */
    static final Duration BLOCK = Duration.ofMinutes(1);

    /** consul-template's {@code retry} block: attempts (0 = forever), first backoff, ceiling. */
    public record Retry(int attempts, Duration backoff, Duration maxBackoff) {
        static final Retry DEFAULT = new Retry(12, Duration.ofMillis(250), Duration.ofMinutes(1));

        Duration delay(int attempt) {
            long ms = backoff.toMillis() << Math.min(attempt, 20);
            return Duration.ofMillis(Math.min(ms <= 0 ? maxBackoff.toMillis() : ms, maxBackoff.toMillis()));
        }
    }

    private final Dependency dependency;
    private final RosterClient client;
    private final CtFuncs.Brain brain;
    private final Consumer<Dependency> onChange;
    private final Consumer<String> onFatal;
    private final Retry retry;
    private final boolean once;
    private final Log log;
    private volatile boolean stopped;
    private Thread thread;

    public View(Dependency dependency, RosterClient client, CtFuncs.Brain brain, Consumer<Dependency> onChange,
         Consumer<String> onFatal, Retry retry, boolean once, Log log) {
        this.dependency = dependency;
        this.client = client;
        this.brain = brain;
        this.onChange = onChange;
        this.onFatal = onFatal;
        this.retry = retry;
        this.once = once;
        this.log = log;
    }

    public void start() {
        thread = Thread.ofVirtual().name("view-" + dependency.describe()).start(this::loop);
    }

    public void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void loop() {
        long index = 0;
        boolean received = false;
        int failures = 0;
        while (!stopped) {
            try {
                Dependency.Fetched f = dependency.fetch(client, index, BLOCK);
                if (failures > 0) {
                    log.info("(view) " + dependency.describe() + ": the agent answers again");
                }
                failures = 0;
                long next = f.index();
                if (next < index) {
                    // The index went backwards (a restored snapshot, a new leader's state): start over, as Consul advises.
                    next = 0;
                }
                if (f.value() == null && f.blockOnNil()) {
                    // key: nothing there yet; keep blocking until the key exists (consul-template's BlockOnNil).
                    index = next == 0 ? 1 : next;
                    continue;
                }
                if (!received || next != index || next == 0) {
                    boolean changed = brain.remember(dependency, f.value());
                    if (!received || changed) {
                        onChange.accept(dependency);
                    }
                }
                received = true;
                index = next;
                if (once) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stopped) {
                    return;
                }
                failures++;
                String msg = dependency.describe() + ": " + oneLine(e);
                if (retry.attempts() > 0 && failures > retry.attempts()) {
                    onFatal.accept(msg + " (gave up after " + retry.attempts() + " retries)");
                    return;
                }
                Duration d = retry.delay(failures - 1);
                log.warnLimited("view:" + dependency.describe(), "(view) " + msg + " (retry attempt " + failures + " after \""
                        + Log.goDuration(d) + "\")");
                try {
                    Thread.sleep(d.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public static String oneLine(Throwable e) {
        Throwable t = e;
        String m = t.getMessage();
        while ((m == null || m.isBlank()) && t.getCause() != null) {
            t = t.getCause();
            m = t.getMessage();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                String head = e.getMessage() == null ? "" : e.getMessage().replaceAll(":\\s*(null)?$", "");
                m = (head.isEmpty() ? "" : head + ": ") + "connection refused";
                break;
            }
        }
        if (m == null || m.isBlank()) {
            m = "request failed";
        }
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).strip();
    }
}
