package io.roster.agent.net;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Consul's address rules ({@code agent/config/builder.go}): {@code bind_addr} must give exactly
 * one IP; the advertise address is {@code advertise_addr}, else the bind address, and when that is
 * a wildcard, the host's only private IPv4 address (its only public IPv6 one for {@code ::}): none
 * or several is an error. The interfaces are only read when a template or a wildcard needs them.
 *
 * <p>Detection happens on the first {@link Network#advertiseAddr()} call, not when the
 * configuration is built: a configuration can be read and judged on any host, and the agent asks
 * for the address (and so fails with Consul's one line) when it starts.
 */
public final class Addresses {
    /** Consul's private IPv4 blocks for advertise detection (loopback included: a host with only {@code lo} up advertises it). */
    static final List<Cidr> PRIVATE_V4 = Cidr.all("10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
            "172.16.0.0/12", "192.168.0.0/16");

    private Addresses() {
    }

    /**
     * Resolves {@code s}.
     *
     * @param defaultBind the bind address when none is set ({@code 0.0.0.0}; {@code 127.0.0.1} in dev mode)
     * @throws IllegalArgumentException with a one-line reason naming the setting
     */
    public static Network resolve(Network.Settings s, String defaultBind, Supplier<List<IfAddr>> interfaces) {
        Supplier<List<IfAddr>> ifs = memo(interfaces);
        String bindRaw = s.bindAddr() == null || s.bindAddr().isBlank() ? defaultBind : s.bindAddr();
        List<String> binds = expand("bind_addr", bindRaw, ifs);
        if (binds.isEmpty()) {
            throw new IllegalArgumentException("bind_addr cannot be empty" + yielded(bindRaw));
        }
        if (binds.size() > 1) {
            throw new IllegalArgumentException("bind_addr cannot contain multiple addresses (" + String.join(" ", binds)
                    + "). Use 'addresses.{dns,http,https}' instead.");
        }
        String bind = binds.get(0);
        String advertise = first("advertise_addr", s.advertiseAddr(), ifs);
        if (Network.isAny(advertise)) {
            throw new IllegalArgumentException("Advertise address cannot be 0.0.0.0, :: or [::]");
        }
        String wan = first("advertise_addr_wan", s.advertiseAddrWan(), ifs);
        if (Network.isAny(wan)) {
            throw new IllegalArgumentException("Advertise WAN address cannot be 0.0.0.0, :: or [::]");
        }
        if (advertise == null && !Network.isAny(bind)) {
            advertise = bind;
        }
        String wildcard = bind;
        Supplier<String> detector = memoString(() -> detect(wildcard, ifs.get()));
        String clientRaw = s.clientAddr() == null ? "127.0.0.1" : s.clientAddr();
        List<String> client = list("client_addr", clientRaw, ifs);
        if (client.isEmpty()) {
            throw new IllegalArgumentException("client_addr gives no address" + yielded(clientRaw));
        }
        List<String> http = s.httpAddr() == null ? client : list("addresses.http", s.httpAddr(), ifs);
        List<String> https = s.httpsAddr() == null ? client : list("addresses.https", s.httpsAddr(), ifs);
        List<String> dns = s.dnsAddr() == null ? client : list("addresses.dns", s.dnsAddr(), ifs);
        requireSome("addresses.http", s.httpAddr(), http);
        requireSome("addresses.dns", s.dnsAddr(), dns);
        return new Network(s, bind, advertise, wan, client, http, https, dns, detector);
    }

    /**
     * The detected advertise address for a wildcard bind: the only private IPv4 address of the
     * interfaces that are up (loopback ones only when no other interface is up), or the only
     * public IPv6 address for {@code ::}.
     */
    static String detect(String bind, List<IfAddr> ifs) {
        boolean v6 = !bind.equals("0.0.0.0");
        List<String> found = new ArrayList<>();
        if (v6) {
            for (IfAddr a : ifs) {
                java.net.InetAddress x = a.address();
                byte[] b = x.getAddress();
                boolean uniqueLocal = b.length == 16 && (b[0] & 0xff) == 0xfc && b[1] == 0;
                if (a.ipv6() && !x.isLinkLocalAddress() && !x.isLoopbackAddress() && !uniqueLocal && !found.contains(a.text())) {
                    found.add(a.text());
                }
            }
        } else {
            List<IfAddr> up = ifs.stream().filter(IfAddr::up).filter(a -> !a.flags().contains("loopback")).toList();
            if (up.isEmpty()) {
                up = ifs.stream().filter(IfAddr::up).toList();
            }
            for (IfAddr a : up) {
                if (a.ipv4() && Cidr.any(PRIVATE_V4, a.address().getAddress()) && !found.contains(a.text())) {
                    found.add(a.text());
                }
            }
        }
        String type = v6 ? "public IPv6" : "private IPv4";
        if (found.isEmpty()) {
            throw new IllegalArgumentException("No " + type + " address found: set bind_addr (-bind) or advertise_addr (-advertise)");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("Multiple " + type + " addresses found (" + String.join(", ", found)
                    + "). Please configure one with 'bind' and/or 'advertise'.");
        }
        return found.get(0);
    }

    private static void requireSome(String key, String raw, List<String> values) {
        if (raw != null && values.isEmpty()) {
            throw new IllegalArgumentException(key + " gives no address" + yielded(raw));
        }
    }

    private static String yielded(String raw) {
        return SockaddrTemplate.isTemplate(raw) ? ": the template '" + raw + "' yields nothing" : "";
    }

    /** Consul's expandFirstIP: the first address of a setting, or null when not set. */
    private static String first(String key, String raw, Supplier<List<IfAddr>> ifs) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        List<String> l = expand(key, raw, ifs);
        if (l.isEmpty()) {
            throw new IllegalArgumentException(key + " gives no address" + yielded(raw));
        }
        return l.get(0);
    }

    private static List<String> list(String key, String raw, Supplier<List<IfAddr>> ifs) {
        return expand(key, raw, ifs);
    }

    /** Evaluates a template (when it is one), splits on spaces, and checks each part is an IP address. */
    static List<String> expand(String key, String raw, Supplier<List<IfAddr>> ifs) {
        String text = raw;
        if (SockaddrTemplate.isTemplate(raw)) {
            try {
                text = SockaddrTemplate.evaluate(raw, ifs.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
        List<String> out = new ArrayList<>();
        for (String part : text.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            if (Cidr.literal(part) == null) {
                throw new IllegalArgumentException(key + ": '" + part + "' is not an IP address"
                        + (SockaddrTemplate.isTemplate(raw) ? " (from the template '" + raw + "')" : ""));
            }
            byte[] bytes = Cidr.literal(part);
            String p = bytes.length == 16 ? IfAddr.ipv6Text(bytes) : part;
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static Supplier<String> memoString(Supplier<String> s) {
        return new Supplier<>() {
            private String v;

            @Override
            public synchronized String get() {
                if (v == null) {
                    v = s.get();
                }
                return v;
            }
        };
    }

    private static Supplier<List<IfAddr>> memo(Supplier<List<IfAddr>> s) {
        return new Supplier<>() {
            private List<IfAddr> v;

            @Override
            public synchronized List<IfAddr> get() {
                if (v == null) {
                    v = s.get();
                }
                return v;
            }
        };
    }
}
