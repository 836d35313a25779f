package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** An ACL role as Consul's {@code /v1/acl/role} reads and writes it: policies and identities under a name. */
@JsonPropertyOrder({"ID", "Name", "Description", "Policies", "ServiceIdentities", "NodeIdentities", "Hash",
    "CreateIndex", "ModifyIndex"})
public record AclRole(@JsonProperty("ID") String id,
                      @JsonProperty("Name") String name,
                      @JsonProperty("Description") String description,
                      @JsonProperty("Policies") List<AclLink> policies,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("ServiceIdentities") List<AclServiceIdentity> serviceIdentities,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("NodeIdentities") List<AclNodeIdentity> nodeIdentities,
                      @JsonProperty("Hash") String hash,
                      @JsonProperty("CreateIndex") long createIndex,
                      @JsonProperty("ModifyIndex") long modifyIndex) {
    public AclRole {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        policies = policies == null ? List.of() : List.copyOf(policies);
        serviceIdentities = serviceIdentities == null ? List.of() : List.copyOf(serviceIdentities);
        nodeIdentities = nodeIdentities == null ? List.of() : List.copyOf(nodeIdentities);
        hash = hash == null ? "" : hash;
    }

    public AclRole withIndexes(long create, long modify) {
        return new AclRole(id, name, description, policies, serviceIdentities, nodeIdentities, hash, create, modify);
    }
}
