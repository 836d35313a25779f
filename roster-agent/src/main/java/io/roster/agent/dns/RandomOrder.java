package io.roster.agent.dns;

import java.util.Arrays;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Positions {@code 0..n-1} of a service's instances in a weighted random order, drawn one at a time,
 * so that an answer of k records costs about k draws however many instances there are (a UDP answer
 * of 3 out of 10,000 instances no longer shuffles the 10,000).
 *
 * <p>The order is the one {@code Resolver} documents (Efraimidis-Spirakis: position i comes first with
 * probability w_i / sum of weights, and so on down the list; weight 0 after every positive weight,
 * uniformly among themselves). Drawn as successive weighted draws among what is left: a draw picks a
 * position by its weight from the cumulative weights ({@link Pool#prefix}, binary search) and is drawn
 * again when it picks a position already taken; that is the same distribution. When draws keep
 * hitting taken positions (most of the weight is taken) or only weight-0 positions are left, the rest
 * is ordered at once with exponential keys (the memoryless property makes that continuation exact).
 */
final class RandomOrder {
    /** Consecutive draws that hit taken positions before the rest is ordered at once. */
    private static final int MAX_REDRAWS = 8;

    /** The weights and cumulative weights of a list of instances, computed once per list. */
    record Pool(int[] weights, long[] prefix, int positives) {
        static Pool of(int[] weights) {
            long[] prefix = new long[weights.length];
            long sum = 0;
            int positives = 0;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] > 0) {
                    sum += weights[i];
                    positives++;
                }
                prefix[i] = sum;
            }
            return new Pool(weights, prefix, positives);
        }

        int size() {
            return weights.length;
        }
    }

    private final Pool pool;
    private final RandomGenerator rnd;
    private final BitSet taken;
    private int positivesLeft;
    private int[] rest;
    private int restAt;
    private int drawn;

    RandomOrder(Pool pool, RandomGenerator rnd) {
        this.pool = pool;
        this.rnd = rnd;
        this.taken = new BitSet(pool.size());
        this.positivesLeft = pool.positives();
    }

    /** How many positions were handed out so far. */
    int drawn() {
        return drawn;
    }

    /** The next position, or -1 when all were handed out. */
    int next() {
        int n = pool.size();
        if (drawn >= n) {
            return -1;
        }
        if (rest == null) {
            if (positivesLeft > 0 && n > 1) {
                long total = pool.prefix()[n - 1];
                for (int tries = 0; tries < MAX_REDRAWS; tries++) {
                    int i = firstAbove(pool.prefix(), rnd.nextLong(total));
                    if (!taken.get(i)) {
                        taken.set(i);
                        positivesLeft--;
                        drawn++;
                        return i;
                    }
                }
            }
            rest = orderRest();
        }
        drawn++;
        return rest[restAt++];
    }

    /** The first position whose cumulative weight exceeds {@code r} (a position of positive weight). */
    private static int firstAbove(long[] prefix, long r) {
        int lo = 0;
        int hi = prefix.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (prefix[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The positions not taken, sorted by Exp(1) / w (weight 0: after every positive weight). */
    private int[] orderRest() {
        int n = pool.size();
        int m = n - drawn;
        double[] key = new double[m];
        Integer[] idx = new Integer[m];
        int k = 0;
        for (int i = taken.nextClearBit(0); i < n && k < m; i = taken.nextClearBit(i + 1)) {
            int w = pool.weights()[i];
            double exp = -Math.log(1.0 - rnd.nextDouble());
            key[k] = w > 0 ? exp / w : Double.MAX_VALUE / 2 + exp;
            idx[k] = i;
            k++;
        }
        Integer[] order = Arrays.copyOf(idx, k);
        double[] keys = key;
        Integer[] pos = new Integer[k];
        for (int j = 0; j < k; j++) {
            pos[j] = j;
        }
        Arrays.sort(pos, (a, b) -> Double.compare(keys[a], keys[b]));
        int[] out = new int[k];
        for (int j = 0; j < k; j++) {
            out[j] = order[pos[j]];
        }
        return out;
    }
}
