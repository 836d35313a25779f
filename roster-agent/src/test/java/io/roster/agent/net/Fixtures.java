package io.roster.agent.net;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/** A made-up host: loopback, eth0 with a default route (10.1.2.3/24 and a global IPv6), eth1 (192.168.7.9/16), docker0 down. */
final class Fixtures {
    private Fixtures() {
    }

    static IfAddr addr(String name, String ip, int prefix, boolean defaultRoute, String... flags) {
        try {
            return new IfAddr(name, InetAddress.getByName(ip), prefix, Set.of(flags), defaultRoute);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final List<IfAddr> HOST = List.of(
            addr("lo", "127.0.0.1", 8, false, "up", "loopback"),
            addr("lo", "::1", 128, false, "up", "loopback"),
            addr("eth0", "10.1.2.3", 24, true, "up", "broadcast", "multicast"),
            addr("eth0", "2a00:1450::5", 64, true, "up", "broadcast", "multicast"),
            addr("eth0", "fe80::1", 64, true, "up", "broadcast", "multicast"),
            addr("eth1", "192.168.7.9", 16, false, "up", "broadcast", "multicast"),
            addr("eth2", "8.8.4.4", 24, false, "up", "broadcast"),
            addr("docker0", "172.17.0.1", 16, false, "broadcast"));

    static final List<IfAddr> LOOPBACK_ONLY = List.of(
            addr("lo", "127.0.0.1", 8, false, "up", "loopback"),
            addr("lo", "::1", 128, false, "up", "loopback"));
}
