package io.roster.agent.net;

import java.util.List;

/**
 * Where the agent listens and what it tells others, resolved once at start from the settings
 * (go-sockaddr templates evaluated, {@code 0.0.0.0} replaced by the detected private address),
 * as Consul's config builder does.
 *
 * @param given          the settings as written (for a reload, which resolves them again)
 * @param bindAddr       {@code bind_addr}: the one address cluster traffic binds to (server port, LAN gossip);
 *                       may be {@code 0.0.0.0}
 * @param advertiseAddr  {@code advertise_addr}: the address other agents reach this one at (never a wildcard);
 *                       when the bind address is a wildcard and none is set, {@code detector} finds it on first use
 * @param advertiseAddrWan {@code advertise_addr_wan}: the WAN address (default: {@link #advertiseAddr})
 * @param clientAddrs    {@code client_addr}: the addresses the client interfaces (HTTP, DNS) bind to
 * @param httpAddrs      {@code addresses.http} (default: the client addresses)
 * @param httpsAddrs     {@code addresses.https} (default: the client addresses)
 * @param dnsAddrs       {@code addresses.dns} (default: the client addresses)
 * @param detector       finds the advertise address for a wildcard bind (once; it throws
 *                       {@link IllegalArgumentException} when there is none or several)
 */
public record Network(Settings given, String bindAddr, String advertiseAddr, String advertiseAddrWan,
                      List<String> clientAddrs, List<String> httpAddrs, List<String> httpsAddrs, List<String> dnsAddrs,
                      java.util.function.Supplier<String> detector) {

    /**
     * The address settings as written: each may be an IP, a space-separated list (client and
     * {@code addresses.*}) or a go-sockaddr template; null when not set.
     */
    public record Settings(String bindAddr, String advertiseAddr, String advertiseAddrWan, String clientAddr,
                           String httpAddr, String httpsAddr, String dnsAddr) {
    }

    public Network {
        clientAddrs = List.copyOf(clientAddrs);
        httpAddrs = List.copyOf(httpAddrs);
        httpsAddrs = List.copyOf(httpsAddrs);
        dnsAddrs = List.copyOf(dnsAddrs);
    }

    /**
     * The advertise address: {@code advertise_addr}, else the bind address, else (bound to a
     * wildcard) the detected one.
     *
     * @throws IllegalArgumentException when detection finds no address or several
     */
    @Override
    public String advertiseAddr() {
        return advertiseAddr != null ? advertiseAddr : detector.get();
    }

    @Override
    public String advertiseAddrWan() {
        return advertiseAddrWan != null ? advertiseAddrWan : advertiseAddr();
    }

    // The detector is how the address is found, not what was configured: equality leaves it out.
    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && given.equals(n.given) && bindAddr.equals(n.bindAddr)
                && java.util.Objects.equals(advertiseAddr, n.advertiseAddr)
                && java.util.Objects.equals(advertiseAddrWan, n.advertiseAddrWan) && clientAddrs.equals(n.clientAddrs)
                && httpAddrs.equals(n.httpAddrs) && httpsAddrs.equals(n.httpsAddrs) && dnsAddrs.equals(n.dnsAddrs);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(given, bindAddr, advertiseAddr, advertiseAddrWan, clientAddrs, httpAddrs, httpsAddrs, dnsAddrs);
    }

    @Override
    public String toString() {
        return "Network[given=" + given + ", bindAddr=" + bindAddr + ", advertiseAddr="
                + (advertiseAddr != null ? advertiseAddr : "(detected at start)") + ", advertiseAddrWan=" + advertiseAddrWan
                + ", clientAddrs=" + clientAddrs + ", httpAddrs=" + httpAddrs + ", httpsAddrs=" + httpsAddrs
                + ", dnsAddrs=" + dnsAddrs + "]";
    }

    /** Whether {@code a} is a wildcard ({@code 0.0.0.0}, {@code ::}, {@code [::]}). */
    public static boolean isAny(String a) {
        return a != null && (a.equals("0.0.0.0") || a.equals("::") || a.equals("[::]") || a.equals("0:0:0:0:0:0:0:0"));
    }

    /** The address to give others for a listener bound to {@code listen}: the advertise address when it is a wildcard. */
    public String reachable(String listen) {
        return isAny(listen) ? advertiseAddr : listen;
    }
}
