package io.roster.it.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one short command to completion (bounded in time) and returns its exit code and output. */
final class Sh {
    private Sh() {
    }

    /** A finished command: exit code (-1 when it was killed at its time limit), stdout, stderr. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        /** The command's output and error text, for an assertion message. */
        String describe() {
            return "exit " + exit + (out.isBlank() ? "" : ", out: " + out.strip()) + (err.isBlank() ? "" : ", err: " + err.strip());
        }
    }

    static Result run(Duration timeout, List<String> cmd) {
        return run(timeout, cmd, null);
    }

    static Result run(Duration timeout, List<String> cmd, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the command did not read its input; its exit code says the rest
        }
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(done ? p.exitValue() : -1, out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("cannot read the output of " + cmd + ": " + e, e);
        }
    }

    /** Runs a command that must succeed; the exception names it and its output. */
    static String must(Duration timeout, List<String> cmd) {
        Result r = run(timeout, cmd);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.describe());
        }
        return r.out();
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
