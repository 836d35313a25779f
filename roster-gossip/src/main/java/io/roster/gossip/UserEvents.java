package io.roster.gossip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * User events (serf's model): a Lamport clock of its own, piggy-backed dissemination, recent events
 * carried in push-pull, and a recent-events buffer that makes delivery exactly-once per member.
 *
 * <p>Dedup is by (ltime, name, payload). The buffer keeps the last {@code eventBufferSize} Lamport
 * times; an event older than that window is refused outright, so one that fell out of the buffer can
 * never be delivered twice. A member that joins ignores events older than the cluster's event clock at
 * its join (as Consul does: no replay of history to a newcomer). Loop-owned.
 */
final class UserEvents {
    private record Seen(String name, byte[] payload, int hash) {
        boolean same(Msg.UserEventMsg e) {
            return name.equals(e.name()) && Arrays.equals(payload, e.payload());
        }
    }

    private final GossipCore core;
    private final int window;
    private final TreeMap<Long, List<Seen>> buffer = new TreeMap<>();
    private final TreeMap<Long, List<Msg.UserEventMsg>> recent = new TreeMap<>();
    private long clock;
    private long minTime;
    private boolean joined;

    UserEvents(GossipCore core) {
        this.core = core;
        this.window = core.cfg.eventBufferSize();
    }

    long clock() {
        return clock;
    }

    void witness(long t) {
        if (t > clock) {
            clock = t;
        }
    }

    /** First successful join: skip the history the cluster already had. */
    void joined(long remoteClock) {
        if (!joined) {
            joined = true;
            minTime = Math.max(minTime, remoteClock);
        }
        witness(remoteClock);
    }

    void fire(String name, byte[] payload, boolean coalesce) {
        core.requireActive();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("gossip: user event name must not be empty");
        }
        int size = name.getBytes(StandardCharsets.UTF_8).length + payload.length;
        if (size > core.cfg.userEventSizeLimit()) {
            throw new GossipException("gossip: user event exceeds the limit of " + core.cfg.userEventSizeLimit()
                    + " bytes (name + payload are " + size + " bytes)");
        }
        Msg.UserEventMsg e = new Msg.UserEventMsg(clock, name, payload.clone(), coalesce);
        clock++;
        core.stats.eventsFired++;
        joined = true;
        onEvent(e);
    }

    /** Handles an event from anywhere (local fire, gossip, push-pull); true if it was new. */
    boolean onEvent(Msg.UserEventMsg e) {
        // Lamport witness: our clock moves past any time we see.
        if (e.ltime() >= clock) {
            clock = e.ltime() + 1;
        }
        if (e.ltime() < minTime) {
            return false;
        }
        if (clock > window && e.ltime() < clock - window) {
            return false; // too old to dedup reliably: refuse rather than risk a double delivery
        }
        List<Seen> at = buffer.computeIfAbsent(e.ltime(), t -> new ArrayList<>(2));
        for (Seen s : at) {
            if (s.same(e)) {
                return false;
            }
        }
        at.add(new Seen(e.name(), e.payload(), Arrays.hashCode(e.payload())));
        recent.computeIfAbsent(e.ltime(), t -> new ArrayList<>(2)).add(e);
        long floor = clock - window;
        buffer.headMap(floor).clear();
        recent.headMap(floor).clear();
        core.queueBroadcast(null, e);
        core.stats.eventsDelivered++;
        core.listener.onUserEvent(new UserEvent(e.ltime(), e.name(), e.payload().clone(), e.coalesce()));
        return true;
    }

    /** The events still in the window, for push-pull (newest last). */
    List<Msg.UserEventMsg> recent() {
        List<Msg.UserEventMsg> out = new ArrayList<>();
        for (Map.Entry<Long, List<Msg.UserEventMsg>> en : recent.entrySet()) {
            out.addAll(en.getValue());
        }
        // Keep push-pull bounded: the newest events matter most to a lagging member.
        int max = 128;
        return out.size() > max ? List.copyOf(out.subList(out.size() - max, out.size())) : out;
    }
}
