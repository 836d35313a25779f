package io.roster.gossip.sim;

import io.roster.gossip.time.SimScheduler;
import io.roster.gossip.transport.Transport;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A simulated network on a {@link SimScheduler}: seeded, so a run is reproducible. Packets get a
 * uniform random delay and may be dropped (a default probability, or one per directed link); streams
 * (the TCP stand-in) are never dropped by loss, only by partitions and dead hosts, where they time
 * out. Members can be split into partitions, taken down, or made slow: a slow member gets every
 * inbound packet and stream reply late, as a CPU-starved process would handle them.
 *
 * <p>Addresses are opaque {@code name:port} strings; nothing here touches a real socket.
 */
public final class SimNetwork {
    private final SimScheduler scheduler;
    private final Random random;
    private final Map<String, SimTransport> endpoints = new HashMap<>();
    private final Map<String, Double> linkDrop = new HashMap<>();
    private final Map<String, Integer> partitionOf = new HashMap<>();
    private final Map<String, long[]> slow = new HashMap<>();
    private final Set<String> down = new HashSet<>();
    private double dropProbability;
    private long minDelay = 1;
    private long maxDelay = 5;
    private long packetsSent;
    private long packetsDropped;
    private long streams;

    public SimNetwork(SimScheduler scheduler, long seed) {
        this.scheduler = scheduler;
        this.random = new Random(seed);
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    /** A transport at {@code host:port}. */
    public Transport transport(String host, int port) {
        return new SimTransport(host, port);
    }

    public void setDropProbability(double p) {
        this.dropProbability = p;
    }

    public void setLinkDrop(String from, String to, double p) {
        linkDrop.put(from + ">" + to, p);
    }

    /** Packet delay, uniform in [min, max] milliseconds. */
    public void setDelay(long minMillis, long maxMillis) {
        this.minDelay = minMillis;
        this.maxDelay = Math.max(minMillis, maxMillis);
    }

    /** Splits the listed addresses into groups that cannot reach each other; others reach everyone. */
    @SafeVarargs
    public final void partition(Collection<String>... groups) {
        partitionOf.clear();
        for (int i = 0; i < groups.length; i++) {
            for (String a : groups[i]) {
                partitionOf.put(a, i);
            }
        }
    }

    public void heal() {
        partitionOf.clear();
    }

    /** Makes {@code address} handle everything it receives late by [min, max] extra milliseconds. */
    public void setSlow(String address, long minExtraMillis, long maxExtraMillis) {
        slow.put(address, new long[] {minExtraMillis, Math.max(minExtraMillis, maxExtraMillis)});
    }

    public void clearSlow(String address) {
        slow.remove(address);
    }

    /** A downed host neither sends nor receives (a crash, or a pulled cable). */
    public void setDown(String address, boolean isDown) {
        if (isDown) {
            down.add(address);
        } else {
            down.remove(address);
        }
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long packetsDropped() {
        return packetsDropped;
    }

    public long streams() {
        return streams;
    }

    private boolean reachable(String from, String to) {
        if (down.contains(from) || down.contains(to)) {
            return false;
        }
        Integer a = partitionOf.get(from);
        Integer b = partitionOf.get(to);
        return a == null || b == null || a.equals(b);
    }

    private long delay(String to) {
        long d = minDelay + (maxDelay > minDelay ? random.nextLong(maxDelay - minDelay + 1) : 0);
        long[] s = slow.get(to);
        if (s != null) {
            d += s[0] + (s[1] > s[0] ? random.nextLong(s[1] - s[0] + 1) : 0);
        }
        return d;
    }

    private void packet(String from, String to, byte[] data) {
        packetsSent++;
        double p = linkDrop.getOrDefault(from + ">" + to, dropProbability);
        if (!reachable(from, to) || (p > 0 && random.nextDouble() < p)) {
            packetsDropped++;
            return;
        }
        byte[] copy = data.clone();
        scheduler.schedule(delay(to), () -> {
            SimTransport dest = endpoints.get(to);
            if (dest != null && dest.handler != null && !down.contains(to)) {
                dest.handler.onPacket(from, copy);
            }
        });
    }

    private void exchange(String from, String to, byte[] request, long timeoutMillis, Transport.StreamCallback cb) {
        streams++;
        boolean[] done = {false};
        scheduler.schedule(timeoutMillis, () -> {
            if (!done[0]) {
                done[0] = true;
                cb.onError("i/o timeout after " + timeoutMillis + " ms");
            }
        });
        if (!reachable(from, to)) {
            return;
        }
        byte[] req = request.clone();
        scheduler.schedule(delay(to), () -> {
            SimTransport dest = endpoints.get(to);
            if (dest == null || dest.handler == null || down.contains(to)) {
                scheduler.schedule(delay(from), () -> {
                    if (!done[0]) {
                        done[0] = true;
                        cb.onError("connection refused");
                    }
                });
                return;
            }
            dest.handler.onStream(from, req, reply -> scheduler.schedule(delay(from), () -> {
                if (done[0] || !reachable(to, from)) {
                    return;
                }
                done[0] = true;
                if (reply == null) {
                    cb.onError("connection closed without a reply");
                } else {
                    cb.onReply(reply.clone());
                }
            }));
        });
    }

    private final class SimTransport implements Transport {
        private final String host;
        private final int port;
        private final String address;
        private Handler handler;
        private boolean closed;

        SimTransport(String host, int port) {
            this.host = host;
            this.port = port;
            this.address = host + ":" + port;
        }

        @Override
        public void start(Handler h) {
            if (endpoints.containsKey(address)) {
                throw new IllegalStateException("address in use: " + address);
            }
            handler = h;
            endpoints.put(address, this);
        }

        @Override
        public String host() {
            return host;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public void sendPacket(String to, byte[] packet) {
            if (!closed) {
                packet(address, to, packet);
            }
        }

        @Override
        public void exchange(String to, byte[] request, long timeoutMillis, StreamCallback callback) {
            if (closed) {
                callback.onError("transport closed");
                return;
            }
            SimNetwork.this.exchange(address, to, request, timeoutMillis, callback);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                endpoints.remove(address, this);
            }
        }
    }
}
