package io.roster.agent.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Set;

/**
 * One address of one network interface, as go-sockaddr's {@code IfAddr}: the address with its
 * prefix length and the interface's name and flags.
 *
 * @param name       the interface name ({@code eth0})
 * @param address    the address
 * @param prefix     its network prefix length (24 for a /24)
 * @param flags      of the interface: {@code up}, {@code loopback}, {@code broadcast},
 *                   {@code multicast}, {@code point-to-point}
 * @param defaultRoute whether the interface holds the host's default route
 */
public record IfAddr(String name, InetAddress address, int prefix, Set<String> flags, boolean defaultRoute) {

    public boolean ipv4() {
        return address instanceof Inet4Address;
    }

    public boolean ipv6() {
        return address instanceof Inet6Address;
    }

    public boolean up() {
        return flags.contains("up");
    }

    /** The address as text, without an IPv6 zone ({@code fe80::1}, not {@code fe80::1%eth0}). */
    public String text() {
        return text(address);
    }

    static String text(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        return ipv6Text(b);
    }

    /** RFC 5952 text, as Go prints it: lower-case hex, the longest run (2+) of zero groups as "::". */
    static String ipv6Text(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** The network address (the address with its host bits cleared). */
    InetAddress network() {
        byte[] b = address.getAddress().clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
