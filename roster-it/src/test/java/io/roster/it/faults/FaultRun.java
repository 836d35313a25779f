package io.roster.it.faults;

import io.roster.it.lin.BankModel;
import io.roster.it.lin.Checker;
import io.roster.it.lin.History;
import io.roster.it.lin.KvModel;
import io.roster.it.lin.LockModel;
import io.roster.it.lin.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One randomized fault run: 3 (or 5) servers on namespace hosts, the {@link Workload} for
 * {@code seconds}, faults drawn from {@code seed} (printed first, so a run can be replayed: the same
 * seed gives the same faults, targets, holds and client choices; thread timing differs), then
 * every fault healed, a consistent final read of every key, and the histories checked.
 *
 * <p>Faults ({@link Kind}): kill -9 of a random server, of the leader, of all three (acknowledged
 * writes must survive); a graceful restart; SIGSTOP of the leader past its lease; one or two
 * servers' links down; a bridge partition (A sees B and C, B and C do not see each other: iptables
 * DROP); the data directory's tmpfs full on one server. Targets named "leader" are resolved when
 * the fault starts (the leader is whoever answers then).
 */
final class FaultRun {
    /**
     * The faults, in the order seeds draw them (append only: a seed names a schedule).
     * {@link #DISK_FULL_RESTART} and the kinds after it are drawn only with
     * {@code -Dfaults.diskFullRestart=true} (bench/run-faults sets it), so that the seeds CI replays keep
     * their schedules. {@link #LOSSY}: 30 % of a server's packets dropped both ways (iptables
     * {@code statistic}); {@link #SLOW}: a server's link at 512 kbit/s both ways with tbf (queued packets
     * wait up to 500 ms, overflow is dropped): this kernel has no {@code sch_netem} for a plain delay.
     */
    enum Kind { KILL_ANY, KILL_LEADER, KILL_ALL, RESTART_ANY, PAUSE_LEADER, ISOLATE_ONE, ISOLATE_LEADER, ISOLATE_TWO, BRIDGE, DISK_FULL,
        DISK_FULL_RESTART, LOSSY, SLOW }

    /** What a run found, one row of the table. */
    record Result(long seed, int seconds, List<String> faults, int ops, int unknown, int failed,
                  Checker.Result kv, Checker.Result kvWithDefault, Checker.Result locks, Checker.Result bank,
                  long watchAnswers, List<String> watchViolations, List<String> watchDefaultViolations, List<String> unread,
                  String error, long checkMillis) {
        /** True when everything that must hold held (default reads are reported apart, see docs/reliability.md). */
        boolean ok() {
            return error == null && kv.ok() && locks.ok() && bank.ok() && watchViolations.isEmpty() && unread.isEmpty();
        }

        String verdict() {
            if (error != null) {
                return "ERROR";
            }
            return ok() ? "ok" : (kv.verdict() == Checker.Verdict.UNKNOWN || locks.verdict() == Checker.Verdict.UNKNOWN
                    || bank.verdict() == Checker.Verdict.UNKNOWN) && watchViolations.isEmpty() && unread.isEmpty() ? "unknown" : "ANOMALY";
        }

        static String header() {
            return "| seed | s | faults | ops (info/fail) | kv | kv+default reads | locks | bank | blocking (answers, lower index consistent/default) | check ms | result |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|";
        }

        String row() {
            return "| " + seed + " | " + seconds + " | " + String.join(" ", faults) + " | " + ops + " (" + unknown + "/" + failed + ") | "
                    + v(kv) + " | " + v(kvWithDefault) + " | " + v(locks) + " | " + v(bank) + " | " + watchAnswers + ", " + watchViolations.size() + "/" + watchDefaultViolations.size()
                    + " | " + checkMillis + " | " + verdict() + (error == null ? "" : ": " + oneLine(error))
                    + (unread.isEmpty() ? "" : " unread " + unread) + " |";
        }

        private static String oneLine(String s) {
            String line = s.lines().findFirst().orElse("").replace('|', '/');
            return line.length() <= 160 ? line : line.substring(0, 160) + "...";
        }

        private static String v(Checker.Result r) {
            return r == null ? "-" : r.verdict() == Checker.Verdict.OK ? "ok" : r.verdict() + (r.badPartition() == null ? "" : " " + r.badPartition());
        }
    }

    private final long seed;
    private final int seconds;
    private final int servers;
    private final Random rnd;
    private final List<String> applied = new ArrayList<>();
    private java.nio.file.Path logDir;

    FaultRun(long seed, int seconds) {
        this(seed, seconds, 3);
    }

    /** A run on {@code servers} servers (3 or 5); with 3 a seed replays the runs of the tables in docs/reliability.md. */
    FaultRun(long seed, int seconds, int servers) {
        this.seed = seed;
        this.seconds = seconds;
        this.servers = servers;
        this.rnd = new Random(seed);
    }

    Result run() {
        System.out.printf("FaultRun: seed %d, %d s (replay: -Dfaults.seed=%d -Dfaults.runs=1 -Dfaults.seconds=%d)%n", seed, seconds, seed, seconds);
        int tmpfsServer = rnd.nextInt(servers);
        if (servers != 3) {
            applied.add(servers + "-servers:");
        }
        Workload w = null;
        String error = null;
        List<String> unread = List.of();
        try (Cluster cluster = new Cluster(servers, tmpfsServer)) {
            logDir = cluster.logDir();
            try {
                long t0 = System.nanoTime();
                cluster.startAll();
                w = new Workload(cluster.bridge(), seed, servers);
                boolean up = waitForLeader(cluster, Duration.ofSeconds(120));
                System.out.printf("FaultRun: " + servers + " servers %s in %d ms (JVM starts included)%n", up ? "agree on a leader" : "have no leader",
                        (System.nanoTime() - t0) / 1_000_000);
                if (!up) {
                    error = "no leader within 120 s of the start";
                } else if (!w.setup(Duration.ofSeconds(60))) {
                    error = "sessions and bank not created within 60 s";
                } else {
                    Workload work = w;
                    Thread nemesis = Thread.ofPlatform().name("fz-nemesis").start(() -> nemesis(cluster, Duration.ofSeconds(seconds)));
                    work.run(Duration.ofSeconds(seconds));
                    nemesis.join(Duration.ofSeconds(60).toMillis());
                    long healed = System.nanoTime();
                    cluster.healAll();
                    applied.add("heal");
                    if (!waitForLeader(cluster, Duration.ofSeconds(90))) {
                        error = "no leader within 90 s of the heal";
                    }
                    unread = work.finalReads(Duration.ofSeconds(60));
                    System.out.printf("FaultRun: healed, leader agreed and every key read in %d ms%n", (System.nanoTime() - healed) / 1_000_000);
                }
            } catch (Exception | AssertionError e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (error != null) {
                System.out.println("FaultRun: seed " + seed + " failed: " + error + "; logs in " + cluster.logDir());
            }
        } catch (RuntimeException e) {
            error = "fixture: " + e.getMessage();
        }
        if (w == null) {
            w = new Workload(null, seed);
        }
        return check(w, error, unread);
    }

    private Result check(Workload w, String error, List<String> unread) {
        long t0 = System.nanoTime();
        Duration limit = Duration.ofSeconds(60);
        List<Op> kvAll = w.kv.ops();
        List<Op> kvStrong = kvAll.stream().filter(op -> !(op.input() instanceof KvModel.Read r && !r.mode().equals("consistent"))).toList();
        Checker.Result kv = Checker.check(new KvModel(), kvStrong, limit);
        Checker.Result kvDefault = Checker.check(new KvModel(), kvAll, limit);
        Checker.Result locks = Checker.check(new LockModel(), w.locks.ops(), limit);
        Checker.Result bank = Checker.check(new BankModel(Workload.ACCOUNTS, Workload.BALANCE), w.bank.ops(), limit);
        long checkMs = (System.nanoTime() - t0) / 1_000_000;
        int ops = kvAll.size() + w.locks.ops().size() + w.bank.ops().size();
        int unknown = count(w.kv) + count(w.locks) + count(w.bank);
        int failed = w.kv.failed() + w.locks.failed() + w.bank.failed();
        Result r = new Result(seed, seconds, List.copyOf(applied), ops, unknown, failed, kv, kvDefault, locks, bank,
                w.watchAnswers.get(), List.copyOf(w.watchViolations), List.copyOf(w.watchDefaultViolations), unread, error, checkMs);
        System.out.println("FaultRun: " + r.row());
        w.watchDefaultViolations.forEach(v -> System.out.println("FaultRun: blocking query (default consistency) went back: " + v));
        if (!r.ok() || !kvDefault.ok()) {
            report("kv", kv);
            report("kv with default reads", kvDefault);
            report("locks", locks);
            report("bank", bank);
            w.watchViolations.forEach(v -> System.out.println("FaultRun: blocking query went back: " + v));
        }
        return r;
    }

    private static int count(History h) {
        return (int) h.ops().stream().filter(Op::unknown).count();
    }

    private void report(String what, Checker.Result r) {
        if (r.verdict() == Checker.Verdict.ILLEGAL) {
            List<Op> sorted = r.badOps().stream().sorted(java.util.Comparator.comparingLong(Op::call)).toList();
            java.nio.file.Path dump = logDir == null ? null : logDir.resolve("history-" + what.replace(' ', '-') + ".txt");
            try {
                if (dump != null) {
                    java.nio.file.Files.write(dump, sorted.stream().map(Op::toString).toList());
                }
            } catch (java.io.IOException e) {
                dump = null;
            }
            System.out.println("FaultRun: " + what + " not linearizable, partition " + r.badPartition() + " (" + sorted.size()
                    + " operations" + (dump == null ? "" : ", all in " + dump) + "); the last 200:");
            sorted.stream().skip(Math.max(0, sorted.size() - 200)).forEach(op -> System.out.println("FaultRun:   " + op));
        } else if (r.verdict() == Checker.Verdict.UNKNOWN) {
            System.out.println("FaultRun: " + what + " not decided in time: " + r);
        }
    }

    // ---- the nemesis ---------------------------------------------------------------------

    private void nemesis(Cluster c, Duration length) {
        long end = System.nanoTime() + length.toNanos();
        long t0 = System.nanoTime();
        sleep(3000 + rnd.nextInt(2000));
        Kind[] kinds = Boolean.getBoolean("faults.diskFullRestart") ? Kind.values()
                : java.util.Arrays.copyOf(Kind.values(), Kind.DISK_FULL_RESTART.ordinal());
        while (System.nanoTime() < end - 4_000_000_000L) {
            Kind k = kinds[rnd.nextInt(kinds.length)];
            long holdMs = 3000 + rnd.nextInt(5000);
            int target = rnd.nextInt(servers);
            int other = (target + 1 + rnd.nextInt(servers - 1)) % servers;
            String desc;
            try {
                desc = inject(c, k, target, other, holdMs);
            } catch (RuntimeException e) {
                desc = k.name().toLowerCase().replace('_', '-') + "(failed: " + e.getMessage() + ")";
            }
            applied.add(desc);
            System.out.printf("FaultRun: t=%.1fs %s, held %d ms%n", (System.nanoTime() - t0) / 1e9, desc, holdMs);
            sleep(2000 + rnd.nextInt(3000));
        }
    }

    /** Injects one fault, holds it, heals it; returns what was done (for the table). */
    private String inject(Cluster c, Kind k, int target, int other, long holdMs) {
        String name = k.name().toLowerCase().replace('_', '-');
        switch (k) {
            case KILL_ANY, KILL_LEADER -> {
                int t = k == Kind.KILL_LEADER ? leaderOr(c, target) : target;
                c.kill9(t);
                sleep(holdMs);
                c.start(t);
                return name + "(s" + (t + 1) + ")";
            }
            case KILL_ALL -> {
                for (int i = 0; i < c.size(); i++) {
                    c.kill9(i);
                }
                sleep(holdMs);
                c.startAll();
                return name;
            }
            case RESTART_ANY -> {
                c.restart(target);
                return name + "(s" + (target + 1) + ")";
            }
            case PAUSE_LEADER -> {
                int t = leaderOr(c, target);
                c.pause(t);
                sleep(holdMs);
                c.resume(t);
                return name + "(s" + (t + 1) + ")";
            }
            case ISOLATE_ONE, ISOLATE_LEADER -> {
                int t = k == Kind.ISOLATE_LEADER ? leaderOr(c, target) : target;
                c.isolate(t);
                sleep(holdMs);
                c.reconnect(t);
                return name + "(s" + (t + 1) + ")";
            }
            case ISOLATE_TWO -> {
                c.isolate(target);
                c.isolate(other);
                sleep(holdMs);
                c.reconnect(target);
                c.reconnect(other);
                return name + "(s" + (target + 1) + ",s" + (other + 1) + ")";
            }
            case BRIDGE -> {
                // target sees both; the other two do not see each other
                int b = (target + 1) % c.size();
                int d = (target + 2) % c.size();
                c.dropBetween(b, d);
                sleep(holdMs);
                c.flushDropRules();
                return name + "(s" + (target + 1) + " sees all; s" + (b + 1) + " x s" + (d + 1) + ")";
            }
            case DISK_FULL, DISK_FULL_RESTART -> {
                // Ratis writes into preallocated log segments, so a disk that fills under a running
                // server is felt only when the log outgrows its segment: ~6 MB of ballast through
                // Raft (keys outside the model) makes it. DISK_FULL_RESTART also kill -9s the server
                // and starts it on the full disk. Then the disk is emptied.
                int t = c.tmpfsServer();
                c.fillDisk();
                String ballast = "b".repeat(500_000);
                for (int i = 0; i < 12; i++) {
                    c.bridge().call("PUT", Cluster.url(i % c.size()) + "/v1/kv/fz-ballast/" + i, ballast, Duration.ofSeconds(5));
                }
                sleep(holdMs / 2);
                if (k == Kind.DISK_FULL_RESTART) {
                    c.kill9(t);
                    c.start(t);
                }
                sleep(holdMs / 2);
                c.freeDisk();
                // a server that stopped on the full disk is started again, as an operator would
                boolean stopped = !c.alive(t);
                c.start(t);
                return name + "(s" + (t + 1) + (stopped ? ", stopped on it" : "") + ")";
            }
            case LOSSY -> {
                int t = rnd.nextBoolean() ? leaderOr(c, target) : target;
                c.lossy(t, 30);
                sleep(holdMs);
                c.flushDropRules();
                return name + "(s" + (t + 1) + " 30%)";
            }
            case SLOW -> {
                int t = rnd.nextBoolean() ? leaderOr(c, target) : target;
                c.slow(t, "rate 512kbit burst 16kb latency 500ms");
                sleep(holdMs);
                c.unslow(t);
                return name + "(s" + (t + 1) + " 512kbit)";
            }
            default -> throw new IllegalStateException(name);
        }
    }

    /** The index of the server that leads now (asked of each server in turn), or {@code fallback} when none answers. */
    static int leaderOr(Cluster c, int fallback) {
        for (int i = 0; i < c.size(); i++) {
            HttpBridge.Answer a = c.bridge().call("GET", Cluster.url(i) + "/v1/status/leader", null, Duration.ofSeconds(2));
            if (a.status() == 200) {
                String addr = a.body().strip().replace("\"", "");
                for (int j = 0; j < c.size(); j++) {
                    if (addr.startsWith(Cluster.IPS.get(j) + ":")) {
                        return j;
                    }
                }
            }
        }
        return fallback;
    }

    /** Every server answers the same, non-empty leader. */
    static boolean waitForLeader(Cluster c, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            String first = null;
            boolean agree = true;
            for (int i = 0; i < c.size() && agree; i++) {
                HttpBridge.Answer a = c.bridge().call("GET", Cluster.url(i) + "/v1/status/leader", null, Duration.ofSeconds(2));
                String l = a.status() == 200 ? a.body().strip() : "";
                agree = !l.isEmpty() && !l.equals("\"\"") && (first == null || first.equals(l));
                first = l;
            }
            if (agree) {
                return true;
            }
            sleep(500);
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
