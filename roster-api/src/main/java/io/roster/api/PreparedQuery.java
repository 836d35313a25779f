package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A prepared query definition as {@code /v1/query} takes and answers it (Consul's
 * {@code api.PreparedQueryDefinition}). Collections are never null.
 *
 * @param id       the query's UUID, chosen by the leader on create
 * @param name     optional name (a template's name is its prefix)
 * @param session  optional session: the query is deleted when the session is invalidated
 * @param token    the token the query executes with
 * @param service  what to look up
 * @param dns      DNS answer options
 * @param template template options (empty type: not a template)
 */
public record PreparedQuery(@JsonProperty("ID") String id,
                            @JsonProperty("Name") String name,
                            @JsonProperty("Session") String session,
                            @JsonProperty("Token") String token,
                            @JsonProperty("Service") ServiceQuery service,
                            @JsonProperty("DNS") Dns dns,
                            @JsonProperty("Template") Template template,
                            @JsonProperty("CreateIndex") long createIndex,
                            @JsonProperty("ModifyIndex") long modifyIndex) {

    public PreparedQuery {
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        session = session == null ? "" : session;
        token = token == null ? "" : token;
        service = service == null ? new ServiceQuery(null, null, null, null, null, false, null, null, null) : service;
        dns = dns == null ? new Dns(null) : dns;
        template = template == null ? new Template(null, null, false) : template;
    }

    /**
     * The service part ({@code api.ServiceQuery}).
     *
     * @param tags           every tag must be present; {@code !tag} must be absent (case-insensitive, as Consul)
     * @param onlyPassing    drop instances with a warning check too (critical ones are always dropped)
     * @param ignoreCheckIds checks that do not count
     * @param filter         a {@code ?filter=} expression over the health entries
     */
    public record ServiceQuery(@JsonProperty("Service") String service,
                               @JsonProperty("Near") String near,
                               @JsonProperty("Filter") String filter,
                               @JsonProperty("Failover") Failover failover,
                               @JsonProperty("IgnoreCheckIDs") List<String> ignoreCheckIds,
                               @JsonProperty("OnlyPassing") boolean onlyPassing,
                               @JsonProperty("Tags") List<String> tags,
                               @JsonProperty("NodeMeta") Map<String, String> nodeMeta,
                               @JsonProperty("ServiceMeta") Map<String, String> serviceMeta) {
        public ServiceQuery {
            service = service == null ? "" : service;
            near = near == null ? "" : near;
            filter = filter == null ? "" : filter;
            failover = failover == null ? new Failover(0, null, null) : failover;
            ignoreCheckIds = ignoreCheckIds == null ? List.of() : List.copyOf(ignoreCheckIds);
            tags = tags == null ? List.of() : List.copyOf(tags);
            nodeMeta = nodeMeta == null ? Map.of() : Map.copyOf(nodeMeta);
            serviceMeta = serviceMeta == null ? Map.of() : Map.copyOf(serviceMeta);
        }
    }

    /** Failover ({@code api.QueryFailoverOptions}); {@code targets} are {@code {"Datacenter": dc}} or {@code {"Peer": p}}. */
    public record Failover(@JsonProperty("NearestN") int nearestN,
                           @JsonProperty("Datacenters") List<String> datacenters,
                           @JsonProperty("Targets") List<Map<String, String>> targets) {
        public Failover {
            datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
            targets = targets == null ? List.of() : List.copyOf(targets);
        }
    }

    /** {@code DNS.TTL}: a Go duration string, empty for the agent's default. */
    public record Dns(@JsonProperty("TTL") String ttl) {
        public Dns {
            ttl = ttl == null ? "" : ttl;
        }
    }

    /** {@code Template}: {@code Type} is {@code name_prefix_match} or empty. */
    public record Template(@JsonProperty("Type") String type,
                           @JsonProperty("Regexp") String regexp,
                           @JsonProperty("RemoveEmptyTags") boolean removeEmptyTags) {
        public Template {
            type = type == null ? "" : type;
            regexp = regexp == null ? "" : regexp;
        }
    }
}
