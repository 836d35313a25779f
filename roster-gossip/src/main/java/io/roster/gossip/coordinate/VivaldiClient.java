package io.roster.gossip.coordinate;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One node's Vivaldi client (Dabek et al., "Vivaldi: A Decentralized Network Coordinate System",
 * SIGCOMM 2004, with the height model of section 5.4), extended as Serf extends it: a median filter
 * over the last few round trips to each peer, an adjustment term averaged over a window of recent
 * errors (Ledlie et al., "Network Coordinates in the Wild", NSDI 2007), and gravity towards the
 * origin so that the whole space does not drift.
 *
 * <p>Each observation (a peer's coordinate and a measured round trip) moves this node's coordinate
 * along the line to the peer, by a step weighted by how confident this node is relative to the peer,
 * and updates the node's own error estimate. Not thread-safe: the gossip loop is its only caller.
 * Randomness (a direction for two nodes in the same spot) is injected, so simulations repeat.
 */
public final class VivaldiClient {
    /** Round trips above this are not network latency (Serf's limit). */
    static final double MAX_RTT_SECONDS = 10.0;

    private final VivaldiConfig config;
    private final RandomGenerator random;
    private final Coordinate origin;
    private Coordinate coord;
    private final double[] adjustmentSamples;
    private int adjustmentIndex;
    private final Map<String, ArrayDeque<Double>> latency = new HashMap<>();
    private long resets;

    public VivaldiClient(VivaldiConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
        this.origin = Coordinate.origin(config);
        this.coord = origin;
        this.adjustmentSamples = new double[config.adjustmentWindow()];
    }

    /** This node's coordinate now. */
    public Coordinate coordinate() {
        return coord;
    }

    /** How often the coordinate went invalid (NaN, infinity) and was reset to the origin. */
    public long resets() {
        return resets;
    }

    /** Forgets a peer's round trips (it left). */
    public void forget(String node) {
        latency.remove(node);
    }

    /**
     * Takes one observation: {@code node} is at {@code other} and answered in {@code rttSeconds}.
     * Returns false (and changes nothing) for a coordinate of another space, an invalid one, or a
     * round trip that is not positive or above 10 s.
     */
    public boolean update(String node, Coordinate other, double rttSeconds) {
        if (!coord.compatibleWith(other) || !other.valid() || !(rttSeconds > 0) || rttSeconds > MAX_RTT_SECONDS) {
            return false;
        }
        double rtt = filtered(node, rttSeconds);
        vivaldi(other, rtt);
        adjust(other, rtt);
        gravity();
        if (!coord.valid()) {
            resets++;
            coord = origin;
            Arrays.fill(adjustmentSamples, 0);
        }
        return true;
    }

    /** The median of the last {@code latencyFilter} round trips to {@code node}, this one included. */
    private double filtered(String node, double rtt) {
        ArrayDeque<Double> samples = latency.computeIfAbsent(node, k -> new ArrayDeque<>());
        samples.addLast(rtt);
        while (samples.size() > config.latencyFilter()) {
            samples.removeFirst();
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private void vivaldi(Coordinate other, double rtt) {
        double r = Math.max(rtt, Coordinate.ZERO_THRESHOLD);
        double dist = coord.distanceTo(other);
        double wrongness = Math.abs(dist - r) / r;
        double totalError = Math.max(coord.error() + other.error(), Coordinate.ZERO_THRESHOLD);
        double weight = coord.error() / totalError;
        double error = config.ce() * weight * wrongness + coord.error() * (1.0 - config.ce() * weight);
        coord = coord.withError(Math.min(error, config.errorMax()));
        double force = config.cc() * weight * (r - dist);
        coord = coord.applyForce(config, force, other, random);
    }

    private void adjust(Coordinate other, double rtt) {
        if (adjustmentSamples.length == 0) {
            return;
        }
        adjustmentSamples[adjustmentIndex] = rtt - coord.rawDistanceTo(other);
        adjustmentIndex = (adjustmentIndex + 1) % adjustmentSamples.length;
        double sum = 0;
        for (double s : adjustmentSamples) {
            sum += s;
        }
        coord = coord.withAdjustment(sum / (2.0 * adjustmentSamples.length));
    }

    private void gravity() {
        double dist = origin.distanceTo(coord);
        double force = -Math.pow(dist / config.gravityRho(), 2.0);
        coord = coord.applyForce(config, force, origin, random);
    }
}
