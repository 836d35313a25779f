package io.roster.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A dev agent started as its own JVM from the built CLI, so its heap is measured apart from the load driver's. */
final class AgentProcess implements AutoCloseable {
    final Process process;
    final int port;
    final long startupNanos;
    final Path log;

    private AgentProcess(Process process, int port, long startupNanos, Path log) {
        this.process = process;
        this.port = port;
        this.startupNanos = startupNanos;
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code roster agent -dev} on a free port and waits (at most 30 s) for its first HTTP answer. */
    static AgentProcess start(Path home, String heap) throws Exception {
        int port = freePort();
        return start(home, heap, port, List.of("-dev", "-http-port=" + port));
    }

    /** Starts {@code roster agent <args>} whose HTTP API is on {@code port}; waits for its first answer. */
    static AgentProcess start(Path home, String heap, int port, List<String> args) throws Exception {
        return start(home, heap, port, args, p -> { }, null);
    }

    /**
     * As {@link #start(Path, String, int, List)}, handing the process to {@code started} as soon as it
     * exists (before its first answer), so a caller can stop it if the wait is interrupted, and
     * writing its output to {@code log} (a temp file if null).
     */
    static AgentProcess start(Path home, String heap, int port, List<String> args,
                              java.util.function.Consumer<Process> started, Path log) throws Exception {
        List<String> cmd = command(home, heap, args);
        if (log == null) {
            log = Files.createTempFile("roster-bench-agent", ".log");
        }
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.accept(p);
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/status/leader"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("agent exited: " + Files.readString(log));
            }
            try {
                if (c.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return new AgentProcess(p, port, System.nanoTime() - t0, log);
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        p.destroyForcibly();
        throw new IllegalStateException("agent did not answer within 30 s");
    }

    /** The command line of {@code roster agent <args>} from the built CLI, in a JVM of {@code heap} max heap (G1). */
    static List<String> command(Path home, String heap, List<String> args) {
        Path cliJar = home.resolve("roster-cli/target/roster-cli.jar");
        Path lib = home.resolve("roster-cli/target/lib");
        if (!Files.exists(cliJar)) {
            throw new IllegalStateException("build first: " + cliJar + " is missing");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseG1GC"));
        String extra = System.getenv("ROSTER_BENCH_AGENT_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cliJar + File.pathSeparator + lib + File.separator + "*",
                "io.roster.cli.Main", "agent", "-log-level=warn", "-dns-port=-1"));
        cmd.addAll(args);
        return cmd;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs a full GC in the agent (jcmd), so the next heap reading is live data only. */
    void gc() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process j = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!j.waitFor(60, TimeUnit.SECONDS)) {
            j.destroyForcibly();
            throw new IllegalStateException("jcmd GC.run timed out");
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String text = Files.readString(log);
        if (text.contains("WARN") || text.contains("ERROR")) {
            System.out.println("agent log had warnings:");
            text.lines().filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(20).forEach(l -> System.out.println("  " + l));
        }
        Files.deleteIfExists(log);
    }
}
