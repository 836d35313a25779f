package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A node identity (Consul's {@code ACLNodeIdentity}): {@code node:write} on the node and
 * {@code service:read} on every service.
 */
public record AclNodeIdentity(@JsonProperty("NodeName") String nodeName, @JsonProperty("Datacenter") String datacenter) {
    public AclNodeIdentity {
        nodeName = nodeName == null ? "" : nodeName;
        datacenter = datacenter == null ? "" : datacenter;
    }
}
