package io.roster.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An ACL policy as Consul's {@code /v1/acl/policy} reads and writes it. {@code Rules} is the rule
 * text (HCL or JSON) as written; {@code Hash} is a digest of the fields that change what the policy grants.
 */
@JsonPropertyOrder({"ID", "Name", "Description", "Rules", "Datacenters", "Hash", "CreateIndex", "ModifyIndex"})
public record AclPolicy(@JsonProperty("ID") String id,
                        @JsonProperty("Name") String name,
                        @JsonProperty("Description") String description,
                        @JsonProperty("Rules") String rules,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("Datacenters") List<String> datacenters,
                        @JsonProperty("Hash") String hash,
                        @JsonProperty("CreateIndex") long createIndex,
                        @JsonProperty("ModifyIndex") long modifyIndex) {
    /** The built-in policy that grants everything. */
    public static final String GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001";
    public static final String GLOBAL_MANAGEMENT_NAME = "global-management";

    public AclPolicy {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        rules = rules == null ? "" : rules;
        datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
        hash = hash == null ? "" : hash;
    }

    public AclPolicy withIndexes(long create, long modify) {
        return new AclPolicy(id, name, description, rules, datacenters, hash, create, modify);
    }

    /** What {@code /v1/acl/policies} lists: everything but the rules (Consul's {@code ACLPolicyListStub}). */
    @JsonPropertyOrder({"ID", "Name", "Description", "Datacenters", "Hash", "CreateIndex", "ModifyIndex"})
    public record Stub(@JsonProperty("ID") String id, @JsonProperty("Name") String name,
                       @JsonProperty("Description") String description,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("Datacenters") List<String> datacenters,
                       @JsonProperty("Hash") String hash,
                       @JsonProperty("CreateIndex") long createIndex, @JsonProperty("ModifyIndex") long modifyIndex) {
    }

    public Stub stub() {
        return new Stub(id, name, description, datacenters, hash, createIndex, modifyIndex);
    }
}
