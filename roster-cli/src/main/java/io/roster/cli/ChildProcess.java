package io.roster.cli;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starting and stopping the child processes of {@code lock} and {@code watch}. A single argument is
 * a shell command ({@code $SHELL -c}, {@code /bin/sh} when SHELL is unset, as Consul); several
 * arguments are the program and its arguments, run as given so that quoting survives. Output goes
 * straight to this process's stdout and stderr.
 */
final class ChildProcess {
    private ChildProcess() {
    }

    /** The command line to run for {@code args}. */
    static List<String> command(List<String> args, boolean shell) {
        if (shell && args.size() == 1) {
            String sh = HttpOptions.env.apply("SHELL");
            return List.of(sh == null || sh.isEmpty() ? "/bin/sh" : sh, "-c", args.get(0));
        }
        return List.copyOf(args);
    }

    /** Starts {@code command} with {@code env} added; stdin is this process's when {@code passStdin}, else empty. */
    static Process start(List<String> command, Map<String, String> env, boolean passStdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.redirectInput(passStdin ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    /**
     * Sends SIGTERM to the child and everything it started, gives it {@code grace} to exit, then
     * SIGKILL; returns its exit code (128 + signal when a signal ended it).
     */
    static int terminate(Process p, Duration grace) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        p.destroy();
        tree.forEach(ProcessHandle::destroy);
        if (!p.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            tree.addAll(p.descendants().toList());
            p.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            p.waitFor();
        }
        return p.exitValue();
    }

    /** How {@code watch} and {@code lock} report a child's failure, in Go's words. */
    static String exitStatus(int code) {
        return code > 128 ? "signal: " + signalName(code - 128) : "exit status " + code;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "hangup";
            case 2 -> "interrupt";
            case 9 -> "killed";
            case 15 -> "terminated";
            default -> "signal " + signal;
        };
    }
}
