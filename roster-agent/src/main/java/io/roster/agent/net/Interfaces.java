package io.roster.agent.net;

import java.io.IOException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The host's interface addresses, read from {@link NetworkInterface} (and, on Linux, the default route). */
public final class Interfaces {
    private Interfaces() {
    }

    /** Every address of every interface (up or down), in the order the system lists them. */
    public static List<IfAddr> system() {
        Set<String> defaults = defaultRouteInterfaces();
        List<IfAddr> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                Set<String> flags = new LinkedHashSet<>();
                if (ni.isUp()) {
                    flags.add("up");
                }
                if (ni.isLoopback()) {
                    flags.add("loopback");
                }
                if (ni.isPointToPoint()) {
                    flags.add("point-to-point");
                }
                if (ni.supportsMulticast()) {
                    flags.add("multicast");
                }
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getBroadcast() != null) {
                        flags.add("broadcast");
                    }
                }
                Set<String> frozen = Set.copyOf(flags);
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getAddress() == null) {
                        continue;
                    }
                    out.add(new IfAddr(ni.getName(), ia.getAddress(), ia.getNetworkPrefixLength(), frozen,
                            defaults.contains(ni.getName())));
                }
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException("cannot list the network interfaces: " + e.getMessage());
        }
        return out;
    }

    /** Names of the interfaces with a default route (Linux {@code /proc/net/route}; none elsewhere). */
    static Set<String> defaultRouteInterfaces() {
        Set<String> out = new LinkedHashSet<>();
        Path routes = Path.of("/proc/net/route");
        if (!Files.isReadable(routes)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(routes)) {
                String[] f = line.trim().split("\\s+");
                // Iface Destination Gateway Flags ... Mask: a default route has destination and mask 0.
                if (f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000")) {
                    out.add(f[0]);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
