package io.roster.agent.local;

import io.roster.api.CheckDefinition;
import io.roster.api.Json;
import io.roster.api.ServiceDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and checks registered through the HTTP API, kept in {@code data_dir} so that a restarted
 * agent has them again (Consul's {@code services/} and {@code checks/} directories). One JSON file per
 * registration, named by a hash of its ID, holding the API definition; written to a temp file and
 * renamed, so a crash leaves the old file or the new one. Services from config files are not kept:
 * they come back from the files. A file that cannot be read is skipped with one warning naming it.
 */
public final class LocalPersistence {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPersistence.class);

    private final Path services;
    private final Path checks;

    public LocalPersistence(Path dataDir) {
        this.services = dataDir.resolve("services");
        this.checks = dataDir.resolve("checks");
    }

    public void saveService(ServiceDefinition def) {
        write(services, def.effectiveId(), def);
    }

    public void deleteService(String id) {
        delete(services, id);
    }

    public void saveCheck(CheckDefinition def) {
        write(checks, def.id(), def);
    }

    public void deleteCheck(String id) {
        delete(checks, id);
    }

    public List<ServiceDefinition> loadServices() {
        return load(services, ServiceDefinition.class);
    }

    public List<CheckDefinition> loadChecks() {
        return load(checks, CheckDefinition.class);
    }

    static String fileName(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path dir, String id, Object def) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(fileName(id));
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            Files.write(tmp, Json.mapper().writeValueAsBytes(def));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The registration itself succeeded; only its survival of a restart is lost.
            LOG.warn("cannot persist {} in {}: {}", id, dir, e.getMessage());
        }
    }

    private static void delete(Path dir, String id) {
        try {
            Files.deleteIfExists(dir.resolve(fileName(id)));
        } catch (IOException e) {
            LOG.warn("cannot remove the persisted {} in {}: {}", id, dir, e.getMessage());
        }
    }

    private static <T> List<T> load(Path dir, Class<T> type) {
        List<T> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    T def = Json.mapper().readValue(f.toFile(), type);
                    if (def == null) {
                        throw new IOException("empty file");
                    }
                    out.add(def);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("skipping unreadable persisted definition {}: {}", f, firstLine(e.getMessage()));
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.getMessage());
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
