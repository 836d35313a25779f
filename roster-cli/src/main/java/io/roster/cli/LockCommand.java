package io.roster.cli;

import io.roster.api.Durations;
import io.roster.api.RosterException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster lock PREFIX CHILD...}: runs CHILD only while holding a lock ({@code -n 1}) or a
 * semaphore slot ({@code -n N}) on PREFIX, in Consul's KV layout ({@link PrefixLock}).
 *
 * <p>Theory of operation: a session with a TTL (15s) is created and renewed every TTL/2 by
 * {@link LockSession}; acquisition waits on a blocking query, so a waiter takes over as soon as the
 * holder releases. While the child runs, a monitor thread watches the lock; if it is lost (the
 * session was invalidated, someone deleted the key) the child gets SIGTERM, then SIGKILL after 5s.
 * When the child exits the lock is released, the key deleted if nobody else uses it, and the session
 * destroyed. SIGINT and SIGTERM reach the JVM's shutdown hook, which terminates the child the same
 * way and releases before the process exits. A holder killed with SIGKILL cannot release: its session
 * expires after 2 x TTL, and a waiter takes over once the lock-delay (15s by default) has passed.
 *
 * <p>The exit code is the child's (128 + signal when a signal ended it); with
 * {@code -child-exit-code}, Consul's rule instead: 2 when the child failed, else 0.
 */
@Command(name = "lock", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster lock [options] PREFIX CHILD...",
        description = {"Run a command while holding a lock.",
                "Runs CHILD while holding a lock (or, with -n > 1, a semaphore slot) on PREFIX in the KV store. "
                + "A second lock on the same PREFIX waits until the first is released. "
                + "One CHILD argument runs in $SHELL -c (default /bin/sh); several are run as the program and its arguments. "
                + "The child sees CONSUL_LOCK_HELD=true. If the lock is lost the child is terminated. "
                + "Exits with the child's exit code."},
        footer = {"", "Examples:", "  roster lock service/backup/ 'pg_dump app > /backups/app.sql'",
                "  roster lock -n=3 -timeout=30s jobs/encoder ./encode.sh input.mp4"})
final class LockCommand extends ClientCommand {
    /** How long the child has between SIGTERM and SIGKILL (Consul's lockKillGracePeriod). */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** How long a failed acquire waits before trying again (Consul's DefaultLockRetryTime). */
    static final Duration RETRY = Duration.ofSeconds(5);

    @Option(names = {"-n", "--n"}, paramLabel = "N", description = "How many may hold the lock at once (default: 1; above 1 a semaphore is used).")
    int limit = 1;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "Name of the lock's session (default: from the prefix and the child).")
    String name;
    @Option(names = {"-pass-stdin", "--pass-stdin"}, description = "Give the child this process's stdin (default: none).")
    boolean passStdin;
    @Option(names = {"-shell", "--shell"},
            description = "Run a single CHILD argument with $SHELL -c (default: true; -shell=false runs it as a program).")
    Boolean shell; // null means true; a Boolean so that a bare -shell means true, as in Go
    @Option(names = {"-timeout", "--timeout"}, paramLabel = "DURATION",
            description = "Give up (exit 1) if the lock is not acquired within this time (e.g. 30s; default: wait forever).")
    String timeout;
    @Option(names = {"-try", "--try"}, paramLabel = "DURATION", hidden = true, description = "Deprecated name of -timeout.")
    String tryTimeout;
    @Option(names = {"-monitor-retry", "--monitor-retry"}, paramLabel = "N",
            description = "Errors (5xx or no answer) tolerated, 1s apart, while watching the lock before it counts as lost (default: 3).")
    int monitorRetry = 3;
    @Option(names = {"-child-exit-code", "--child-exit-code"},
            description = "Consul's exit rule: 2 if the child failed, else 0 (default: the child's own exit code).")
    boolean childExitCode;
    @Option(names = {"-verbose", "--verbose"}, description = "Say what the lock is doing.")
    boolean verbose;
    @Option(names = {"-session-ttl", "--session-ttl"}, paramLabel = "DURATION", hidden = true,
            description = "TTL of the lock's session (Roster only; default: 15s).")
    String sessionTtl = "15s";
    @Option(names = {"-lock-delay", "--lock-delay"}, paramLabel = "DURATION", hidden = true,
            description = "Lock-delay of the lock's session (Roster only; default: the agent's, 15s).")
    String lockDelay;
    @Parameters(arity = "0..*", paramLabel = "PREFIX CHILD...", hidden = true)
    List<String> args = new ArrayList<>();

    private PrefixLock lock;
    private LockSession session;
    private boolean acquired;
    private boolean cleaned;
    private boolean shuttingDown;
    private Process child;
    private String releaseError;

    @Override
    int run() throws Exception {
        if (limit <= 0) {
            throw usage("Lock holder limit must be positive");
        }
        if (args.size() < 2) {
            throw usage("Key prefix and child command must be specified");
        }
        String prefix = args.get(0).startsWith("/") ? args.get(0).substring(1) : args.get(0);
        List<String> childArgs = args.subList(1, args.size());
        Duration wait = duration("-timeout", timeout != null ? timeout : tryTimeout, Duration.ZERO);
        if (wait.isNegative()) {
            throw usage("Timeout must be positive");
        }
        if (monitorRetry < 0) {
            throw usage("Number for 'monitor-retry' must be >= 0");
        }
        Duration ttl = duration("-session-ttl", sessionTtl, Duration.ofSeconds(15));
        Duration delay = lockDelay == null ? null : duration("-lock-delay", lockDelay, null);
        if (name == null || name.isEmpty()) {
            name = "Consul lock for '" + String.join(" ", childArgs) + "' at '" + prefix + "'";
        }
        try {
            client().agent().nodeName();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }

        if (verbose) {
            out.println(limit == 1 ? "Setting up lock at path: " + GoFormat.pathJoin(prefix, PrefixLock.LOCK_KEY)
                    : "Setting up semaphore (limit " + limit + ") at prefix: " + prefix);
        }
        Thread hook = new Thread(this::onSignal, "roster-lock-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return holdAndRun(prefix, childArgs, wait, ttl, delay);
        } finally {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDownAlready) {
                // The hook is running (or ran): it has cleaned up.
            }
        }
    }

    private int holdAndRun(String prefix, List<String> childArgs, Duration wait, Duration ttl, Duration delay) throws Exception {
        if (verbose) {
            out.println("Attempting lock acquisition");
        }
        try {
            session = LockSession.create(client(), name, ttl, limit == 1 ? "release" : "delete", delay);
        } catch (RosterException e) {
            return fail("Lock acquisition failed: failed to create session: " + describe(e));
        }
        // A lock-delay shorter than Consul's retry time is retried sooner, so a waiter takes over promptly.
        Duration retry = delay != null && delay.compareTo(RETRY) < 0 ? max(delay, Duration.ofMillis(100)) : RETRY;
        Map<String, String> writes = http.writeParams();
        synchronized (this) {
            lock = limit == 1
                    ? new PrefixLock.Mutex(client(), prefix, session.id(), http.queryOptions(), writes, retry)
                    : new PrefixLock.Semaphore(client(), prefix, session.id(), http.queryOptions(), writes, retry, limit);
        }
        long deadline = wait.isZero() ? 0 : System.nanoTime() + wait.toNanos();
        boolean ok;
        try {
            ok = lock.acquire(deadline);
        } catch (PrefixLock.LockException e) {
            return fail("Lock acquisition failed: " + e.getMessage());
        } catch (RosterException e) {
            return fail("Lock acquisition failed: " + describe(e));
        }
        synchronized (this) {
            acquired = ok;
        }
        if (!ok) {
            return fail("Shutdown triggered or timeout during lock acquisition");
        }
        CompletableFuture<String> lost = lock.monitor(monitorRetry);

        Process p;
        synchronized (this) {
            if (shuttingDown) {
                return fail("Shutdown triggered during lock acquisition");
            }
            if (verbose) {
                out.println("Starting handler");
            }
            try {
                p = ChildProcess.start(ChildProcess.command(childArgs, shell == null || shell), Map.of("CONSUL_LOCK_HELD", "true"), passStdin);
            } catch (IOException e) {
                return fail("Error starting handler: " + e.getMessage());
            }
            child = p;
        }
        CompletableFuture.anyOf(p.onExit(), lost).join();
        int code;
        if (!p.isAlive()) {
            code = p.waitFor();
            if (verbose) {
                out.println("Child terminated, releasing lock");
            }
        } else {
            synchronized (this) {
                acquired = false; // nothing to release: it is no longer ours
            }
            err.println("Lock lost, killing child");
            if (verbose) {
                out.println("Terminating child pid " + p.pid());
            }
            code = ChildProcess.terminate(p, KILL_GRACE);
        }
        cleanup();
        if (releaseError != null) {
            return fail(releaseError);
        }
        return childExitCode ? (code == 0 ? 0 : 2) : code;
    }

    /** SIGINT or SIGTERM: stop the child, then release, before the JVM exits. */
    private void onSignal() {
        Process p;
        synchronized (this) {
            shuttingDown = true;
            p = child;
        }
        if (p != null && p.isAlive()) {
            if (verbose) {
                out.println("Shutdown triggered, killing child");
            }
            try {
                ChildProcess.terminate(p, KILL_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        cleanup();
    }

    /** Releases the lock, deletes its key if unused, and destroys the session; once, from whichever thread comes first. */
    private synchronized void cleanup() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        if (lock != null) {
            lock.stopMonitor();
            if (acquired) {
                try {
                    lock.release();
                } catch (PrefixLock.LockException e) {
                    releaseError = "Lock release failed: " + e.getMessage();
                } catch (RosterException e) {
                    releaseError = "Lock release failed: failed to release lock: " + describe(e);
                }
            }
            try {
                boolean removed = lock.destroy();
                if (verbose) {
                    out.println(removed ? "Cleanup succeeded" : "Cleanup aborted, lock in use");
                }
            } catch (PrefixLock.LockException | RosterException e) {
                // Another user of the prefix, or the agent is gone: the key stays, as with Consul.
                if (verbose) {
                    out.println("Cleanup failed: " + e.getMessage());
                }
            }
        }
        if (session != null) {
            session.close();
        }
    }

    private static Duration duration(String flag, String value, Duration dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw usage("invalid value \"" + value + "\" for flag " + flag + ": parse error");
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
