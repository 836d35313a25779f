package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of {@code PUT /v1/catalog/deregister}: a whole node, one service, or one check. */
public record CatalogDeregistration(@JsonProperty("Node") String node,
                                    @JsonProperty("Datacenter") String datacenter,
                                    @JsonProperty("CheckID") String checkId,
                                    @JsonProperty("ServiceID") String serviceId) {
}
