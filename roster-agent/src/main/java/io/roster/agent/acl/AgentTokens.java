package io.roster.agent.acl;

import io.roster.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own tokens ({@code acl.tokens.agent}, {@code default}, {@code agent_recovery},
 * {@code replication}), changed at run time by {@code PUT /v1/agent/token/<kind>} and, with
 * {@code acl.enable_token_persistence}, kept in {@code <data_dir>/acl-tokens.json} (mode 600),
 * which is read at start and wins over the config files, as Consul does. The older kind names
 * ({@code acl_token}, {@code acl_agent_token}, {@code acl_agent_master_token},
 * {@code agent_master}, {@code acl_replication_token}) are accepted. Tokens are never logged.
 */
public final class AgentTokens {
    private static final Logger LOG = LoggerFactory.getLogger(AgentTokens.class);
    static final String FILE = "acl-tokens.json";

    private final AtomicReference<AclSettings> settings;
    private final Path dataDir;

    public AgentTokens(AtomicReference<AclSettings> settings, Path dataDir) {
        this.settings = settings;
        this.dataDir = dataDir;
        load();
    }

    /** Consul's kind name for a path segment, or null when it is not one. */
    public static String kind(String segment) {
        return switch (segment) {
            case "default", "acl_token" -> "default";
            case "agent", "acl_agent_token" -> "agent";
            case "agent_recovery", "agent_master", "acl_agent_master_token" -> "agent_recovery";
            case "replication", "acl_replication_token" -> "replication";
            default -> null;
        };
    }

    /** Sets one token (an empty one clears it) and persists the set when persistence is on. */
    public synchronized void set(String kind, String token) {
        settings.set(settings.get().withToken(kind, token == null ? "" : token));
        if (settings.get().enableTokenPersistence() && dataDir != null) {
            save();
        }
        LOG.info("updated agent ACL token: {}", kind);
    }

    private Path file() {
        return dataDir.resolve(FILE);
    }

    private void save() {
        AclSettings s = settings.get();
        Map<String, String> m = new TreeMap<>();
        put(m, "agent", s.agentToken());
        put(m, "default", s.defaultToken());
        put(m, "agent_recovery", s.agentRecovery());
        put(m, "replication", s.replication());
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            Files.write(tmp, Json.write(m));
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's protection is all there is
            }
            Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot persist agent ACL tokens in {}: {}", dataDir, e.getMessage());
        }
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (!v.isEmpty()) {
            m.put(k, v);
        }
    }

    @SuppressWarnings("unchecked")
    private void load() {
        if (!settings.get().enableTokenPersistence() || dataDir == null || !Files.exists(file())) {
            return;
        }
        try {
            Map<String, String> m = Json.mapper().readValue(Files.readAllBytes(file()), Map.class);
            m.forEach((k, v) -> {
                String kind = kind(k);
                if (kind != null && v != null) {
                    settings.set(settings.get().withToken(kind, v));
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable {}: {}", file(), e.getClass().getSimpleName());
        }
    }
}
