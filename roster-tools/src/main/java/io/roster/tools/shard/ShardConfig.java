package io.roster.tools.shard;

import io.roster.api.Durations;
import io.roster.tools.ctmpl.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * dynamic-sharding's YAML configuration, with Roster's additions marked:
 * <pre>
 * consul_server:
 *   addr: localhost:8500
 *   token: ""                                  # Roster: ACL token
 *   register_service_name: pushgateway
 *   check_interval: 5s                         # Roster (dynamic-sharding: fixed 5s)
 *   check_timeout: 2s                          # Roster (fixed 2s)
 *   deregister_critical_service_after: 10m     # Roster (dynamic-sharding: 5s)
 * http_listen_addr: :9292
 * pushgateway:
 *   port: 9091
 *   servers: [1.1.1.1, 1.1.1.2:9092]           # host, or host:port (Roster)
 * </pre>
 */
public final class ShardConfig {
    private ShardConfig() {
    }

    /** Reads {@code file}; the exception's message names the file and the problem. */
    public static ShardProxy.Options read(Path file, Log log) throws IOException {
        Object raw;
        try {
            // SafeConstructor: plain maps, lists and scalars only, never arbitrary classes from the file.
            raw = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot parse YAML: " + firstLine(e.getMessage()));
        }
        try {
            return from(raw instanceof Map<?, ?> m ? m : Map.of(), log);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    static ShardProxy.Options from(Map<?, ?> raw, Log log) {
        Map<?, ?> consul = raw.get("consul_server") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> pgw = raw.get("pushgateway") instanceof Map<?, ?> m ? m : Map.of();
        int port = pgw.get("port") instanceof Number n ? n.intValue() : 9091;
        List<String> servers = new ArrayList<>();
        if (pgw.get("servers") instanceof List<?> l) {
            for (Object o : l) {
                String s = String.valueOf(o).strip();
                servers.add(s.contains(":") ? s : s + ":" + port);
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("pushgateway.servers: at least one server is required");
        }
        String addr = str(consul.get("addr"), "127.0.0.1:8500");
        return new ShardProxy.Options(addr, str(consul.get("token"), null), str(consul.get("register_service_name"), "pushgateway"),
                str(raw.get("http_listen_addr"), ":9292"), servers, dur(consul.get("check_interval"), "5s"),
                dur(consul.get("check_timeout"), "2s"), dur(consul.get("deregister_critical_service_after"), "10m"), log);
    }

    private static String str(Object o, String dflt) {
        return o == null || String.valueOf(o).isBlank() ? dflt : String.valueOf(o);
    }

    private static Duration dur(Object o, String dflt) {
        return Durations.parse(str(o, dflt));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid document";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
