package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The body of {@code PUT /v1/catalog/register}. */
public record CatalogRegistration(@JsonProperty("ID") String id,
                                  @JsonProperty("Node") String node,
                                  @JsonProperty("Address") String address,
                                  @JsonProperty("Datacenter") String datacenter,
                                  @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
                                  @JsonProperty("NodeMeta") Map<String, String> nodeMeta,
                                  @JsonProperty("Service") NodeService service,
                                  @JsonProperty("Check") HealthCheck check,
                                  @JsonProperty("Checks") List<HealthCheck> checks,
                                  @JsonProperty("SkipNodeUpdate") Boolean skipNodeUpdate) {
}
