package io.roster.agent.net;

import java.util.List;

/** An IP network ({@code 10.0.0.0/8}); {@link #contains} compares the leading prefix bits. */
record Cidr(byte[] network, int bits) {

    /** Parses {@code a.b.c.d/n} or an IPv6 {@code addr/n}; a bare address is a host route. */
    static Cidr parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        byte[] raw = literal(host);
        if (raw == null) {
            throw new IllegalArgumentException("invalid network '" + s + "': use an address/prefix such as 10.0.0.0/8");
        }
        int bits = raw.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > raw.length * 8) {
                throw new IllegalArgumentException("invalid network '" + s + "': bad prefix length");
            }
        }
        return new Cidr(raw, bits);
    }

    /** The bytes of an IP literal, or null when {@code s} is not one (never a DNS lookup). */
    static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            String[] p = s.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(p[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }
        String h = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (!h.contains(":") || !h.matches("[0-9A-Fa-f:.%a-zA-Z0-9_-]+")) {
            return null;
        }
        int pct = h.indexOf('%');
        if (pct >= 0) {
            h = h.substring(0, pct);
        }
        if (!h.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        return ipv6(h);
    }

    /** 16 bytes of an IPv6 literal (kept as IPv6 even when IPv4-mapped, unlike InetAddress), or null. */
    private static byte[] ipv6(String h) {
        String head = h;
        byte[] v4 = null;
        int lastColon = h.lastIndexOf(':');
        if (h.indexOf('.', lastColon) > 0) {
            v4 = literal(h.substring(lastColon + 1));
            if (v4 == null || v4.length != 4) {
                return null;
            }
            head = h.substring(0, lastColon + 1) + "0:0";
        }
        int dbl = head.indexOf("::");
        if (dbl >= 0 && head.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String[] left = dbl < 0 ? head.split(":", -1) : head.substring(0, dbl).isEmpty() ? new String[0] : head.substring(0, dbl).split(":", -1);
        String[] right = dbl < 0 ? new String[0] : head.substring(dbl + 2).isEmpty() ? new String[0] : head.substring(dbl + 2).split(":", -1);
        if ((dbl < 0 && left.length != 8) || left.length + right.length > (dbl < 0 ? 8 : 7)) {
            return null;
        }
        int[] groups = new int[8];
        try {
            for (int i = 0; i < left.length; i++) {
                groups[i] = group(left[i]);
            }
            for (int i = 0; i < right.length; i++) {
                groups[8 - right.length + i] = group(right[i]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (groups[i] >> 8);
            b[2 * i + 1] = (byte) groups[i];
        }
        if (v4 != null) {
            System.arraycopy(v4, 0, b, 12, 4);
        }
        return b;
    }

    private static int group(String g) {
        if (g.isEmpty() || g.length() > 4) {
            throw new NumberFormatException(g);
        }
        return Integer.parseInt(g, 16);
    }

    boolean contains(byte[] ip) {
        if (ip.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (ip[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (ip[full] & mask) == (network[full] & mask);
    }

    static boolean any(List<Cidr> blocks, byte[] ip) {
        for (Cidr c : blocks) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    static List<Cidr> all(String... cidrs) {
        return java.util.Arrays.stream(cidrs).map(Cidr::parse).toList();
    }
}
