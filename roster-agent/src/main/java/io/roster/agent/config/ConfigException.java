package io.roster.agent.config;

import java.nio.file.Path;

/**
 * A configuration that cannot be used, with a one-line message that says where:
 * {@code <file>: line N: ...} for malformed files, {@code <file>: services[0].check.interval: ...}
 * for bad values, or no file when the problem is the combination of settings or a flag.
 */
public final class ConfigException extends RuntimeException {
    private final transient Path file;

    ConfigException(Path file, String detail) {
        super(oneLine(file == null ? detail : file + ": " + detail));
        this.file = file;
    }

    /** The file at fault, or null when no single file is (a flag, or settings from several files). */
    public Path file() {
        return file;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
