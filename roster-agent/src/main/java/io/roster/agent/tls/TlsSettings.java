package io.roster.agent.tls;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's TLS settings after Consul 1.12+'s rules are applied: {@code tls.defaults} fills in
 * what {@code tls.https}, {@code tls.internal_rpc} and {@code tls.grpc} leave unset, and the older
 * top-level keys ({@code ca_file}, {@code cert_file}, {@code verify_incoming}, ...) stand in for
 * {@code tls.defaults} (or, for {@code verify_incoming_rpc}, {@code verify_incoming_https} and
 * {@code verify_server_hostname}, for their interface) when the stanza does not set the value.
 *
 * @param https       the HTTPS API ({@code ports.https})
 * @param internalRpc the server port: Raft between servers and the server RPC of client agents
 * @param grpc        Consul's gRPC port; kept for compatibility (Roster serves no xDS)
 */
public record TlsSettings(Side https, Side internalRpc, Side grpc) {

    /** No TLS anywhere: every file unset, every check off. */
    public static final TlsSettings NONE = new TlsSettings(Side.EMPTY, Side.EMPTY, Side.EMPTY);

    /**
     * One interface's settings.
     *
     * @param caFile               {@code ca_file}: PEM file of CA certificates, or null
     * @param caPath               {@code ca_path}: directory of PEM CA files, or null
     * @param certFile             {@code cert_file}: this agent's PEM certificate (chain), or null
     * @param keyFile              {@code key_file}: its PEM private key, or null
     * @param verifyIncoming       {@code verify_incoming}: callers must present a certificate signed by the CA
     * @param verifyOutgoing       {@code verify_outgoing}: connections this agent makes use TLS and check the peer
     * @param verifyServerHostname {@code verify_server_hostname}: a server's certificate must name
     *                             {@code server.<datacenter>.<domain>} (implies {@code verify_outgoing})
     * @param minVersion           {@code tls_min_version}, as the JDK names it ({@code TLSv1.2}, {@code TLSv1.3})
     * @param cipherSuites         {@code tls_cipher_suites} (IANA names, as Go and the JDK use); empty: the JDK's
     */
    public record Side(String caFile, String caPath, String certFile, String keyFile, boolean verifyIncoming,
                       boolean verifyOutgoing, boolean verifyServerHostname, String minVersion, List<String> cipherSuites) {
        static final Side EMPTY = new Side(null, null, null, null, false, false, false, "TLSv1.2", List.of());

        public Side {
            cipherSuites = List.copyOf(cipherSuites);
            verifyOutgoing = verifyOutgoing || verifyServerHostname;
        }

        /** Whether this interface has a certificate to serve. */
        public boolean hasCertificate() {
            return certFile != null;
        }

        /** Whether a CA is configured (to check peers against). */
        public boolean hasCa() {
            return caFile != null || caPath != null;
        }

        /** Whether anything asks for TLS on this interface. */
        public boolean enabled() {
            return hasCertificate() || verifyIncoming || verifyOutgoing;
        }
    }

    /**
     * Whether the server port (Raft and the server RPC) runs TLS: when {@code verify_incoming} or
     * {@code verify_outgoing} is set for {@code internal_rpc}. Consul upgrades a connection to TLS
     * per connection; gRPC cannot, so every agent of a cluster must agree (set both everywhere).
     */
    public boolean rpcTls() {
        return internalRpc.verifyIncoming() || internalRpc.verifyOutgoing();
    }

    /**
     * Reads every file the used interfaces name, as the agent will at start.
     *
     * @param httpsPort {@code ports.https} (-1: off)
     * @param server    whether this agent is a server (it must present a certificate on the server port)
     * @throws IllegalArgumentException one line naming the file or setting at fault
     */
    public void check(int httpsPort, boolean server) {
        if (httpsPort >= 0) {
            if (!https.hasCertificate()) {
                throw new IllegalArgumentException("ports.https is set but no cert_file and key_file are configured"
                        + " (tls.defaults or tls.https)");
            }
            TlsContext.check(https);
        }
        if (rpcTls()) {
            if (server && !internalRpc.hasCertificate()) {
                throw new IllegalArgumentException("tls.internal_rpc: a server needs cert_file and key_file when"
                        + " verify_incoming or verify_outgoing is set");
            }
            TlsContext.check(internalRpc);
        }
        // Files named but not used yet (a gRPC side, HTTPS without its port) must still be readable.
        for (Side s : List.of(https, internalRpc, grpc)) {
            if (s.hasCertificate() || s.keyFile() != null || s.hasCa()) {
                TlsContext.check(new Side(s.caFile(), s.caPath(), s.certFile(), s.keyFile(), false, false, false,
                        s.minVersion(), s.cipherSuites()));
            }
        }
    }

    /** Whether any interface uses TLS. */
    public boolean enabled() {
        return https.enabled() || internalRpc.enabled() || grpc.enabled();
    }

    /**
     * Resolves the settings from the decoded keys: {@code tls} (the stanza, snake_case keys) and the
     * top-level legacy keys in {@code top}. The stanza wins over a legacy key; an interface's own key
     * wins over {@code tls.defaults}.
     */
    public static TlsSettings resolve(Map<String, Object> tls, Map<String, Object> top) {
        Map<String, Object> legacyDefaults = new HashMap<>();
        for (String k : List.of("ca_file", "ca_path", "cert_file", "key_file", "verify_incoming", "verify_outgoing",
                "tls_min_version", "tls_cipher_suites")) {
            if (top.get(k) != null) {
                legacyDefaults.put(k, top.get(k));
            }
        }
        Side base = side(section(tls, "defaults"), legacyDefaults, Side.EMPTY);
        Map<String, Object> legacyHttps = new HashMap<>();
        if (top.get("verify_incoming_https") != null) {
            legacyHttps.put("verify_incoming", top.get("verify_incoming_https"));
        }
        Map<String, Object> legacyRpc = new HashMap<>();
        if (top.get("verify_incoming_rpc") != null) {
            legacyRpc.put("verify_incoming", top.get("verify_incoming_rpc"));
        }
        if (top.get("verify_server_hostname") != null) {
            legacyRpc.put("verify_server_hostname", top.get("verify_server_hostname"));
        }
        return new TlsSettings(side(section(tls, "https"), legacyHttps, base),
                side(section(tls, "internal_rpc"), legacyRpc, base),
                side(section(tls, "grpc"), Map.of(), base));
    }

    /** One side: its own keys, else the legacy keys, else {@code base}. */
    private static Side side(Map<String, Object> own, Map<String, Object> legacy, Side b) {
        return new Side(
                str(own, legacy, "ca_file", b.caFile()),
                str(own, legacy, "ca_path", b.caPath()),
                str(own, legacy, "cert_file", b.certFile()),
                str(own, legacy, "key_file", b.keyFile()),
                bool(own, legacy, "verify_incoming", b.verifyIncoming()),
                bool(own, legacy, "verify_outgoing", b.verifyOutgoing()),
                bool(own, legacy, "verify_server_hostname", b.verifyServerHostname()),
                version(first(own, legacy, "tls_min_version"), b.minVersion()),
                suites(first(own, legacy, "tls_cipher_suites"), b.cipherSuites()));
    }

    private static Object first(Map<String, Object> own, Map<String, Object> legacy, String key) {
        Object v = own.get(key);
        return v != null ? v : legacy.get(key);
    }

    private static String str(Map<String, Object> own, Map<String, Object> legacy, String key, String fallback) {
        Object v = first(own, legacy, key);
        return v instanceof String s && !s.isEmpty() ? s : fallback;
    }

    private static boolean bool(Map<String, Object> own, Map<String, Object> legacy, String key, boolean fallback) {
        Object v = first(own, legacy, key);
        return v instanceof Boolean b ? b : fallback;
    }

    /**
     * Consul's names for {@code tls_min_version} ({@code TLSv1_2}, and the older {@code tls12}) as
     * the JDK's protocol names.
     */
    public static String version(Object raw, String fallback) {
        if (raw == null) {
            return fallback;
        }
        String v = raw.toString();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "tlsv1_0", "tls10" -> {
                return "TLSv1";
            }
            case "tlsv1_1", "tls11" -> {
                return "TLSv1.1";
            }
            case "tlsv1_2", "tls12" -> {
                return "TLSv1.2";
            }
            case "tlsv1_3", "tls13" -> {
                return "TLSv1.3";
            }
            default -> throw new IllegalArgumentException("invalid tls_min_version '" + v
                    + "': use TLSv1_0, TLSv1_1, TLSv1_2 or TLSv1_3");
        }
    }

    /** The JDK protocol names from {@code min} up to TLS 1.3. */
    public static String[] protocolsFrom(String min) {
        List<String> all = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
        int i = all.indexOf(min);
        return all.subList(i < 0 ? 2 : i, all.size()).toArray(new String[0]);
    }

    /** {@code tls_cipher_suites}: Consul's comma-separated string, or a list. */
    @SuppressWarnings("unchecked")
    static List<String> suites(Object raw, List<String> fallback) {
        if (raw == null) {
            return fallback;
        }
        List<String> parts = raw instanceof List<?> l ? (List<String>) l : List.of(raw.toString().split(","));
        return parts.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> s, String key) {
        Object v = s == null ? null : s.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }
}
