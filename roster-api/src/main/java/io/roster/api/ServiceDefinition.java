package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A service as an agent is asked to register it: the body of {@code PUT /v1/agent/service/register}
 * and a {@code service}/{@code services} block of a config file (Pigsty's {@code svc-*.json}).
 * {@code ID} defaults to {@code Name}. {@code Check} and {@code Checks} are both honoured; a single
 * unnamed check of service {@code web} gets the ID {@code service:web} (Spring Cloud Consul relies on it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceDefinition(
        @JsonProperty("ID") String id,
        @JsonProperty("Name") String name,
        @JsonProperty("Kind") String kind,
        @JsonProperty("Tags") List<String> tags,
        @JsonProperty("Address") String address,
        @JsonProperty("TaggedAddresses") Map<String, ServiceAddress> taggedAddresses,
        @JsonProperty("Meta") Map<String, String> meta,
        @JsonProperty("Port") Integer port,
        @JsonProperty("Weights") Weights weights,
        @JsonProperty("EnableTagOverride") Boolean enableTagOverride,
        @JsonProperty("Check") CheckDefinition check,
        @JsonProperty("Checks") List<CheckDefinition> checks) {

    /** {@code ID}, or {@code Name} when no ID was given. */
    public String effectiveId() {
        return id == null || id.isEmpty() ? name : id;
    }

    /** A service's tagged address ({@code lan}, {@code wan}, ...): an address and a port. */
    public record ServiceAddress(@JsonProperty("Address") String address, @JsonProperty("Port") int port) {
    }

    /** DNS weights by health state; Consul's defaults are Passing 1, Warning 1. */
    public record Weights(@JsonProperty("Passing") int passing, @JsonProperty("Warning") int warning) {
        public static final Weights DEFAULT = new Weights(1, 1);
    }
}
