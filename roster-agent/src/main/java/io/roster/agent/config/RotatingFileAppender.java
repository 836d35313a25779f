package io.roster.agent.config;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Consul's log file: {@code -log-file} names the active file; it is rotated (renamed to
 * {@code <name>-<unix nanos>.log}) when it reaches {@code -log-rotate-bytes} or is older than
 * {@code -log-rotate-duration}, and only the newest {@code -log-rotate-max-files} rotated files are
 * kept (0: all, -1: none). A write error stops file logging with one line on stderr, never a loop.
 */
final class RotatingFileAppender extends OutputStreamAppender<ILoggingEvent> {
    private final Path file;
    private final long maxBytes;
    private final Duration maxAge;
    private final int maxFiles;
    private long written;
    private Instant opened;
    private final java.util.concurrent.locks.ReentrantLock rotation = new java.util.concurrent.locks.ReentrantLock();

    RotatingFileAppender(Path file, long maxBytes, Duration maxAge, int maxFiles) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.maxFiles = maxFiles;
    }

    /** Where {@code -log-file} writes: a directory (ends in '/', or exists as one) gets consul.log; no extension gets .log. */
    static Path activeFile(Path given, String raw) {
        if (raw.endsWith("/") || Files.isDirectory(given)) {
            return given.resolve("consul.log");
        }
        String name = given.getFileName().toString();
        return name.contains(".") ? given : given.resolveSibling(name + ".log");
    }

    @Override
    public void start() {
        try {
            open();
        } catch (IOException e) {
            addError("cannot open " + file + ": " + e.getMessage());
            throw new IllegalArgumentException(e.getMessage());
        }
        super.start();
    }

    private void open() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        written = Files.exists(file) ? Files.size(file) : 0;
        opened = Instant.now();
        setOutputStream(new FileOutputStream(file.toFile(), true));
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        rotation.lock();
        try {
            write(event);
        } finally {
            rotation.unlock();
        }
    }

    private void write(ILoggingEvent event) {
        if ((maxBytes > 0 && written >= maxBytes) || Duration.between(opened, Instant.now()).compareTo(maxAge) >= 0) {
            rotate();
        }
        byte[] bytes = getEncoder().encode(event);
        written += bytes.length;
        try {
            getOutputStream().write(bytes);
            if (isImmediateFlush()) {
                getOutputStream().flush();
            }
        } catch (IOException e) {
            System.err.println("roster agent: logging to " + file + " stopped: " + e.getMessage());
            stop();
        }
    }

    private void rotate() {
        try {
            closeOutputStream();
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String base = dot > 0 ? name.substring(0, dot) : name;
            String ext = dot > 0 ? name.substring(dot) : ".log";
            Instant now = Instant.now();
            long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            Path rotated = file.resolveSibling(base + "-" + nanos + ext);
            Files.move(file, rotated, StandardCopyOption.REPLACE_EXISTING);
            prune(base, ext);
            open();
        } catch (IOException e) {
            System.err.println("roster agent: cannot rotate " + file + ": " + e.getMessage());
            try {
                open();
            } catch (IOException again) {
                stop();
            }
        }
    }

    private void prune(String base, String ext) throws IOException {
        if (maxFiles == 0) {
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        List<Path> rotated = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(base + "-") && n.endsWith(ext) && n.substring(base.length() + 1, n.length() - ext.length())
                        .matches("\\d+");
            }).forEach(rotated::add);
        }
        rotated.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        int keep = Math.max(0, maxFiles);
        for (int i = keep; i < rotated.size(); i++) {
            Files.deleteIfExists(rotated.get(i));
        }
    }
}
