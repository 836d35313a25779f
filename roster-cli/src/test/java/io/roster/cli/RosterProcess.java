package io.roster.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code roster ...} as a real process: this JVM's java and class path (the module's classes and
 * every dependency, as the built jar and its lib/ directory hold them), {@code io.roster.cli.Main},
 * output to files. The environment is this process's without any CONSUL_ or ROSTER_ variable, plus
 * what the test gives.
 */
final class RosterProcess {
    final Process process;
    final Path out;
    final Path err;

    private RosterProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static RosterProcess start(Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.roster.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("roster-cli", ".out");
        Path err = Files.createTempFile("roster-cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("CONSUL_") || k.startsWith("ROSTER_"));
        pb.environment().putAll(env);
        return new RosterProcess(pb.start(), out, err);
    }

    /** Waits (bounded) for the exit code. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            kill();
            throw new AssertionError("roster did not exit within 120s; stderr: " + err());
        }
        return process.exitValue();
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    /** SIGKILL to the JVM and to every process it started (a SIGKILLed JVM cannot stop its children). */
    void kill() {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
