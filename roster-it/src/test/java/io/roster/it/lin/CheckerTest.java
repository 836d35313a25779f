package io.roster.it.lin;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.it.lin.Checker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker on histories whose answer is known: linearizable ones (including operations that
 * overlap and must be reordered, and operations of unknown outcome) and the anomalies the fault runs
 * look for (a stale read, a lost CAS, a lock held twice, LockIndex going back, a bank whose sum
 * changed). A 10k-operation history generated from a real linearization is checked and its time
 * printed.
 */
class CheckerTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final KvModel KV = new KvModel();
    private static final LockModel LOCK = new LockModel();

    private static Op ok(int c, Object in, Object out, long call, long ret) {
        return Op.ok(c, in, out, call, ret);
    }

    private static Verdict kv(Op... ops) {
        return Checker.check(KV, List.of(ops), T).verdict();
    }

    @Test
    void sequentialRegisterIsLinearizable() {
        assertThat(kv(
                ok(0, new KvModel.Read("a"), null, 1, 2),
                ok(0, new KvModel.Write("a", "1"), true, 3, 4),
                ok(1, new KvModel.Read("a"), "1", 5, 6),
                ok(1, new KvModel.Cas("a", "1", "2"), true, 7, 8),
                ok(0, new KvModel.Cas("a", "1", "3"), false, 9, 10),
                ok(0, new KvModel.Read("a"), "2", 11, 12))).isEqualTo(Verdict.OK);
    }

    @Test
    void overlappingOperationsMayBeReordered() {
        // The read of "2" returns before the write of "2" does, but they overlap; the second read sees "1"
        // while both writes are in flight: order w1, r1("1")... no: r2 sees 1 after r1 saw 2 would be
        // illegal, so here r2 runs before r1.
        assertThat(kv(
                ok(0, new KvModel.Write("a", "1"), true, 1, 10),
                ok(1, new KvModel.Write("a", "2"), true, 2, 12),
                ok(2, new KvModel.Read("a"), "1", 3, 5),
                ok(3, new KvModel.Read("a"), "2", 6, 8))).isEqualTo(Verdict.OK);
    }

    @Test
    void aStaleReadIsNotLinearizable() {
        assertThat(kv(
                ok(0, new KvModel.Write("a", "1"), true, 1, 2),
                ok(0, new KvModel.Write("a", "2"), true, 3, 4),
                ok(1, new KvModel.Read("a"), "1", 5, 6))).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void aReadGoingBackInTimeIsNotLinearizable() {
        assertThat(kv(
                ok(0, new KvModel.Write("a", "1"), true, 1, 2),
                ok(0, new KvModel.Write("a", "2"), true, 3, 20),
                ok(1, new KvModel.Read("a"), "2", 4, 5),
                ok(2, new KvModel.Read("a"), "1", 6, 7))).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void aLostCasIsNotLinearizable() {
        // Both CAS from the same version succeed: one of them was lost.
        assertThat(kv(
                ok(0, new KvModel.Write("a", "0"), true, 1, 2),
                ok(1, new KvModel.Cas("a", "0", "1"), true, 3, 4),
                ok(2, new KvModel.Cas("a", "0", "2"), true, 5, 6))).isEqualTo(Verdict.ILLEGAL);
        // An acknowledged CAS whose value a later read does not see.
        assertThat(kv(
                ok(0, new KvModel.Cas("a", null, "1"), true, 1, 2),
                ok(1, new KvModel.Read("a"), null, 3, 4))).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void anUnknownWriteMayTakeEffectLateOrNever() {
        assertThat(kv(
                Op.info(0, new KvModel.Write("a", "1"), 1),
                ok(1, new KvModel.Read("a"), null, 2, 3),
                ok(1, new KvModel.Read("a"), "1", 10, 11),
                ok(1, new KvModel.Read("a"), "1", 12, 13))).isEqualTo(Verdict.OK);
        assertThat(kv(
                Op.info(0, new KvModel.Write("a", "1"), 1),
                ok(1, new KvModel.Read("a"), null, 20, 21))).isEqualTo(Verdict.OK);
        // ...but not before it was invoked, and not undone once seen.
        assertThat(kv(
                ok(1, new KvModel.Read("a"), "1", 1, 2),
                Op.info(0, new KvModel.Write("a", "1"), 3))).isEqualTo(Verdict.ILLEGAL);
        assertThat(kv(
                Op.info(0, new KvModel.Write("a", "1"), 1),
                ok(1, new KvModel.Read("a"), "1", 2, 3),
                ok(1, new KvModel.Read("a"), null, 4, 5))).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void keysAreCheckedApart() {
        Checker.Result r = Checker.check(KV, List.of(
                ok(0, new KvModel.Write("a", "1"), true, 1, 2),
                ok(0, new KvModel.Write("b", "1"), true, 3, 4),
                ok(1, new KvModel.Read("b"), null, 5, 6)), T);
        assertThat(r.verdict()).isEqualTo(Verdict.ILLEGAL);
        assertThat(r.partitions()).isEqualTo(2);
        assertThat(r.badPartition()).isEqualTo("b");
    }

    @Test
    void aLockHeldTwiceIsNotLinearizable() {
        assertThat(Checker.check(LOCK, List.of(
                ok(0, new LockModel.Acquire("l", "s0"), true, 1, 2),
                ok(1, new LockModel.Acquire("l", "s1"), false, 3, 4),
                ok(0, new LockModel.Release("l", "s0"), true, 5, 6),
                ok(1, new LockModel.Acquire("l", "s1"), true, 7, 8),
                ok(2, new LockModel.Read("l"), new LockModel.State("s1", 2), 9, 10)), T).verdict()).isEqualTo(Verdict.OK);
        assertThat(Checker.check(LOCK, List.of(
                ok(0, new LockModel.Acquire("l", "s0"), true, 1, 2),
                ok(1, new LockModel.Acquire("l", "s1"), true, 3, 4)), T).verdict()).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void lockIndexGoingBackIsNotLinearizable() {
        assertThat(Checker.check(LOCK, List.of(
                ok(0, new LockModel.Acquire("l", "s0"), true, 1, 2),
                ok(0, new LockModel.Release("l", "s0"), true, 3, 4),
                ok(1, new LockModel.Acquire("l", "s1"), true, 5, 6),
                ok(2, new LockModel.Read("l"), new LockModel.State("s1", 2), 7, 8),
                ok(2, new LockModel.Read("l"), new LockModel.State("s1", 1), 9, 10)), T).verdict()).isEqualTo(Verdict.ILLEGAL);
    }

    @Test
    void aBankWhoseSumChangedIsNotLinearizable() {
        BankModel bank = new BankModel(3, 10);
        BankModel.Balances good = new BankModel.Balances(List.of(5L, 15L, 10L));
        BankModel.Balances bad = new BankModel.Balances(List.of(5L, 10L, 10L));
        assertThat(Checker.check(bank, List.of(
                ok(0, new BankModel.Transfer(0, 1, 5), true, 1, 3),
                ok(1, new BankModel.Read(), good, 2, 4)), T).verdict()).isEqualTo(Verdict.OK);
        assertThat(Checker.check(bank, List.of(
                ok(0, new BankModel.Transfer(0, 1, 5), true, 1, 3),
                ok(1, new BankModel.Read(), bad, 2, 4)), T).verdict()).isEqualTo(Verdict.ILLEGAL);
    }

    /** Two transfers made from the same read cannot both commit: each checks the balances it read. */
    @Test
    void twoTransfersFromOneReadCannotBothCommit() {
        BankModel bank = new BankModel(3, 10);
        BankModel.Balances after = new BankModel.Balances(List.of(5L, 15L, 10L));
        BankModel.Balances afterBoth = new BankModel.Balances(List.of(0L, 20L, 10L));
        assertThat(Checker.check(bank, List.of(
                ok(0, new BankModel.Transfer(0, 1, 5, 10, 10), true, 1, 3),
                ok(1, new BankModel.Transfer(0, 1, 5, 5, 15), true, 4, 5),
                ok(2, new BankModel.Read(), afterBoth, 6, 7)), T).verdict()).as("the second read the first's result").isEqualTo(Verdict.OK);
        assertThat(Checker.check(bank, List.of(
                ok(0, new BankModel.Transfer(0, 1, 5, 10, 10), true, 1, 3),
                ok(1, new BankModel.Transfer(0, 1, 5, 10, 10), true, 2, 4),
                ok(2, new BankModel.Read(), afterBoth, 6, 7)), T).verdict()).as("both from the initial read").isEqualTo(Verdict.ILLEGAL);
        // of unknown outcome, a transfer from a read that no longer holds can only not have happened
        assertThat(Checker.check(bank, List.of(
                ok(0, new BankModel.Transfer(0, 1, 5, 10, 10), true, 1, 3),
                Op.info(1, new BankModel.Transfer(0, 1, 5, 10, 10), 2),
                ok(2, new BankModel.Read(), after, 6, 7),
                ok(2, new BankModel.Read(), afterBoth, 8, 9)), T).verdict()).isEqualTo(Verdict.ILLEGAL);
    }

    /**
     * 10k operations over 10 keys by 30 clients, made from a real linearization: every operation takes
     * effect at a random point between its call and its return (some never return: unknown), so the
     * history is linearizable by construction; then one read is changed to a value its key never had.
     */
    @Test
    void tenThousandOperationsCheckInSeconds() {
        long seed = 24L;
        List<Op> history = generate(new Random(seed), 10_000, 10, 30);
        long t0 = System.nanoTime();
        Checker.Result r = Checker.check(KV, history, Duration.ofSeconds(120));
        System.out.printf("CheckerTest: %d operations, %d partitions: %s in %d ms (seed %d)%n",
                history.size(), r.partitions(), r.verdict(), (System.nanoTime() - t0) / 1_000_000, seed);
        assertThat(r.verdict()).isEqualTo(Verdict.OK);

        List<Op> broken = new ArrayList<>(history);
        for (int i = broken.size() - 1; i >= 0; i--) {
            Op op = broken.get(i);
            if (op.input() instanceof KvModel.Read && !op.unknown()) {
                broken.set(i, Op.ok(op.client(), op.input(), "never-written", op.call(), op.ret()));
                break;
            }
        }
        long t1 = System.nanoTime();
        Checker.Result b = Checker.check(KV, broken, Duration.ofSeconds(120));
        System.out.printf("CheckerTest: the same with one impossible read: %s in %d ms%n", b.verdict(), (System.nanoTime() - t1) / 1_000_000);
        assertThat(b.verdict()).isEqualTo(Verdict.ILLEGAL);
    }

    private record Planned(int client, Object input, long call, long ret, double point, boolean unknown) {
    }

    static List<Op> generate(Random rnd, int n, int keys, int clients) {
        List<Planned> plan = new ArrayList<>();
        long[] cursor = new long[clients];
        int written = 0;
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(clients);
            String key = "k" + (c % keys);
            long call = cursor[c] + 1 + rnd.nextInt(5);
            long ret = call + 1 + rnd.nextInt(40);
            cursor[c] = ret;
            int kind = rnd.nextInt(10);
            Object in = kind < 5 ? new KvModel.Read(key)
                    : kind < 8 ? new KvModel.Write(key, "v" + written++)
                    : new KvModel.Cas(key, null, "v" + written++); // expected filled in below
            boolean unknown = !(in instanceof KvModel.Read) && rnd.nextInt(50) == 0;
            plan.add(new Planned(c, in, call * 2, ret * 2, call * 2 + 1 + rnd.nextDouble() * ((ret - call) * 2 - 2), unknown));
        }
        plan.sort(Comparator.comparingDouble(Planned::point));
        Map<String, String> state = new HashMap<>();
        List<Op> ops = new ArrayList<>();
        for (Planned p : plan) {
            Object in = p.input();
            Object out;
            switch (in) {
                case KvModel.Read r -> out = state.get(r.key());
                case KvModel.Write w -> {
                    state.put(w.key(), w.value());
                    out = true;
                }
                case KvModel.Cas c -> {
                    // Half the CASes expect the current value (succeed), half a stale guess (fail).
                    String cur = state.get(c.key());
                    String expected = rnd.nextBoolean() ? cur : "stale";
                    in = new KvModel.Cas(c.key(), expected, c.value());
                    boolean applies = java.util.Objects.equals(expected, cur);
                    if (applies) {
                        state.put(c.key(), c.value());
                    }
                    out = applies;
                }
                default -> throw new IllegalStateException();
            }
            if (p.unknown()) {
                // an unknown write that did take effect: the checker must find a place for it
                ops.add(Op.info(p.client(), in, p.call()));
            } else {
                ops.add(Op.ok(p.client(), in, out, p.call(), p.ret()));
            }
        }
        return ops;
    }

    /**
     * A stale read after many operations of unknown outcome that, wherever they are placed, leave
     * the register as it was (timed-out reads, timed-out CASes from a version the key never had):
     * Lowe's memoization alone keys its cache on the whole linearized set, so to prove the history
     * illegal it tries every subset of them (2^40 here) and runs out of time; with subsumption a
     * node whose unknown operations are a superset of an already searched one's is pruned, and the
     * verdict is found.
     */
    @Test
    void unknownOperationsThatChangeNothingAreNotTriedInEverySubset() {
        List<Op> ops = new ArrayList<>();
        ops.add(ok(0, new KvModel.Write("a", "1"), true, 1, 2));
        for (int i = 0; i < 40; i++) {
            int client = 10 + i;
            ops.add(i % 2 == 0 ? Op.info(client, new KvModel.Read("a"), 3 + i)
                    : Op.info(client, new KvModel.Cas("a", "never-written", "x" + i), 3 + i));
        }
        ops.add(ok(1, new KvModel.Write("a", "2"), true, 50, 51));
        ops.add(ok(2, new KvModel.Read("a"), "1", 52, 53));
        assertThat(Checker.check(KV, ops, T).verdict()).isEqualTo(Verdict.ILLEGAL);
        // and without the stale read, linearizable
        assertThat(Checker.check(KV, ops.subList(0, ops.size() - 1), T).verdict()).isEqualTo(Verdict.OK);
    }

    /**
     * A bank history shaped like a fault run's (Workload's bank clients): {@code clients} clients each
     * read every balance, then move 1-3 between two accounts with the balances read as the txn's
     * check; a transfer whose check no longer holds is refused (409, left out). While a fault is "on"
     * (in stretches, toggled at random) reads get no answer (left out) and transfers time out
     * (unknown outcome; half of them took effect anyway). Made from a real linearization, so
     * linearizable.
     */
    static List<Op> bankHistory(Random rnd, int n, int clients) {
        record Next(int client, long call, long ret, double point) {
        }
        long[] balances = new long[5];
        java.util.Arrays.fill(balances, 10);
        long[][] read = new long[clients][];
        java.util.PriorityQueue<Next> queue = new java.util.PriorityQueue<>(Comparator.comparingDouble(Next::point));
        long[] cursor = new long[clients];
        for (int c = 0; c < clients; c++) {
            long call = 1 + rnd.nextInt(5);
            long ret = call + 1 + rnd.nextInt(10);
            queue.add(new Next(c, call * 2, ret * 2, call * 2 + 1 + rnd.nextDouble() * ((ret - call) * 2 - 2)));
        }
        List<Op> ops = new ArrayList<>();
        boolean fault = false;
        while (ops.size() < n && !queue.isEmpty()) {
            Next x = queue.poll();
            if (rnd.nextInt(12) == 0) {
                fault = !fault;
            }
            int c = x.client();
            boolean timedOut = false;
            if (read[c] == null) {
                if (!fault) {
                    read[c] = balances.clone();
                    ops.add(Op.ok(c, new BankModel.Read(), balancesOf(balances), x.call(), x.ret()));
                }
            } else {
                int from = rnd.nextInt(5);
                int to = (from + 1 + rnd.nextInt(4)) % 5;
                long amount = 1 + rnd.nextInt(3);
                BankModel.Transfer t = new BankModel.Transfer(from, to, amount, read[c][from], read[c][to]);
                boolean holds = balances[from] == read[c][from] && balances[to] == read[c][to];
                timedOut = fault && rnd.nextInt(3) > 0;
                boolean applies = holds && (!timedOut || rnd.nextBoolean());
                if (applies) {
                    balances[from] -= amount;
                    balances[to] += amount;
                }
                if (timedOut) {
                    ops.add(Op.info(c, t, x.call()));
                } else if (applies) {
                    ops.add(Op.ok(c, t, true, x.call(), x.ret()));
                } // else refused (409): left out, as the workload does
                read[c] = null;
            }
            // a timed-out request holds its client for the timeout; the next starts after
            cursor[c] = x.ret() / 2 + (timedOut ? 20 : 0);
            long call = cursor[c] + 1 + rnd.nextInt(5);
            long ret = call + 1 + rnd.nextInt(10);
            queue.add(new Next(c, call * 2, ret * 2, call * 2 + 1 + rnd.nextDouble() * ((ret - call) * 2 - 2)));
        }
        return ops;
    }

    private static BankModel.Balances balancesOf(long[] b) {
        return new BankModel.Balances(java.util.Arrays.stream(b).boxed().toList());
    }

    /**
     * Seed 5018's shape: 152-operation bank histories from four clients, transfers timing out while
     * a fault is on, checked with the model's balances-as-read: every one is decided linearizable,
     * and the same history with one read whose sum is off by one is decided illegal.
     */
    @Test
    void bankHistoriesShapedLikeAFaultRunAreDecided() {
        BankModel bank = new BankModel(5, 10);
        for (long seed = 1; seed <= 10; seed++) {
            List<Op> h = bankHistory(new Random(seed), 152, 4);
            assertThat(h.stream().filter(Op::unknown).count()).as("seed %d has unknown transfers", seed).isPositive();
            assertThat(Checker.check(bank, h, T).verdict()).as("seed %d", seed).isEqualTo(Verdict.OK);

            List<Op> broken = new ArrayList<>(h);
            for (int i = broken.size() - 1; i >= 0; i--) {
                Op op = broken.get(i);
                if (op.input() instanceof BankModel.Read && !op.unknown()) {
                    List<Long> b = new ArrayList<>(((BankModel.Balances) op.output()).amounts());
                    b.set(0, b.get(0) + 1);
                    broken.set(i, Op.ok(op.client(), op.input(), new BankModel.Balances(b), op.call(), op.ret()));
                    break;
                }
            }
            assertThat(Checker.check(bank, broken, T).verdict()).as("seed %d, one read off by one", seed).isEqualTo(Verdict.ILLEGAL);
        }
    }
}
