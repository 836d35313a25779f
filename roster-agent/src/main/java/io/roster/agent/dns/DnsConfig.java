package io.roster.agent.dns;

import io.roster.api.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Consul's {@code dns_config} block, read from {@link io.roster.agent.AgentConfig#dnsConfig()} (snake_case
 * keys; durations as Go strings such as {@code "30s"}; counts as numbers). Unknown keys were already
 * rejected or warned about by the config loader; here every value is read leniently, with Consul's
 * defaults for what is missing.
 *
 * @param nodeTtl          {@code node_ttl}: TTL of node lookups (default 0)
 * @param serviceTtl       {@code service_ttl}: service name (lower case) to TTL; a key ending in
 *                         {@code *} is a prefix, and {@code *} alone is the default for every service;
 *                         services matching no key get {@code node_ttl}
 * @param onlyPassing      {@code only_passing}: leave out instances whose worst check is warning
 * @param aRecordLimit     {@code a_record_limit}: at most this many A/AAAA records per answer (0: no limit)
 * @param udpAnswerLimit   {@code udp_answer_limit}: at most this many answers in a UDP reply to a query
 *                         without EDNS (0: no limit besides the 512-byte size; Consul's default is 3)
 * @param enableTruncate   {@code enable_truncate}: set TC when {@code udp_answer_limit} cut the answer
 *                         (a reply cut to fit its size always has TC)
 * @param recursorTimeout  {@code recursor_timeout}: how long one upstream may take (default 2s)
 * @param recursorRandom   {@code recursor_strategy = "random"}: try upstreams in random order
 * @param nodeMetaTxt      {@code enable_additional_node_meta_txt}: node metadata TXT records in the
 *                         additional section of node and SRV answers (default true)
 * @param soa              {@code soa}: the timers of the SOA record
 */
public record DnsConfig(Duration nodeTtl, Map<String, Duration> serviceTtl, boolean onlyPassing, int aRecordLimit,
                        int udpAnswerLimit, boolean enableTruncate, Duration recursorTimeout, boolean recursorRandom,
                        boolean nodeMetaTxt, Soa soa) {

    /** SOA timers in seconds; {@code minTtl} is also the SOA record's own TTL (negative caching). */
    public record Soa(long refresh, long retry, long expire, long minTtl) {
        public static final Soa DEFAULT = new Soa(3600, 600, 86400, 0);
    }

    public static final DnsConfig DEFAULT = parse(Map.of());

    public DnsConfig {
        serviceTtl = Map.copyOf(serviceTtl);
    }

    /** Reads a raw {@code dns_config} map; throws {@link IllegalArgumentException} for values of the wrong kind. */
    public static DnsConfig parse(Map<String, Object> raw) {
        Map<String, Object> m = lowerKeys(raw);
        Map<String, Duration> ttls = new LinkedHashMap<>();
        if (m.get("service_ttl") instanceof Map<?, ?> st) {
            st.forEach((k, v) -> ttls.put(String.valueOf(k).toLowerCase(Locale.ROOT), duration("service_ttl." + k, v)));
        }
        Soa soa = Soa.DEFAULT;
        if (m.get("soa") instanceof Map<?, ?> s) {
            @SuppressWarnings("unchecked")
            Map<String, Object> sm = lowerKeys((Map<String, Object>) s);
            soa = new Soa(count(sm, "refresh", Soa.DEFAULT.refresh()), count(sm, "retry", Soa.DEFAULT.retry()),
                    count(sm, "expire", Soa.DEFAULT.expire()), count(sm, "min_ttl", Soa.DEFAULT.minTtl()));
        }
        Object strategy = m.get("recursor_strategy");
        return new DnsConfig(
                m.containsKey("node_ttl") ? duration("node_ttl", m.get("node_ttl")) : Duration.ZERO,
                ttls,
                bool(m, "only_passing", false),
                (int) count(m, "a_record_limit", 0),
                (int) count(m, "udp_answer_limit", 0),
                bool(m, "enable_truncate", false),
                m.containsKey("recursor_timeout") ? duration("recursor_timeout", m.get("recursor_timeout")) : Duration.ofSeconds(2),
                "random".equals(strategy),
                bool(m, "enable_additional_node_meta_txt", true),
                soa);
    }

    /** Node lookups' TTL in seconds. */
    public long nodeTtlSeconds() {
        return nodeTtl.toSeconds();
    }

    /**
     * The TTL of a service's records in seconds: its own {@code service_ttl} entry, else the longest
     * matching {@code prefix*} entry ({@code *} matches every name), else {@code node_ttl}, as Consul.
     */
    public long serviceTtlSeconds(String service) {
        if (serviceTtl.isEmpty()) {
            return nodeTtl.toSeconds();
        }
        String s = service.toLowerCase(Locale.ROOT);
        Duration exact = serviceTtl.get(s);
        if (exact != null) {
            return exact.toSeconds();
        }
        Duration best = null;
        int bestLength = -1;
        for (Map.Entry<String, Duration> e : serviceTtl.entrySet()) {
            String k = e.getKey();
            if (k.endsWith("*") && k.length() > bestLength && s.startsWith(k.substring(0, k.length() - 1))) {
                best = e.getValue();
                bestLength = k.length();
            }
        }
        return (best != null ? best : nodeTtl).toSeconds();
    }

    private static Map<String, Object> lowerKeys(Map<String, Object> raw) {
        Map<String, Object> m = new LinkedHashMap<>();
        raw.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
        return m;
    }

    private static Duration duration(String key, Object v) {
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Number n) {
            return Duration.ofSeconds(n.longValue()); // a bare number of seconds, as some files write them
        }
        if (v instanceof String s) {
            Duration d = Durations.parse(s.trim());
            if (d.isNegative()) {
                throw new IllegalArgumentException("dns_config." + key + " must not be negative");
            }
            return d;
        }
        throw new IllegalArgumentException("dns_config." + key + " must be a duration such as \"30s\"");
    }

    private static long count(Map<String, Object> m, String key, long dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        if (v instanceof Number num) {
            n = num.longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("dns_config." + key + " must be a number");
            }
        } else {
            throw new IllegalArgumentException("dns_config." + key + " must be a number");
        }
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dns_config." + key + " must be between 0 and " + Integer.MAX_VALUE);
        }
        return n;
    }

    private static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("dns_config." + key + " must be true or false");
    }

    /** The recursors as socket addresses ({@code host}, {@code host:port}, {@code [v6]:port}; port 53 by default). */
    static List<java.net.InetSocketAddress> recursorAddresses(List<String> recursors) {
        List<java.net.InetSocketAddress> out = new ArrayList<>();
        for (String r : recursors) {
            String s = r.trim();
            String host = s;
            int port = 53;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("invalid recursor '" + r + "'");
                }
                host = s.substring(1, close);
                if (s.length() > close + 1) {
                    if (s.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("invalid recursor '" + r + "'");
                    }
                    port = port(r, s.substring(close + 2));
                }
            } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                host = s.substring(0, s.indexOf(':'));
                port = port(r, s.substring(s.indexOf(':') + 1));
            }
            // Only IP literals: resolving a host name here would ask the very DNS this may be serving.
            if (!host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%a-zA-Z0-9]*")) {
                throw new IllegalArgumentException("invalid recursor '" + r + "': use an IP address");
            }
            java.net.InetSocketAddress a;
            try {
                a = new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("invalid recursor '" + r + "': use an IP address");
            }
            if (!out.contains(a)) {
                out.add(a); // Consul ignores duplicates
            }
        }
        return out;
    }

    private static int port(String r, String p) {
        try {
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid recursor '" + r + "': bad port");
        }
    }
}
