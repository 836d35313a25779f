package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A session as Consul's {@code /v1/session/info} returns it. {@code LockDelay} is in nanoseconds;
 * {@code TTL} is the duration string the creator gave (empty when none). {@code Checks} repeats
 * {@code NodeChecks} for clients written before Consul 1.7.
 */
@JsonPropertyOrder({"ID", "Name", "Node", "LockDelay", "Behavior", "TTL", "NodeChecks", "ServiceChecks",
    "Checks", "CreateIndex", "ModifyIndex"})
public record SessionEntry(
        @JsonProperty("ID") String id,
        @JsonProperty("Name") String name,
        @JsonProperty("Node") String node,
        @JsonProperty("LockDelay") long lockDelay,
        @JsonProperty("Behavior") String behavior,
        @JsonProperty("TTL") String ttl,
        @JsonProperty("NodeChecks") List<String> nodeChecks,
        @JsonProperty("ServiceChecks") List<ServiceCheck> serviceChecks,
        @JsonProperty("CreateIndex") long createIndex,
        @JsonProperty("ModifyIndex") long modifyIndex) {

    /** The behaviour that releases held locks when the session is invalidated. */
    public static final String RELEASE = "release";
    /** The behaviour that deletes held keys when the session is invalidated. */
    public static final String DELETE = "delete";

    /** Deprecated alias of {@link #nodeChecks()} kept on the wire for older clients. */
    @JsonProperty("Checks")
    public List<String> checks() {
        return nodeChecks;
    }

    /** A service check a session depends on. */
    public record ServiceCheck(@JsonProperty("ID") String id, @JsonProperty("Namespace") String namespace) {
    }
}
