package io.roster.agent.checks;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A {@code host:port} address as Go's {@code net.SplitHostPort} reads it ({@code [::1]:53} for IPv6;
 * an empty host means localhost, as Consul documents for TCP checks).
 */
record HostPort(String host, int port) {

    /** @throws IllegalArgumentException with Go's wording, e.g. {@code address web: missing port in address} */
    static HostPort parse(String addr) {
        String host;
        String port;
        if (addr.startsWith("[")) {
            int end = addr.indexOf(']');
            if (end < 0) {
                throw bad(addr, "missing ']' in address");
            }
            if (end + 1 >= addr.length()) {
                throw bad(addr, "missing port in address");
            }
            if (addr.charAt(end + 1) != ':') {
                throw bad(addr, "missing port in address");
            }
            host = addr.substring(1, end);
            port = addr.substring(end + 2);
        } else {
            int colon = addr.lastIndexOf(':');
            if (colon < 0) {
                throw bad(addr, "missing port in address");
            }
            host = addr.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw bad(addr, "too many colons in address");
            }
            port = addr.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(addr, "unknown port");
        }
        if (p < 0 || p > 65535) {
            throw bad(addr, "invalid port");
        }
        return new HostPort(host.isEmpty() ? "localhost" : host, p);
    }

    private static IllegalArgumentException bad(String addr, String why) {
        return new IllegalArgumentException("address " + addr + ": " + why);
    }

    /** Go's {@code net.JoinHostPort} of a resolved address. */
    static String join(InetAddress a, int port) {
        String h = a.getHostAddress();
        if (a instanceof Inet6Address) {
            int pct = h.indexOf('%');
            return "[" + (pct < 0 ? h : h.substring(0, pct)) + "]:" + port;
        }
        return h + ":" + port;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
