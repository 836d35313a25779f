package io.roster.agent.config;

import io.roster.agent.AgentConfig;
import io.roster.api.Durations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Agent settings decoded by {@link Schema}: how files merge, and how the result goes onto an
 * {@link AgentConfig.Builder}.
 */
final class Settings {
    private Settings() {
    }

    /** Merges {@code from} into {@code into}: maps key by key, lists appended, anything else replaced. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((k, v) -> {
            Object old = into.get(k);
            if (old instanceof Map<?, ?> a && v instanceof Map<?, ?> b) {
                Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) a);
                merge(m, (Map<String, Object>) b);
                into.put(k, m);
            } else if (old instanceof List<?> a && v instanceof List<?> b) {
                List<Object> l = new ArrayList<>(a);
                l.addAll(b);
                into.put(k, l);
            } else {
                into.put(k, v);
            }
        });
    }

    /**
     * Checks each setting of one file on its own, so that a bad value is reported with its file
     * and key. A builder with only that key set (and server mode, so that {@code bootstrap_expect}
     * is not judged without the {@code server} key of another file) runs the same checks as the
     * final {@code build()}: the rules live in one place.
     */
    static void check(Decoder d, Map<String, Object> settings) {
        settings.forEach((k, v) -> {
            AgentConfig.Builder probe = AgentConfig.builder().server(true);
            try {
                apply(Map.of(k, v), probe);
                probe.build();
            } catch (IllegalArgumentException e) {
                throw d.fail(k, e.getMessage());
            }
        });
    }

    /** Puts merged settings onto {@code b}, in a fixed order (so {@code ui_config.enabled} beats {@code ui}). */
    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> s, AgentConfig.Builder b) {
        with(s, "node_name", String.class, b::nodeName);
        with(s, "datacenter", String.class, b::datacenter);
        with(s, "data_dir", String.class, v -> b.dataDir(Path.of(v)));
        with(s, "log_level", String.class, b::logLevel);
        with(s, "client_addr", String.class, b::clientAddr);
        with(s, "bind_addr", String.class, b::bindAddr);
        with(s, "server", Boolean.class, b::server);
        with(s, "bootstrap_expect", Integer.class, b::bootstrapExpect);
        with(s, "retry_join", List.class, v -> b.retryJoin((List<String>) v));
        // membership: joining, bootstrapping, leaving
        with(s, "start_join", List.class, v -> b.startJoin((List<String>) v));
        with(s, "start_join_wan", List.class, v -> b.startJoinWan((List<String>) v));
        with(s, "retry_join_wan", List.class, v -> b.retryJoinWan((List<String>) v));
        with(s, "retry_interval_wan", String.class, v -> b.retryIntervalWan(Durations.parse(v)));
        with(s, "translate_wan_addrs", Boolean.class, b::translateWanAddrs);
        with(s, "primary_datacenter", String.class, b::primaryDatacenter);
        with(s, "retry_interval", String.class, v -> b.retryInterval(Durations.parse(v)));
        with(s, "retry_max", Integer.class, b::retryMax);
        with(s, "bootstrap", Boolean.class, b::bootstrap);
        with(s, "node_id", String.class, b::nodeId);
        with(s, "leave_on_terminate", Boolean.class, b::leaveOnTerminate);
        with(s, "skip_leave_on_interrupt", Boolean.class, b::skipLeaveOnInterrupt);
        with(s, "ui", Boolean.class, b::ui);
        with(section(s, "ui_config"), "enabled", Boolean.class, b::ui);
        with(s, "ui_dir", String.class, v -> b.uiDir(java.nio.file.Path.of(v)));
        with(section(s, "ui_config"), "dir", String.class, v -> b.uiDir(java.nio.file.Path.of(v)));
        with(s, "kv_history_versions", Long.class, v -> b.kvHistoryVersions(v.intValue()));
        with(s, "enable_script_checks", Boolean.class, b::enableScriptChecks);
        with(s, "enable_local_script_checks", Boolean.class, b::enableLocalScriptChecks);
        with(s, "node_meta", Map.class, v -> b.nodeMeta((Map<String, String>) v));
        with(s, "session_ttl_min", String.class, v -> b.sessionTtlMin(Durations.parse(v)));
        with(s, "check_update_interval", String.class, v -> b.checkUpdateInterval(Durations.parse(v)));
        with(s, "check_output_max_size", Integer.class, b::checkOutputMaxSize);
        with(s, "kv_max_value_size", Long.class, b::kvMaxValueSize);
        with(s, "txn_max_req_len", Integer.class, b::txnMaxOps);
        Map<String, Object> limits = section(s, "limits");
        with(limits, "kv_max_value_size", Long.class, b::kvMaxValueSize);
        with(limits, "txn_max_req_len", Integer.class, b::txnMaxOps);
        Map<String, Object> ports = section(s, "ports");
        with(ports, "http", Integer.class, b::httpPort);
        with(ports, "dns", Integer.class, b::dnsPort);
        with(ports, "server", Integer.class, b::serverPort);
        with(ports, "serf_lan", Integer.class, b::serfLanPort);
        with(s, "raft_snapshot_threshold", Long.class, b::raftSnapshotThreshold);
        with(s, "dns_config", Map.class, v -> b.dnsConfig((Map<String, Object>) v));
        with(s, "domain", String.class, b::domain);
        with(s, "alt_domain", String.class, b::altDomain);
        with(s, "recursors", List.class, v -> b.recursors((List<String>) v));
        with(s, "encrypt", String.class, b::encrypt);
        // Addresses and process settings (issue 14).
        with(s, "advertise_addr", String.class, b::advertiseAddr);
        with(s, "advertise_addr_wan", String.class, b::advertiseAddrWan);
        Map<String, Object> addresses = section(s, "addresses");
        with(addresses, "http", String.class, b::httpAddr);
        with(addresses, "https", String.class, b::httpsAddr);
        with(addresses, "dns", String.class, b::dnsAddr);
        with(ports, "serf_wan", Integer.class, b::serfWanPort);
        with(s, "pid_file", String.class, v -> b.pidFile(Path.of(v)));
        with(s, "log_file", String.class, b::logFile);
        with(s, "log_rotate_bytes", Long.class, b::logRotateBytes);
        with(s, "log_rotate_duration", String.class, v -> b.logRotateDuration(Durations.parse(v)));
        with(s, "log_rotate_max_files", Integer.class, b::logRotateMaxFiles);
        // ACLs (issue 18).
        if (s.containsKey("acl")) {
            b.acl(io.roster.agent.acl.AclSettings.fromMap(section(s, "acl")));
        }
        // TLS (issue 19): the stanza over the older top-level names.
        with(ports, "https", Integer.class, b::httpsPort);
        if (s.containsKey("tls") || TLS_LEGACY.stream().anyMatch(s::containsKey)) {
            b.tls(io.roster.agent.tls.TlsSettings.resolve(section(s, "tls"), s));
        }
    }

    private static final List<String> TLS_LEGACY = List.of("ca_file", "ca_path", "cert_file", "key_file", "verify_incoming",
            "verify_incoming_rpc", "verify_incoming_https", "verify_outgoing", "verify_server_hostname", "tls_min_version",
            "tls_cipher_suites");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> s, String key) {
        Object v = s.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    private static <T> void with(Map<String, Object> s, String key, Class<T> type, Consumer<T> set) {
        Object v = s.get(key);
        if (v != null) {
            set.accept(type.cast(v));
        }
    }
}
