package io.roster.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Where {@code roster tls} writes its files, and how (the certificates come from {@link io.roster.agent.tls.Certificates}). */
final class TlsCertificates {
    private TlsCertificates() {
    }

    /** The directory files are written to: the current one; tests point it elsewhere. */
    static volatile Path dir = Path.of("");

    static String trimDot(String domain) {
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    /** Writes {@code text} to a new file; a key is readable by its owner only. */
    static void write(Path file, String text, boolean secret) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (secret) {
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the directory's permissions apply.
                }
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException(file.getFileName() + " already exists.");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage());
        }
    }

}
