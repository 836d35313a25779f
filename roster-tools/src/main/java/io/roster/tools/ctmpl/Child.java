package io.roster.tools.ctmpl;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A supervised child process for {@code -exec} (template) and envexec: started with a given
 * environment, sent signals by name ({@code SIGHUP}, {@code HUP}), stopped with a kill signal and a
 * grace period, then SIGKILL. A single command string runs in {@code /bin/sh -c}, as consul-template's.
 */
public final class Child {
    private final Process process;

    private Child(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code command} (one element: a shell command) with exactly {@code env} when
     * {@code replaceEnv}, else this process's environment plus {@code env}.
     */
    public static Child start(List<String> command, Map<String, String> env, boolean replaceEnv, boolean inheritIo) throws IOException {
        List<String> cmd = command.size() == 1 ? List.of("/bin/sh", "-c", command.get(0)) : new ArrayList<>(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (replaceEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        if (inheritIo) {
            pb.inheritIO();
        } else {
            pb.redirectInput(new File("/dev/null"));
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        return new Child(pb.start());
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code d}; true when the child has exited. */
    public boolean waitFor(Duration d) throws InterruptedException {
        return process.waitFor(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The exit code (128 + signal when a signal ended it, as a shell reports it). */
    public int exitCode() {
        return process.exitValue();
    }

    /** Sends the named signal to the child. */
    public void signal(String name) throws IOException, InterruptedException {
        String sig = signalName(name);
        Process k = new ProcessBuilder("kill", "-s", sig, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!k.waitFor(5, TimeUnit.SECONDS)) {
            k.destroyForcibly();
        }
    }

    /** Sends {@code killSignal} (SIGTERM when null), waits {@code grace}, then SIGKILL; returns the exit code. */
    public int stop(String killSignal, Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        try {
            signal(killSignal == null || killSignal.isEmpty() ? "SIGTERM" : killSignal);
        } catch (IOException e) {
            process.destroy();
        }
        if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            tree.addAll(process.descendants().toList());
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS);
        }
        tree.forEach(ProcessHandle::destroy);
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** {@code HUP}, {@code sighup} and {@code SIGHUP} all name SIGHUP; an unknown name is an error at flag time. */
    public static String signalName(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (!List.of("HUP", "INT", "QUIT", "KILL", "USR1", "USR2", "TERM", "ALRM", "CONT", "STOP", "WINCH").contains(n)) {
            throw new IllegalArgumentException("unknown signal \"" + name + "\"");
        }
        return n;
    }
}
