package io.roster.gossip.coordinate;

import java.util.Arrays;

/**
 * A Vivaldi network coordinate, in seconds: a point in a Euclidean space, a height (the access-link
 * part of every path, which Euclidean space cannot model), an adjustment (a per-node correction
 * learnt from the recent error), and the node's confidence in it ({@code error}). Immutable.
 */
public record Coordinate(double[] vec, double error, double adjustment, double height) {
    static final double ZERO_THRESHOLD = 1.0e-6;

    public Coordinate {
        vec = vec.clone();
    }

    /** The origin of a space: where a new node starts, with the largest error. */
    public static Coordinate origin(VivaldiConfig c) {
        return new Coordinate(new double[c.dimensionality()], c.errorMax(), 0, c.heightMin());
    }

    @Override
    public double[] vec() {
        return vec.clone();
    }

    public int dimensionality() {
        return vec.length;
    }

    /** Whether another coordinate lives in the same space (same dimensionality). */
    public boolean compatibleWith(Coordinate o) {
        return o != null && o.vec.length == vec.length;
    }

    /** Every component is a finite number. */
    public boolean valid() {
        for (double d : vec) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return Double.isFinite(error) && Double.isFinite(adjustment) && Double.isFinite(height);
    }

    /**
     * The estimated round trip to {@code o} in seconds: Euclidean distance plus both heights, plus
     * both adjustments unless that would make it zero or negative.
     */
    public double distanceTo(Coordinate o) {
        double raw = rawDistanceTo(o);
        double adjusted = raw + adjustment + o.adjustment;
        return adjusted > 0 ? adjusted : raw;
    }

    /** The distance without the adjustment terms. */
    double rawDistanceTo(Coordinate o) {
        return magnitude(diff(vec, o.vec)) + height + o.height;
    }

    /**
     * This coordinate moved by {@code force} (seconds; positive pushes away) along the line from
     * {@code o}; the height moves in proportion, never below the minimum.
     */
    Coordinate applyForce(VivaldiConfig c, double force, Coordinate o, java.util.random.RandomGenerator random) {
        double[] unit = new double[vec.length];
        double mag = unitVectorAt(vec, o.vec, unit, random);
        double[] moved = new double[vec.length];
        for (int i = 0; i < vec.length; i++) {
            moved[i] = vec[i] + unit[i] * force;
        }
        double h = height;
        if (mag > ZERO_THRESHOLD) {
            h = Math.max((height + o.height) * force / mag + height, c.heightMin());
        }
        return new Coordinate(moved, error, adjustment, h);
    }

    Coordinate withError(double e) {
        return new Coordinate(vec, e, adjustment, height);
    }

    Coordinate withAdjustment(double a) {
        return new Coordinate(vec, error, a, height);
    }

    /**
     * Writes the unit vector from {@code b} to {@code a} into {@code out} and returns the distance;
     * for two points in the same place, a random direction and 0 (so that nodes that start at the
     * origin can push each other apart).
     */
    private static double unitVectorAt(double[] a, double[] b, double[] out, java.util.random.RandomGenerator random) {
        double[] d = diff(a, b);
        double mag = magnitude(d);
        if (mag > ZERO_THRESHOLD) {
            for (int i = 0; i < d.length; i++) {
                out[i] = d[i] / mag;
            }
            return mag;
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextDouble() - 0.5;
        }
        mag = magnitude(d);
        if (mag > ZERO_THRESHOLD) {
            for (int i = 0; i < d.length; i++) {
                out[i] = d[i] / mag;
            }
        } else if (out.length > 0) {
            Arrays.fill(out, 0);
            out[0] = 1;
        }
        return 0;
    }

    private static double[] diff(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double magnitude(double[] v) {
        double sum = 0;
        for (double d : v) {
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Coordinate c && Arrays.equals(vec, c.vec) && error == c.error
                && adjustment == c.adjustment && height == c.height;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(vec) * 31 + Double.hashCode(error + adjustment + height);
    }

    @Override
    public String toString() {
        return "Coordinate" + Arrays.toString(vec) + " error=" + error + " adjustment=" + adjustment + " height=" + height;
    }
}
