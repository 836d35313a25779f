package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An ACL token as Consul's {@code /v1/acl/token} reads and writes it. {@code AccessorID} names it
 * in every answer, log line and error; {@code SecretID} is what a caller presents, and is never
 * logged. {@code ExpirationTime} is an RFC 3339 instant (absent for a token that never expires);
 * {@code ExpirationTTL} is accepted on create only, as Consul does. {@code CreateTime} is RFC 3339.
 */
@JsonPropertyOrder({"AccessorID", "SecretID", "Description", "Policies", "Roles", "ServiceIdentities",
    "NodeIdentities", "Local", "AuthMethod", "ExpirationTime", "ExpirationTTL", "CreateTime", "Hash",
    "CreateIndex", "ModifyIndex"})
public record AclToken(@JsonProperty("AccessorID") String accessorId,
                       @JsonProperty("SecretID") String secretId,
                       @JsonProperty("Description") String description,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("Policies") List<AclLink> policies,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("Roles") List<AclLink> roles,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("ServiceIdentities") List<AclServiceIdentity> serviceIdentities,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("NodeIdentities") List<AclNodeIdentity> nodeIdentities,
                       @JsonProperty("Local") boolean local,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("AuthMethod") String authMethod,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("ExpirationTime") String expirationTime,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("ExpirationTTL") String expirationTtl,
                       @JsonProperty("CreateTime") String createTime,
                       @JsonProperty("Hash") String hash,
                       @JsonProperty("CreateIndex") long createIndex,
                       @JsonProperty("ModifyIndex") long modifyIndex) {
    /** The built-in anonymous token: what a request without a token runs as. */
    public static final String ANONYMOUS_ID = "00000000-0000-0000-0000-000000000002";
    public static final String ANONYMOUS_SECRET = "anonymous";

    public AclToken {
        accessorId = accessorId == null ? "" : accessorId;
        secretId = secretId == null ? "" : secretId;
        description = description == null ? "" : description;
        policies = policies == null ? List.of() : List.copyOf(policies);
        roles = roles == null ? List.of() : List.copyOf(roles);
        serviceIdentities = serviceIdentities == null ? List.of() : List.copyOf(serviceIdentities);
        nodeIdentities = nodeIdentities == null ? List.of() : List.copyOf(nodeIdentities);
        authMethod = authMethod == null ? "" : authMethod;
        expirationTime = expirationTime == null ? "" : expirationTime;
        expirationTtl = expirationTtl == null ? "" : expirationTtl;
        createTime = createTime == null ? "" : createTime;
        hash = hash == null ? "" : hash;
    }

    public AclToken withIndexes(long create, long modify) {
        return new AclToken(accessorId, secretId, description, policies, roles, serviceIdentities, nodeIdentities, local,
                authMethod, expirationTime, expirationTtl, createTime, hash, create, modify);
    }

    public AclToken withSecret(String secret) {
        return new AclToken(accessorId, secret, description, policies, roles, serviceIdentities, nodeIdentities, local,
                authMethod, expirationTime, expirationTtl, createTime, hash, createIndex, modifyIndex);
    }

    public AclToken withLinks(List<AclLink> policies, List<AclLink> roles) {
        return new AclToken(accessorId, secretId, description, policies, roles, serviceIdentities, nodeIdentities, local,
                authMethod, expirationTime, expirationTtl, createTime, hash, createIndex, modifyIndex);
    }

    /** Never the secret: records print themselves in exceptions and logs. */
    @Override
    public String toString() {
        return "AclToken[AccessorID=" + accessorId + ", Description=" + description + "]";
    }
}
