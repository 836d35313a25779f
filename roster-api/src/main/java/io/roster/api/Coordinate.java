package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A network coordinate ({@code Coord} of {@code /v1/coordinate/*}, Serf's {@code coordinate.Coordinate}):
 * a Vivaldi position, its error estimate, the adjustment term and the height (seconds).
 */
@JsonPropertyOrder({"Vec", "Error", "Adjustment", "Height"})
public record Coordinate(@JsonProperty("Vec") List<Double> vec,
                         @JsonProperty("Error") double error,
                         @JsonProperty("Adjustment") double adjustment,
                         @JsonProperty("Height") double height) {
    public Coordinate {
        vec = vec == null ? List.of() : List.copyOf(vec);
    }

    /**
     * The estimated round trip between two coordinates, in seconds, as Serf computes it: the
     * Euclidean distance plus both heights, plus both adjustments unless that would go non-positive.
     * Returns {@code NaN} when the dimensions differ (not comparable).
     */
    public double distanceTo(Coordinate o) {
        if (o == null || vec.size() != o.vec.size()) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < vec.size(); i++) {
            double d = vec.get(i) - o.vec.get(i);
            sum += d * d;
        }
        double rtt = Math.sqrt(sum) + height + o.height;
        double adjusted = rtt + adjustment + o.adjustment;
        return adjusted > 0 ? adjusted : rtt;
    }

    /** One node's coordinate as {@code /v1/coordinate/nodes} lists it and {@code /v1/coordinate/update} takes it. */
    @JsonPropertyOrder({"Node", "Segment", "Coord"})
    public record Entry(@JsonProperty("Node") String node,
                        @JsonProperty("Segment") String segment,
                        @JsonProperty("Coord") Coordinate coord) {
        public Entry {
            node = node == null ? "" : node;
            segment = segment == null ? "" : segment;
        }
    }
}
