package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A token's or role's reference to a policy or a role, as Consul writes it: {@code {"ID": ..., "Name": ...}}.
 * A request may give either; the server fills in both.
 */
public record AclLink(@JsonProperty("ID") String id, @JsonProperty("Name") String name) {
    public AclLink {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
    }
}
