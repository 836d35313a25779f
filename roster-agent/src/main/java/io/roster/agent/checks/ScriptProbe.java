package io.roster.agent.checks;

import io.roster.api.Durations;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A script check (Consul's {@code CheckMonitor}): runs {@code Args} directly (no shell), with stdin
 * from the null device and stdout and stderr captured together, keeping the last
 * {@code outputMaxSize} bytes ("Captured N of M bytes" in front when some were dropped). Exit code 0
 * is passing, 1 warning, anything else critical. After the timeout (default 30s) the process and
 * its descendants are killed and the result is critical {@code Timed out (30s) running check}, as
 * in Consul; the run still waits for the process to exit so two instances never overlap.
 *
 * <p>Threads: the run waits on {@link Process#onExit()} (parks, no pinning); one more virtual thread
 * drains the output pipe. The JDK reaps each child with a "process reaper" platform thread while it
 * runs, so script checks cost one platform thread per script <em>running</em> at a given moment.
 */
final class ScriptProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final File NULL_DEVICE =
            new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");

    private final List<String> args;
    private final Duration timeout;
    private final int outputMaxSize;

    ScriptProbe(List<String> args, Duration timeout, int outputMaxSize) {
        this.args = List.copyOf(args);
        this.timeout = timeout;
        this.outputMaxSize = outputMaxSize;
    }

    @Override
    public Result run() throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Process p;
        try {
            p = new ProcessBuilder(args).redirectErrorStream(true).redirectInput(NULL_DEVICE).start();
        } catch (IOException | RuntimeException e) {
            return Result.critical(GoErrors.message(e, "failed to start " + args.get(0)));
        }
        TailBuffer out = new TailBuffer(outputMaxSize);
        Thread reader = Thread.ofVirtual().name("check-script-output").start(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] b = new byte[8192];
                for (int n; (n = in.read(b)) > 0; ) {
                    out.write(b, 0, n);
                }
            } catch (IOException ignored) {
                // the pipe closes when the process dies
            }
        });
        int exit;
        try {
            exit = p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).exitValue();
        } catch (TimeoutException e) {
            kill(p);
            awaitExit(p);
            reader.join(Duration.ofSeconds(1));
            String msg = "Timed out (" + Durations.format(timeout) + ") running check";
            String output = out.scriptOutput();
            return Result.critical(output.isEmpty() ? msg : msg + "\n\n" + output);
        } catch (InterruptedException e) {
            kill(p);
            throw e;
        } catch (ExecutionException e) {
            kill(p);
            return Result.critical(GoErrors.message(e.getCause(), "wait failed"));
        }
        // Output normally ends with the process; a descendant that keeps the pipe open is not waited
        // for past the deadline (Go's cmd.Wait would wait for it).
        reader.join(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        String output = out.scriptOutput();
        return switch (exit) {
            case 0 -> Result.passing(output);
            case 1 -> Result.warning(output);
            default -> Result.critical(output);
        };
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** After SIGKILL the process is gone at once unless the kernel holds it; don't wait forever for that. */
    private static void awaitExit(Process p) throws InterruptedException {
        try {
            p.onExit().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // gone, or stuck in the kernel: either way this run is over
        }
    }
}
