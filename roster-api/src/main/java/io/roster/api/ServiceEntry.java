package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One element of {@code /v1/health/service/<name>}: the node, the instance, and every check of both. */
public record ServiceEntry(@JsonProperty("Node") Node node,
                           @JsonProperty("Service") NodeService service,
                           @JsonProperty("Checks") List<HealthCheck> checks) {
}
