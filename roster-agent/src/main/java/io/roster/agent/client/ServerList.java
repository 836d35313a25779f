package io.roster.agent.client;

import io.roster.gossip.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The servers a client agent may talk to: alive gossip members of its datacenter with
 * {@code role=consul}, by their {@code http} tag ({@code host:port}). The order starts at a
 * preferred server and rotates past one that failed, so a fleet spreads over the servers and
 * sticks to a working one.
 */
public final class ServerList {
    private final Supplier<List<Member>> members;
    private final String datacenter;
    private final AtomicInteger preferred = new AtomicInteger(java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16));

    public ServerList(Supplier<List<Member>> members, String datacenter) {
        this.members = members;
        this.datacenter = datacenter;
    }

    /** The alive servers' HTTP addresses ({@code host:port}), preferred first; empty when none is known. */
    public List<String> servers() {
        List<String> all = new ArrayList<>();
        for (Member m : members.get()) {
            String http = m.tags().get("http");
            if (m.status() == 1 && "consul".equals(m.tags().get("role")) && http != null && !http.isEmpty()
                    && datacenter.equals(m.tags().getOrDefault("dc", datacenter))) {
                all.add(http);
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

    /** The alive servers' DNS addresses (their {@code http} host and {@code dns} tag), preferred first. */
    public List<java.net.InetSocketAddress> dnsServers() {
        List<java.net.InetSocketAddress> out = new ArrayList<>();
        for (Member m : members.get()) {
            String dns = m.tags().get("dns");
            String http = m.tags().get("http");
            if (m.status() != 1 || !"consul".equals(m.tags().get("role")) || dns == null || http == null
                    || !datacenter.equals(m.tags().getOrDefault("dc", datacenter))) {
                continue;
            }
            try {
                String host = http.substring(0, http.lastIndexOf(':'));
                out.add(new java.net.InetSocketAddress(host.replace("[", "").replace("]", ""), Integer.parseInt(dns)));
            } catch (RuntimeException malformed) {
                // a tag we cannot read: skip that server
            }
        }
        return out;
    }

    /** A server failed to answer: prefer the next one from now on. */
    public void failed(String server) {
        List<String> s = servers();
        if (!s.isEmpty() && s.getFirst().equals(server)) {
            preferred.incrementAndGet();
        }
    }
}
