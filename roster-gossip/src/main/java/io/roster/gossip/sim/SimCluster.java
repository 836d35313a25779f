package io.roster.gossip.sim;

import io.roster.gossip.Gossip;
import io.roster.gossip.GossipConfig;
import io.roster.gossip.Listener;
import io.roster.gossip.Member;
import io.roster.gossip.MemberState;
import io.roster.gossip.UserEvent;
import io.roster.gossip.time.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A pool of simulated members on one {@link SimNetwork}, with a recording listener per member: what
 * tests and {@link SimulationReport} drive. Member i is named {@code n%03d} at {@code n%03d:8301}; its
 * random seed derives from the cluster seed, so a run is a function of the seed.
 */
public final class SimCluster {
    public static final int PORT = 8301;

    private final SimScheduler scheduler = new SimScheduler();
    private final SimNetwork network;
    private final long seed;
    private final UnaryOperator<GossipConfig.Builder> tune;
    private final Map<String, Gossip> members = new LinkedHashMap<>();
    private final Map<String, Recorder> recorders = new HashMap<>();
    private final Set<String> stopped = new HashSet<>();

    /** {@code tune} adjusts each member's config, starting from {@link GossipConfig#lan(String)}. */
    public SimCluster(long seed, UnaryOperator<GossipConfig.Builder> tune) {
        this.seed = seed;
        this.tune = tune;
        this.network = new SimNetwork(scheduler, seed);
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    public SimNetwork network() {
        return network;
    }

    public static String nameOf(int i) {
        return String.format("n%03d", i);
    }

    /** Creates and starts a member; {@code extra} may adjust its config further (e.g. a key). */
    public Gossip add(String name, UnaryOperator<GossipConfig.Builder> extra) {
        GossipConfig.Builder b = GossipConfig.lan(name).toBuilder().randomSeed(seed * 7919 + name.hashCode());
        GossipConfig cfg = extra.apply(tune.apply(b)).build();
        Recorder rec = new Recorder(name);
        Gossip g = Gossip.create(cfg, network.transport(name, PORT), scheduler, rec);
        try {
            g.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        members.put(name, g);
        recorders.put(name, rec);
        return g;
    }

    public Gossip add(String name) {
        return add(name, b -> b);
    }

    /** Adds members n000..n(count-1) (from the current size on). */
    public List<Gossip> addMany(int count) {
        List<Gossip> out = new ArrayList<>();
        int start = members.size();
        for (int i = start; i < start + count; i++) {
            out.add(add(nameOf(i)));
        }
        return out;
    }

    public Gossip get(String name) {
        return members.get(name);
    }

    public List<Gossip> all() {
        return List.copyOf(members.values());
    }

    /** Members still running (not killed, not shut down after leaving). */
    public List<Gossip> running() {
        return members.values().stream().filter(g -> !stopped.contains(g.name())).toList();
    }

    public Recorder recorder(String name) {
        return recorders.get(name);
    }

    /**
     * Every member but the first joins through the first (or, for {@code spread}, through a random
     * earlier member, as a rolling deployment would), then the simulation runs until every join
     * completed (at most {@code max}). Returns how many joins failed.
     */
    public int joinAll(boolean spread, Duration max) {
        List<Gossip> list = running();
        List<CompletableFuture<Integer>> joins = new ArrayList<>();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 1; i < list.size(); i++) {
            Gossip via = spread ? list.get(r.nextInt(i)) : list.getFirst();
            joins.add(list.get(i).joinAsync(List.of(via.address())));
        }
        scheduler.runUntil(() -> joins.stream().allMatch(CompletableFuture::isDone), max, Duration.ofMillis(100));
        return (int) joins.stream().filter(f -> !f.isDone() || f.isCompletedExceptionally()).count();
    }

    /** Runs until every running member sees every running member alive and nobody else alive. */
    public boolean awaitConverged(Duration max) {
        return scheduler.runUntil(this::converged, max, Duration.ofMillis(500));
    }

    public boolean converged() {
        Set<String> live = new HashSet<>();
        for (Gossip g : running()) {
            live.add(g.name());
        }
        // Cheap lookups first: most checks fail here, long before the full comparison.
        for (Gossip g : running()) {
            for (String name : live) {
                if (g.member(name).map(m -> m.state() != MemberState.ALIVE).orElse(true)) {
                    return false;
                }
            }
        }
        for (Gossip g : running()) {
            int alive = 0;
            for (Member m : g.members()) {
                boolean isAlive = m.state() == MemberState.ALIVE;
                if (isAlive != live.contains(m.name())) {
                    return false;
                }
                if (isAlive) {
                    alive++;
                }
            }
            if (alive != live.size()) {
                return false;
            }
        }
        return true;
    }

    /** How many running members see {@code name} in {@code state}. */
    public int countSeeing(String name, MemberState state) {
        int c = 0;
        for (Gossip g : running()) {
            if (g.name().equals(name)) {
                continue;
            }
            if (g.member(name).map(m -> m.state() == state).orElse(false)) {
                c++;
            }
        }
        return c;
    }

    /** Crashes a member: its host goes down and its process stops, telling no one. */
    public void kill(String name) {
        Gossip g = members.get(name);
        network.setDown(g.address(), true);
        g.shutdown();
        stopped.add(name);
    }

    /** Marks a member as no longer running (after it left and shut down). */
    public void stopped(String name) {
        stopped.add(name);
    }

    public void runFor(Duration d) {
        scheduler.runFor(d);
    }

    public double nowSeconds() {
        return scheduler.nowMillis() / 1000.0;
    }

    /** Records what one member's listener heard, stamped with virtual time. */
    public final class Recorder implements Listener {
        private final String owner;
        private final Map<String, Long> failedAt = new HashMap<>();
        private final Map<String, Long> leftAt = new HashMap<>();
        private final List<String> failures = new ArrayList<>();
        private final List<UserEvent> events = new ArrayList<>();
        private int joins;
        private int updates;
        private int reaps;

        Recorder(String owner) {
            this.owner = owner;
        }

        public String owner() {
            return owner;
        }

        @Override
        public void onJoin(Member m) {
            joins++;
        }

        @Override
        public void onUpdate(Member m) {
            updates++;
        }

        @Override
        public void onFail(Member m) {
            failures.add(m.name());
            failedAt.putIfAbsent(m.name(), scheduler.nowMillis());
        }

        @Override
        public void onLeave(Member m) {
            leftAt.putIfAbsent(m.name(), scheduler.nowMillis());
        }

        @Override
        public void onReap(Member m) {
            reaps++;
        }

        @Override
        public void onUserEvent(UserEvent e) {
            events.add(e);
        }

        /** Virtual time at which this member first heard {@code name} failed, or null. */
        public Long failedAt(String name) {
            return failedAt.get(name);
        }

        public Long leftAt(String name) {
            return leftAt.get(name);
        }

        /** Every onFail, in order (a member may fail, rejoin and fail again). */
        public List<String> failures() {
            return failures;
        }

        public List<UserEvent> events() {
            return events;
        }

        public int joins() {
            return joins;
        }

        public int updates() {
            return updates;
        }

        public int reaps() {
            return reaps;
        }
    }
}
