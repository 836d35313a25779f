package io.roster.gossip.coordinate;

/**
 * Tuning of the Vivaldi client; {@link #SERF} holds Serf's defaults, which Consul uses.
 *
 * @param dimensionality   dimensions of the Euclidean part
 * @param errorMax         the error of a new coordinate, and the cap
 * @param ce               how fast the error estimate follows new observations
 * @param cc               how far one observation moves the coordinate
 * @param adjustmentWindow samples averaged into the adjustment term (0 turns it off)
 * @param heightMin        the smallest height, in seconds
 * @param latencyFilter    round trips per peer whose median is used (filters out spikes)
 * @param gravityRho       seconds: how strongly coordinates are pulled back towards the origin
 */
public record VivaldiConfig(int dimensionality, double errorMax, double ce, double cc, int adjustmentWindow,
                            double heightMin, int latencyFilter, double gravityRho) {
    /** Serf's {@code coordinate.DefaultConfig()}. */
    public static final VivaldiConfig SERF = new VivaldiConfig(8, 1.5, 0.25, 0.25, 20, 10.0e-6, 3, 150.0);

    public VivaldiConfig {
        if (dimensionality < 1 || latencyFilter < 1 || adjustmentWindow < 0 || errorMax <= 0 || gravityRho <= 0) {
            throw new IllegalArgumentException("bad Vivaldi configuration");
        }
    }
}
