package io.roster.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roster.api.Json;
import io.roster.it.hosts.Host;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP from inside a host: the test JVM (root namespace) cannot reach the hosts' addresses, so one
 * Python process in the client host ({@code httpbridge.py}, a resource beside this class) makes the
 * requests, each on a new connection, and answers line by line. Requests cross the hosts' bridge
 * like any client's, so a cut link or a DROP rule affects them as it would a real client.
 */
final class HttpBridge implements AutoCloseable {
    /** An answer: {@code status} 0 when none came, with {@code error} saying whether it surely never arrived. */
    record Answer(int status, long index, String body, String error) {
        /** True when the request surely never reached a server (connection refused or not established). */
        boolean neverSent() {
            return "refused".equals(error);
        }
    }

    private final Process process;
    private final OutputStream stdin;
    private final Map<Long, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;

    HttpBridge(Host host, Path workDir) {
        try {
            Path script = workDir.resolve("httpbridge.py");
            try (InputStream in = HttpBridge.class.getResourceAsStream("httpbridge.py")) {
                Files.write(script, in.readAllBytes());
            }
            process = new ProcessBuilder(List.of("ip", "netns", "exec", host.namespace(), "/usr/bin/python3", "-u", script.toString()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve(host.name() + "-httpbridge.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the HTTP bridge in " + host, e);
        }
        stdin = process.getOutputStream();
        reader = Thread.ofPlatform().daemon().name("httpbridge-reader").start(this::readAnswers);
    }

    private void readAnswers() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = Json.mapper().readTree(line);
                CompletableFuture<Answer> f = pending.remove(n.path("id").asLong());
                if (f != null) {
                    String idx = n.path("i").isTextual() ? n.path("i").asText() : null;
                    f.complete(new Answer(n.path("s").asInt(), idx == null ? -1 : Long.parseLong(idx.strip()),
                            n.path("b").asText(""), n.path("e").isTextual() ? n.path("e").asText() : null));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended; pending calls time out on their own
        }
    }

    /**
     * Sends a request and waits for its answer, at most {@code timeout} plus a margin; an answer
     * that did not come then is a timeout (outcome unknown).
     */
    Answer call(String method, String url, String body, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<Answer> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode req = Json.mapper().createObjectNode();
        req.put("id", id).put("m", method).put("u", url).put("t", timeout.toMillis() / 1000.0);
        if (body != null) {
            req.put("b", body);
        } else {
            req.putNull("b");
        }
        try {
            byte[] line = (Json.mapper().writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (stdin) {
                stdin.write(line);
                stdin.flush();
            }
            return f.get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            pending.remove(id);
            return new Answer(0, -1, "bridge: " + e.getMessage(), "refused");
        } catch (TimeoutException | ExecutionException e) {
            pending.remove(id);
            return new Answer(0, -1, "bridge: no answer", "timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(id);
            return new Answer(0, -1, "interrupted", "timeout");
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
