package io.roster.agent.config;

import io.roster.agent.AgentConfig;
import io.roster.api.CheckDefinition;
import io.roster.api.Durations;
import io.roster.api.Json;
import io.roster.api.ServiceDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code service}/{@code services} and {@code check}/{@code checks} entries into
 * {@link ServiceDefinition} and {@link CheckDefinition}.
 *
 * <p>Field names may be written {@code enable_tag_override}, {@code EnableTagOverride} or
 * {@code enabletagoverride}: a name is matched with its underscores removed, ignoring case, as
 * Consul accepts both its file (snake_case) and its API (PascalCase) spellings. The keys of user
 * maps ({@code meta}, {@code tagged_addresses}, {@code header}) are never touched: {@code some_key}
 * stays {@code some_key}. Unknown fields are errors, as in Consul; a few Consul fields Roster does
 * not use are ignored, and check kinds Roster cannot run are errors rather than checks that never run.
 */
final class Definitions {
    private Definitions() {
    }

    /** A definition with where it was written, for messages that come after the file is read. */
    record Sourced<T>(Path file, String path, T value) {
    }

    private enum Use { USED, IGNORED, UNSUPPORTED }

    /** One field: its snake_case name (used in messages), its JSON name on the record, and its type. */
    private record Spec(String name, String json, Schema.Type type, Use use) {
    }

    private static final Map<String, Spec> SERVICE = new LinkedHashMap<>();
    private static final Map<String, Spec> CHECK = new LinkedHashMap<>();

    private static void add(Map<String, Spec> table, String name, String json, Schema.Type type, String... aliases) {
        Spec s = new Spec(name, json, type, Use.USED);
        table.put(normalize(name), s);
        for (String a : aliases) {
            table.put(normalize(a), s);
        }
    }

    private static void skip(Map<String, Spec> table, Use use, String... names) {
        for (String n : names) {
            table.put(normalize(n), new Spec(n, null, Schema.ANY, use));
        }
    }

    static {
        add(SERVICE, "kind", "Kind", Schema.STRING);
        add(SERVICE, "id", "ID", Schema.STRING);
        add(SERVICE, "name", "Name", Schema.STRING);
        add(SERVICE, "tags", "Tags", Schema.STRINGS);
        add(SERVICE, "address", "Address", Schema.STRING);
        add(SERVICE, "tagged_addresses", "TaggedAddresses", Definitions::taggedAddresses);
        add(SERVICE, "meta", "Meta", Definitions::meta);
        add(SERVICE, "port", "Port", Schema.integer(0, 65535));
        add(SERVICE, "weights", "Weights", Definitions::weights);
        add(SERVICE, "enable_tag_override", "EnableTagOverride", Schema.BOOL);
        add(SERVICE, "check", "Check", (d, p, v) -> {
            // HCL makes repeated `check { }` blocks a list; a service has one `check`, or a `checks` list.
            if (v instanceof List<?> l && l.size() == 1) {
                return check(d, p, l.get(0), false);
            }
            if (v instanceof List<?>) {
                throw d.fail(p, "a service has one 'check'; list several in 'checks'");
            }
            return check(d, p, v, false);
        });
        add(SERVICE, "checks", "Checks", (d, p, v) -> {
            List<?> l = d.list(p, v);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(check(d, p + "[" + i + "]", l.get(i), false));
            }
            return out;
        });
        skip(SERVICE, Use.IGNORED, "socket_path", "token", "proxy", "connect", "namespace", "partition", "locality");

        add(CHECK, "id", "ID", Schema.STRING, "check_id");
        add(CHECK, "name", "Name", Schema.STRING);
        add(CHECK, "notes", "Notes", Schema.STRING);
        add(CHECK, "service_id", "ServiceID", Schema.STRING);
        add(CHECK, "status", "Status", (d, p, v) -> {
            String s = d.string(p, v);
            if (!s.equals("passing") && !s.equals("warning") && !s.equals("critical")) {
                throw d.fail(p, "must be passing, warning or critical, not \"" + s + "\"");
            }
            return s;
        });
        add(CHECK, "http", "HTTP", Schema.STRING);
        add(CHECK, "method", "Method", Schema.STRING);
        add(CHECK, "header", "Header", Definitions::header);
        add(CHECK, "body", "Body", Schema.STRING);
        add(CHECK, "tls_skip_verify", "TLSSkipVerify", Schema.BOOL);
        add(CHECK, "tls_server_name", "TLSServerName", Schema.STRING);
        add(CHECK, "tcp", "TCP", Schema.STRING);
        add(CHECK, "udp", "UDP", Schema.STRING);
        add(CHECK, "ttl", "TTL", Schema.DURATION);
        add(CHECK, "args", "Args", Schema.STRINGS, "script_args");
        add(CHECK, "grpc", "GRPC", Schema.STRING);
        add(CHECK, "grpc_use_tls", "GRPCUseTLS", Schema.BOOL);
        add(CHECK, "alias_node", "AliasNode", Schema.STRING);
        add(CHECK, "alias_service", "AliasService", Schema.STRING);
        add(CHECK, "interval", "Interval", Schema.DURATION);
        add(CHECK, "timeout", "Timeout", Schema.DURATION);
        add(CHECK, "deregister_critical_service_after", "DeregisterCriticalServiceAfter", Schema.DURATION);
        add(CHECK, "success_before_passing", "SuccessBeforePassing", Schema.COUNT);
        add(CHECK, "failures_before_warning", "FailuresBeforeWarning", Schema.COUNT);
        add(CHECK, "failures_before_critical", "FailuresBeforeCritical", Schema.COUNT);
        skip(CHECK, Use.IGNORED, "token", "output_max_size", "disable_redirects", "namespace", "partition");
        skip(CHECK, Use.UNSUPPORTED, "h2ping", "h2ping_use_tls", "docker_container_id", "shell", "os_service");
    }

    static String normalize(String key) {
        return key.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** {@code service} or {@code services}: one object or a list of them. */
    static void services(Decoder d, String key, Object raw, List<Sourced<ServiceDefinition>> out) {
        forEach(d, key, raw, (path, v) -> out.add(new Sourced<>(d.file(), path, service(d, path, v))));
    }

    /** {@code check} or {@code checks} at the top level: node checks, or checks naming a {@code service_id}. */
    static void checks(Decoder d, String key, Object raw, List<Sourced<CheckDefinition>> out) {
        forEach(d, key, raw, (path, v) -> {
            Map<String, Object> json = check(d, path, v, true);
            out.add(new Sourced<>(d.file(), path, convert(d, path, json, CheckDefinition.class)));
        });
    }

    private static void forEach(Decoder d, String key, Object raw, java.util.function.BiConsumer<String, Object> each) {
        if (raw instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                each.accept(key + "[" + i + "]", l.get(i));
            }
        } else if (raw instanceof Map) {
            each.accept(key, raw);
        } else if (raw != null) {
            throw d.fail(key, "must be an object or a list of objects, not " + Decoder.describe(raw));
        }
    }

    static ServiceDefinition service(Decoder d, String path, Object raw) {
        Map<String, Object> json = fields(d, path, raw, SERVICE);
        Object name = json.get("Name");
        if (name == null || ((String) name).isBlank()) {
            throw d.fail(path + ".name", "missing service name");
        }
        return convert(d, path, json, ServiceDefinition.class);
    }

    private static Map<String, Object> check(Decoder d, String path, Object raw, boolean standalone) {
        Map<String, Object> json = fields(d, path, raw, CHECK);
        boolean interval = json.containsKey("Interval") && positive(json.get("Interval"));
        boolean ttl = json.containsKey("TTL");
        boolean script = json.get("Args") instanceof List<?> a && !a.isEmpty();
        boolean needsInterval = json.containsKey("HTTP") || json.containsKey("TCP") || json.containsKey("UDP")
                || json.containsKey("GRPC") || script;
        boolean alias = json.containsKey("AliasService") || json.containsKey("AliasNode");
        if (!needsInterval && !ttl && !alias) {
            throw d.fail(path, "no check type: set one of http, tcp, udp, grpc, args, ttl, alias_service or alias_node");
        }
        if (interval && ttl) {
            throw d.fail(path, "interval and ttl cannot both be set");
        }
        if (needsInterval && !interval) {
            throw d.fail(path + ".interval", "must be set (greater than 0) for http, tcp, udp, grpc and script checks");
        }
        if (ttl && !positive(json.get("TTL"))) {
            throw d.fail(path + ".ttl", "must be greater than 0");
        }
        if (alias && !needsInterval && !ttl && json.containsKey("Interval")) {
            throw d.fail(path + ".interval", "alias checks take no interval");
        }
        if (standalone && (json.get("Name") == null || ((String) json.get("Name")).isBlank())) {
            throw d.fail(path + ".name", "missing check name");
        }
        return json;
    }

    private static boolean positive(Object duration) {
        return Durations.parse((String) duration).compareTo(java.time.Duration.ZERO) > 0;
    }

    /** Normalises one object's field names to the record's JSON names and checks each value. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(Decoder d, String path, Object raw, Map<String, Spec> table) {
        if (!(raw instanceof Map<?, ?> in)) {
            throw d.fail(path, "must be an object, not " + Decoder.describe(raw));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) in).entrySet()) {
            Spec spec = table.get(normalize(e.getKey()));
            if (spec == null) {
                throw d.unknown(path + "." + e.getKey());
            }
            String p = path + "." + spec.name();
            if (e.getValue() == null) {
                continue;
            }
            switch (spec.use()) {
                case USED -> json.put(spec.json(), spec.type().decode(d, p, e.getValue()));
                case IGNORED -> d.ignore(p, false);
                case UNSUPPORTED -> throw d.fail(p, "'" + spec.name() + "' checks are not supported by Roster yet");
            }
        }
        return json;
    }

    private static Object meta(Decoder d, String path, Object raw) {
        Map<String, String> meta = d.stringMap(path, raw);
        String problem = AgentConfig.metaProblem(meta);
        if (problem != null) {
            throw d.fail(path, problem);
        }
        return meta;
    }

    private static Object taggedAddresses(Decoder d, String path, Object raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        d.object(path, raw).forEach((tag, v) -> {
            String p = path + "." + tag;
            Map<String, Object> addr = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : d.object(p, v).entrySet()) {
                switch (normalize(e.getKey())) {
                    case "address" -> addr.put("Address", d.string(p + ".address", e.getValue()));
                    case "port" -> addr.put("Port", d.integer(p + ".port", e.getValue(), 0, 65535));
                    default -> throw d.unknown(p + "." + e.getKey());
                }
            }
            out.put(tag, addr);
        });
        return out;
    }

    private static Object weights(Decoder d, String path, Object raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Passing", 1);
        out.put("Warning", 1);
        for (Map.Entry<String, Object> e : d.object(path, raw).entrySet()) {
            switch (normalize(e.getKey())) {
                case "passing" -> out.put("Passing", d.integer(path + ".passing", e.getValue(), 1, Integer.MAX_VALUE));
                case "warning" -> out.put("Warning", d.integer(path + ".warning", e.getValue(), 0, Integer.MAX_VALUE));
                default -> throw d.unknown(path + "." + e.getKey());
            }
        }
        return out;
    }

    /** HTTP headers: names as written; each value a list of strings (a single string is a list of one). */
    private static Object header(Decoder d, String path, Object raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        d.object(path, raw).forEach((name, v) -> out.put(name, d.strings(path + "." + name, v)));
        return out;
    }

    private static <T> T convert(Decoder d, String path, Map<String, Object> json, Class<T> type) {
        try {
            return Json.mapper().convertValue(json, type);
        } catch (IllegalArgumentException e) {
            throw d.fail(path, "cannot be read: " + e.getMessage());
        }
    }
}
