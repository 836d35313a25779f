package io.roster.agent.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The keys a configuration file may hold, what each holds, and whether Roster uses it.
 *
 * <p>Consul rejects keys it does not know, so Roster does too: a typo must not pass silently.
 * Keys Consul has but Roster does not use yet are accepted and ignored, with a debug log, or a
 * warning where ignoring them leaves the agent less protected than the operator expects (ACLs,
 * gossip verification, which addresses listen). Key names match case-insensitively, as Consul's decoder does.
 * Services and checks are not here: {@link Definitions} reads them.
 */
final class Schema {
    private Schema() {
    }

    /** Whether Roster acts on a key. */
    enum Use { USED, IGNORED, IGNORED_WARN }

    /** Checks a raw value found at {@code path} and returns its normalised form. */
    @FunctionalInterface
    interface Type {
        Object decode(Decoder d, String path, Object raw);
    }

    record Field(String name, Type type, Use use) {
    }

    static final Type ANY = (d, p, v) -> v;
    static final Type STRING = (d, p, v) -> d.string(p, v);
    static final Type BOOL = (d, p, v) -> d.bool(p, v);
    static final Type STRINGS = (d, p, v) -> d.strings(p, v);
    static final Type STRING_MAP = (d, p, v) -> d.stringMap(p, v);
    static final Type DURATION = (d, p, v) -> d.duration(p, v, false);
    /** Ports: -1 turns a listener off, as in Consul; 0 picks a free port. */
    static final Type PORT = integer(-1, 65535);
    static final Type COUNT = integer(0, Integer.MAX_VALUE);
    static final Type NUMBER = (d, p, v) -> {
        if (v instanceof Number) {
            return v;
        }
        throw d.fail(p, "must be a number, not " + Decoder.describe(v));
    };
    /** A user map of durations ({@code dns_config.service_ttl}): keys as written. */
    static final Type DURATION_MAP = (d, p, v) -> {
        Map<String, Object> out = new LinkedHashMap<>();
        d.object(p, v).forEach((k, x) -> out.put(k, d.duration(p + "." + k, x, false)));
        return out;
    };

    static Type integer(int min, int max) {
        return (d, p, v) -> d.integer(p, v, min, max);
    }

    static Type whole(long min, long max) {
        return (d, p, v) -> d.whole(p, v, min, max);
    }

    /** An object with known keys; decodes to a map of the used keys' normalised values. */
    static final class Obj implements Type {
        private final Map<String, Field> fields = new LinkedHashMap<>();

        Obj used(String name, Type type) {
            fields.put(name.toLowerCase(Locale.ROOT), new Field(name, type, Use.USED));
            return this;
        }

        Obj ignored(String name, Type type) {
            fields.put(name.toLowerCase(Locale.ROOT), new Field(name, type, Use.IGNORED));
            return this;
        }

        Obj ignored(String... names) {
            for (String n : names) {
                ignored(n, ANY);
            }
            return this;
        }

        Obj warned(String... names) {
            for (String n : names) {
                fields.put(n.toLowerCase(Locale.ROOT), new Field(n, ANY, Use.IGNORED_WARN));
            }
            return this;
        }

        @Override
        public Map<String, Object> decode(Decoder d, String path, Object raw) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : d.object(path, raw).entrySet()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                Field f = fields.get(e.getKey().toLowerCase(Locale.ROOT));
                if (f == null) {
                    throw d.unknown(p);
                }
                if (e.getValue() == null) {
                    continue; // JSON null: not set
                }
                Object v = f.type().decode(d, p, e.getValue());
                switch (f.use()) {
                    case USED -> out.put(f.name(), v);
                    case IGNORED -> d.ignore(p, false);
                    case IGNORED_WARN -> d.ignore(p, true);
                }
            }
            return out;
        }
    }

    static final Obj UI_CONFIG = new Obj()
            .used("enabled", BOOL)
            .used("dir", STRING)
            .ignored("content_path", "metrics_provider", "metrics_provider_files", "metrics_provider_options_json",
                    "metrics_proxy", "dashboard_url_templates");

    static final Obj PORTS = new Obj()
            .used("http", PORT)
            .used("dns", PORT)
            .used("server", integer(1, 65535))
            .used("https", PORT).ignored("grpc", PORT).ignored("grpc_tls", PORT)
            .used("serf_lan", integer(0, 65535)).used("serf_wan", PORT)
            .ignored("proxy_min_port", PORT).ignored("proxy_max_port", PORT)
            .ignored("sidecar_min_port", PORT).ignored("sidecar_max_port", PORT)
            .ignored("expose_min_port", PORT).ignored("expose_max_port", PORT);

    /** {@code addresses}: per-listener overrides of {@code client_addr} (space-separated, templates allowed). */
    static final Obj ADDRESSES = new Obj()
            .used("http", STRING).used("https", STRING).used("dns", STRING)
            .ignored("grpc", STRING).ignored("grpc_tls", STRING);

    static final Obj LIMITS = new Obj()
            .used("kv_max_value_size", whole(1, Long.MAX_VALUE))
            .used("txn_max_req_len", integer(1, Integer.MAX_VALUE))
            .ignored("http_max_conns_per_client", COUNT).ignored("https_handshake_timeout", DURATION)
            .ignored("request_limits").ignored("rpc_client_timeout", DURATION).ignored("rpc_handshake_timeout", DURATION)
            .ignored("rpc_max_burst", COUNT).ignored("rpc_max_conns_per_client", COUNT).ignored("rpc_rate", NUMBER);

    static final Obj SOA = new Obj()
            .used("refresh", COUNT).used("retry", COUNT).used("expire", COUNT).used("min_ttl", COUNT);

    /** Kept whole (snake_case keys, durations as written) for the DNS server to read. */
    static final Obj DNS_CONFIG = new Obj()
            .used("allow_stale", BOOL)
            .used("a_record_limit", COUNT)
            .used("disable_compression", BOOL)
            .used("enable_truncate", BOOL)
            .used("max_stale", DURATION)
            .used("node_ttl", DURATION)
            .used("only_passing", BOOL)
            .used("recursor_strategy", (d, p, v) -> {
                String s = d.string(p, v);
                if (!s.equals("sequential") && !s.equals("random")) {
                    throw d.fail(p, "must be \"sequential\" or \"random\", not \"" + s + "\"");
                }
                return s;
            })
            .used("recursor_timeout", DURATION)
            .used("service_ttl", DURATION_MAP)
            .used("udp_answer_limit", COUNT)
            .used("enable_additional_node_meta_txt", BOOL)
            .used("soa", SOA)
            .used("use_cache", BOOL)
            .used("cache_max_age", DURATION)
            .used("prefer_namespace", BOOL);

    /** {@code tls_cipher_suites}: Consul's comma-separated string (a list is accepted too). */
    static final Type CIPHER_SUITES = (d, p, v) -> v instanceof java.util.List<?> ? d.strings(p, v) : d.string(p, v);
    /** {@code tls_min_version}: Consul's names, checked here so a typo names its file. */
    static final Type TLS_VERSION = (d, p, v) -> {
        String s = d.string(p, v);
        try {
            io.roster.agent.tls.TlsSettings.version(s, null);
        } catch (IllegalArgumentException e) {
            throw d.fail(p, e.getMessage());
        }
        return s;
    };

    /** One interface of the {@code tls} stanza (and {@code tls.defaults}). */
    private static Obj tlsSide() {
        return new Obj()
                .used("ca_file", STRING).used("ca_path", STRING).used("cert_file", STRING).used("key_file", STRING)
                .used("verify_incoming", BOOL).used("verify_outgoing", BOOL).used("verify_server_hostname", BOOL)
                .used("tls_min_version", TLS_VERSION).used("tls_cipher_suites", CIPHER_SUITES)
                .ignored("tls_prefer_server_cipher_suites", "use_auto_cert");
    }

    /** Consul 1.12+'s {@code tls} stanza. */
    static final Obj TLS = new Obj()
            .used("defaults", tlsSide()).used("https", tlsSide()).used("internal_rpc", tlsSide()).used("grpc", tlsSide());

    static final Type POLICY = (d, p, v) -> {
        String s = d.string(p, v);
        if (!s.equals("allow") && !s.equals("deny")) {
            throw d.fail(p, "must be allow or deny, not \"" + s + "\"");
        }
        return s;
    };
    static final Type DOWN_POLICY = (d, p, v) -> {
        String s = d.string(p, v);
        if (!java.util.Set.of("allow", "deny", "extend-cache", "async-cache").contains(s)) {
            throw d.fail(p, "must be allow, deny, extend-cache or async-cache, not \"" + s + "\"");
        }
        return s;
    };

    /** Consul's {@code acl} stanza (issue 18). */
    static final Obj ACL = new Obj()
            .used("enabled", BOOL).used("default_policy", POLICY).used("down_policy", DOWN_POLICY)
            .used("token_ttl", DURATION).used("policy_ttl", DURATION).used("enable_token_persistence", BOOL)
            .used("enable_key_list_policy", BOOL)
            .used("tokens", new Obj().used("initial_management", STRING).used("master", STRING).used("agent", STRING)
                    .used("default", STRING).used("agent_recovery", STRING).used("agent_master", STRING)
                    .used("replication", STRING).ignored("config_file_service_registration", "dns"))
            .ignored("role_ttl", DURATION).used("enable_token_replication", BOOL).ignored("msp_disable_bootstrap", BOOL);

    /** Top-level keys, except service(s)/check(s). */
    static final Obj TOP = new Obj()
            .used("node_name", STRING)
            .used("datacenter", STRING)
            .used("data_dir", STRING)
            .used("log_level", STRING)
            .used("client_addr", STRING)
            .used("bind_addr", STRING)
            .used("server", BOOL)
            .used("bootstrap_expect", COUNT)
            .used("retry_join", STRINGS)
            // membership: joining, bootstrapping, leaving
            .used("start_join", STRINGS)
            .used("start_join_wan", STRINGS).used("retry_join_wan", STRINGS).used("retry_interval_wan", DURATION)
            .used("translate_wan_addrs", BOOL).used("primary_datacenter", STRING)
            .used("retry_interval", DURATION)
            .used("retry_max", COUNT)
            .used("bootstrap", BOOL)
            .used("node_id", STRING)
            .used("leave_on_terminate", BOOL)
            .used("skip_leave_on_interrupt", BOOL)
            .used("ui", BOOL)
            .used("ui_config", UI_CONFIG)
            .used("ui_dir", STRING)
            .used("kv_history_versions", whole(0, 1_000_000))
            .used("enable_script_checks", BOOL)
            .used("enable_local_script_checks", BOOL)
            .used("node_meta", STRING_MAP)
            .used("session_ttl_min", DURATION)
            .used("check_update_interval", DURATION)
            .used("check_output_max_size", integer(1, Integer.MAX_VALUE))
            .used("limits", LIMITS)
            .used("kv_max_value_size", whole(1, Long.MAX_VALUE))
            .used("txn_max_req_len", integer(1, Integer.MAX_VALUE))
            .used("ports", PORTS)
            .used("raft_snapshot_threshold", whole(1, Long.MAX_VALUE))
            .used("dns_config", DNS_CONFIG)
            .used("domain", STRING)
            .used("alt_domain", STRING)
            .used("recursors", STRINGS)
            .used("encrypt", STRING)
            // Addresses and process settings (issue 14).
            .used("advertise_addr", STRING)
            .used("advertise_addr_wan", STRING)
            .used("addresses", ADDRESSES)
            .used("pid_file", STRING)
            .used("log_file", STRING)
            .used("log_rotate_bytes", whole(0, Long.MAX_VALUE))
            .used("log_rotate_duration", DURATION)
            .used("log_rotate_max_files", integer(-1, Integer.MAX_VALUE))
            // TLS (issue 19): the stanza and the older top-level names.
            .used("tls", TLS)
            .used("acl", ACL)
            .used("ca_file", STRING).used("ca_path", STRING).used("cert_file", STRING).used("key_file", STRING)
            .used("verify_incoming", BOOL).used("verify_incoming_rpc", BOOL).used("verify_incoming_https", BOOL)
            .used("verify_outgoing", BOOL).used("verify_server_hostname", BOOL)
            .used("tls_min_version", TLS_VERSION).used("tls_cipher_suites", CIPHER_SUITES)
            .ignored("tls_prefer_server_cipher_suites")
            // Consul keys Roster accepts and ignores for now.
            .ignored("advertise_addr_ipv4", "advertise_addr_ipv6",
                    "advertise_addr_wan_ipv4", "advertise_addr_wan_ipv6", "advertise_reconnect_timeout", "auto_config",
                    "auto_reload_config", "autopilot", "cache", "cloud", "config_entries", "connect",
                    "default_query_time", "disable_anonymous_signature", "disable_coordinates", "disable_host_node_id",
                    "disable_http_unprintable_char_filter", "disable_keyring_file", "disable_remote_exec",
                    "disable_update_check", "discard_check_output", "discovery_max_stale", "enable_agent_tls_for_checks",
                    "enable_central_service_config", "enable_debug", "enable_syslog", "experiments", "gossip_lan",
                    "gossip_wan", "license_path", "locality",
                    "log_json", "log_sublevels",
                    "max_query_time", "peering", "performance",
                    "primary_gateways", "primary_gateways_interval", "protocol", "raft_boltdb", "raft_logstore",
                    "raft_protocol", "raft_snapshot_interval", "raft_trailing_logs",
                    "read_replica", "non_voting_server", "reconnect_timeout", "reconnect_timeout_wan", "rejoin_after_leave",
                    "reporting", "retry_max_wan",
                    "rpc", "segment", "segments", "partition", "serf_lan", "serf_lan_allowed_cidrs", "serf_wan",
                    "serf_wan_allowed_cidrs", "server_name", "snapshot_agent", "syslog_facility", "tagged_addresses", "telemetry",
                    "ui_content_path", "unix_sockets", "use_streaming_backend", "watches", "xds")
            // Ignoring these leaves the agent less protected, or listening elsewhere, than the file asks: say so.
            .warned("acl_agent_master_token", "acl_agent_token", "acl_datacenter", "acl_default_policy",
                    "acl_down_policy", "acl_enable_key_list_policy", "acl_master_token", "acl_replication_token",
                    "acl_token", "acl_ttl", "enable_acl_replication", "audit", "auto_encrypt",
                    "encrypt_verify_incoming", "encrypt_verify_outgoing", "http_config");
}
