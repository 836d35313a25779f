package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A service identity (Consul's {@code ACLServiceIdentity}): {@code service:write} on the service and
 * its {@code -sidecar-proxy}, {@code service:read} and {@code node:read} on every service and node.
 */
public record AclServiceIdentity(@JsonProperty("ServiceName") String serviceName,
                                 @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("Datacenters") List<String> datacenters) {
    public AclServiceIdentity {
        serviceName = serviceName == null ? "" : serviceName;
        datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
    }
}
