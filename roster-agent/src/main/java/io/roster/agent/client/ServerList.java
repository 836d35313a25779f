package io.roster.agent.client;

import io.roster.gossip.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The servers a client agent may talk to: alive gossip members of its datacenter with
 * {@code role=consul}, by their server RPC address: the member's gossip address (its bind or
 * advertise address) and its {@code port} tag (the server port, 8300 by default). A server's
 * {@code http} tag names its {@code client_addr}, meant for local callers, and is never used. The
 * order starts at a preferred server and rotates past one that failed, so a fleet spreads over the
 * servers and sticks to a working one.
 */
public final class ServerList {
    private final Supplier<List<Member>> members;
    private final String datacenter;
    private final AtomicInteger preferred = new AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16));

    public ServerList(Supplier<List<Member>> members, String datacenter) {
        this.members = members;
        this.datacenter = datacenter;
    }

    /** The alive servers' RPC addresses ({@code host:port}, IPv6 in brackets), preferred first; empty when none is known. */
    public List<String> servers() {
        List<String> all = new ArrayList<>();
        for (Member m : members.get()) {
            String port = m.tags().get("port");
            if (m.status() == 1 && "consul".equals(m.tags().get("role")) && port != null && isPort(port)
                    && datacenter.equals(m.tags().getOrDefault("dc", datacenter))) {
                String host = m.address().contains(":") && !m.address().startsWith("[") ? "[" + m.address() + "]" : m.address();
                all.add(host + ":" + port);
            }
        }
        all.sort(null);
        if (all.isEmpty()) {
            return all;
        }
        int start = Math.floorMod(preferred.get(), all.size());
        List<String> out = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            out.add(all.get((start + i) % all.size()));
        }
        return out;
    }

    private static boolean isPort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p > 0 && p < 65536;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A server failed to answer: prefer the next one from now on. */
    public void failed(String server) {
        List<String> s = servers();
        if (!s.isEmpty() && s.getFirst().equals(server)) {
            preferred.incrementAndGet();
        }
    }
}
