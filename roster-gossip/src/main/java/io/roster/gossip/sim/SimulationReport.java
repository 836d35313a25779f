package io.roster.gossip.sim;

import io.roster.gossip.Gossip;
import io.roster.gossip.GossipStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints failure-detection figures from the simulated network (what {@code bench/run-gossip} runs):
 * for each cluster size, the time until a crashed member is first declared failed and until every
 * member knows, and the false "failed" declarations of healthy members with 10% packet loss and with
 * one slow member. Times are simulated seconds (LAN defaults); the wall time is only for interest.
 * Prints figures, asserts nothing.
 *
 * <pre>
 *   SimulationReport [--smoke] [--n 100,500] [--seed 42] [--minutes 5]
 * </pre>
 */
public final class SimulationReport {

    private SimulationReport() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>(List.of(100, 500));
        long seed = 42;
        double minutes = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> {
                    sizes = new ArrayList<>(List.of(50));
                    minutes = 1;
                }
                case "--n" -> {
                    sizes = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        sizes.add(Integer.parseInt(s.trim()));
                    }
                }
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: SimulationReport [--smoke] [--n 100,500] [--seed 42] [--minutes 5]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        Duration window = Duration.ofMillis((long) (minutes * 60_000));
        System.out.printf(Locale.ROOT, "gossip simulation: LAN defaults (probe 1 s / timeout 500 ms, suspicion mult 4, max mult 6,"
                + " gossip 200 ms x 3, retransmit mult 4), seed %d, packet delay 1-5 ms%n", seed);
        System.out.printf(Locale.ROOT, "lossy/slow windows: %.1f simulated minutes each; \"false failures\" = onFail calls"
                + " about a healthy member, summed over all members; \"suspicions\" likewise summed%n%n", minutes);
        for (int n : sizes) {
            report(n, seed, window);
        }
    }

    private static SimCluster converged(int n, long seed, StringBuilder notes) {
        return converged(n, seed, notes, b -> b);
    }

    private static SimCluster converged(int n, long seed, StringBuilder notes,
                                        java.util.function.UnaryOperator<io.roster.gossip.GossipConfig.Builder> tune) {
        SimCluster c = new SimCluster(seed, tune);
        c.addMany(n);
        double t0 = c.nowSeconds();
        int failedJoins = c.joinAll(true, Duration.ofSeconds(120));
        boolean ok = c.awaitConverged(Duration.ofSeconds(300));
        notes.append(String.format(Locale.ROOT, "converged=%s in %.1f s (failed joins %d)", ok, c.nowSeconds() - t0, failedJoins));
        return c;
    }

    private static void report(int n, long seed, Duration window) {
        long wall = System.nanoTime();
        System.out.printf(Locale.ROOT, "== N = %d members%n", n);

        // 1. Detection of a crashed member.
        StringBuilder notes = new StringBuilder();
        SimCluster c = converged(n, seed, notes);
        System.out.printf(Locale.ROOT, "  join: %s%n", notes);
        String victim = SimCluster.nameOf(n / 2);
        c.kill(victim);
        long killedAt = c.scheduler().nowMillis();
        c.scheduler().runUntil(() -> c.countSeeing(victim, io.roster.gossip.MemberState.FAILED) == n - 1,
                Duration.ofSeconds(300), Duration.ofMillis(100));
        long first = Long.MAX_VALUE;
        long last = 0;
        int knowing = 0;
        for (Gossip g : c.running()) {
            Long at = c.recorder(g.name()).failedAt(victim);
            if (at != null) {
                first = Math.min(first, at);
                last = Math.max(last, at);
                knowing++;
            }
        }
        System.out.printf(Locale.ROOT, "  crash of %s: first member declares it failed after %.1f s; all %d/%d know after %.1f s%n",
                victim, (first - killedAt) / 1000.0, knowing, n - 1, (last - killedAt) / 1000.0);
        System.out.printf(Locale.ROOT, "    false failures during detection: %d%n", falseFailures(c, List.of(victim)));

        // 2. 10% packet loss, everyone healthy.
        notes.setLength(0);
        SimCluster lossy = converged(n, seed + 1, notes);
        lossy.network().setDropProbability(0.10);
        long w = System.nanoTime();
        lossy.runFor(window);
        double lossyWall = (System.nanoTime() - w) / 1e9;
        System.out.printf(Locale.ROOT, "  10%% packet loss for %.0f s: false failures %d; probes %d, of which %d missed the direct ack"
                        + " and went indirect + TCP; suspicions %d, refutations %d (window: %.1f s of wall time)%n",
                window.toMillis() / 1000.0, falseFailures(lossy, List.of()), sum(lossy, GossipStats::probes),
                sum(lossy, GossipStats::tcpFallbackProbes), sum(lossy, GossipStats::suspicions),
                sum(lossy, GossipStats::refutations), lossyWall);

        // 2b. The same without the TCP fallback probe: only UDP paths, so Lifeguard's suspicion and
        // refutation have to carry it.
        notes.setLength(0);
        SimCluster udpOnly = converged(n, seed + 3, notes, b -> b.tcpFallbackProbe(false));
        udpOnly.network().setDropProbability(0.10);
        udpOnly.runFor(window);
        System.out.printf(Locale.ROOT, "  10%% packet loss, no TCP fallback, for %.0f s: false failures %d; suspicions %d,"
                        + " refutations %d%n", window.toMillis() / 1000.0, falseFailures(udpOnly, List.of()),
                sum(udpOnly, GossipStats::suspicions), sum(udpOnly, GossipStats::refutations));

        // 3. One slow member (Lifeguard's case): it handles everything 1-3 s late.
        notes.setLength(0);
        SimCluster slowC = converged(n, seed + 2, notes);
        String slow = SimCluster.nameOf(1);
        slowC.network().setSlow(slowC.get(slow).address(), 1_000, 3_000);
        slowC.runFor(window);
        int slowDeclared = 0;
        for (Gossip g : slowC.all()) {
            slowDeclared += (int) slowC.recorder(g.name()).failures().stream().filter(slow::equals).count();
        }
        GossipStats ss = slowC.get(slow).stats();
        System.out.printf(Locale.ROOT, "  one slow member (+1-3 s) for %.0f s: false failures of healthy members %d;"
                        + " the slow member itself declared failed %d times; its awareness %d/%d, its probes that failed %d%n",
                window.toMillis() / 1000.0, falseFailures(slowC, List.of(slow)), slowDeclared, ss.awareness(), 7,
                ss.probeFailures());
        System.out.printf(Locale.ROOT, "  (wall time %.1f s)%n%n", (System.nanoTime() - wall) / 1e9);
    }

    private static int falseFailures(SimCluster c, List<String> exclude) {
        int count = 0;
        for (Gossip g : c.all()) {
            for (String f : c.recorder(g.name()).failures()) {
                if (!exclude.contains(f)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static long sum(SimCluster c, java.util.function.ToLongFunction<GossipStats> f) {
        long s = 0;
        for (Gossip g : c.running()) {
            s += f.applyAsLong(g.stats());
        }
        return s;
    }
}
