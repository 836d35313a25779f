package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** A check's current state, as {@code /v1/health/*}, {@code /v1/agent/checks} and catalog registrations carry it. */
@JsonPropertyOrder({"Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID", "ServiceName", "ServiceTags",
    "Type", "Interval", "Timeout", "ExposedPort", "Definition", "CreateIndex", "ModifyIndex"})
public record HealthCheck(@JsonProperty("Node") String node,
                          @JsonProperty("CheckID") String checkId,
                          @JsonProperty("Name") String name,
                          @JsonProperty("Status") String status,
                          @JsonProperty("Notes") String notes,
                          @JsonProperty("Output") String output,
                          @JsonProperty("ServiceID") String serviceId,
                          @JsonProperty("ServiceName") String serviceName,
                          @JsonProperty("ServiceTags") List<String> serviceTags,
                          @JsonProperty("Type") String type,
                          @JsonProperty("Interval") String interval,
                          @JsonProperty("Timeout") String timeout,
                          @JsonProperty("ExposedPort") int exposedPort,
                          @JsonProperty("Definition") Map<String, Object> definition,
                          @JsonProperty("CreateIndex") long createIndex,
                          @JsonProperty("ModifyIndex") long modifyIndex) {

    public static final String PASSING = "passing";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
    public static final String MAINTENANCE = "maintenance";

    public HealthCheck {
        node = node == null ? "" : node;
        checkId = checkId == null ? "" : checkId;
        name = name == null ? "" : name;
        status = status == null || status.isEmpty() ? CRITICAL : status;
        notes = notes == null ? "" : notes;
        output = output == null ? "" : output;
        serviceId = serviceId == null ? "" : serviceId;
        serviceName = serviceName == null ? "" : serviceName;
        serviceTags = serviceTags == null ? List.of() : List.copyOf(serviceTags);
        type = type == null ? "" : type;
        interval = interval == null ? "" : interval;
        timeout = timeout == null ? "" : timeout;
        definition = definition == null ? Map.of() : definition;
    }

    /**
     * The worst status of a set of checks, as Consul aggregates health: critical > warning > passing;
     * maintenance counts as critical. An empty set is passing.
     */
    public static String aggregate(java.util.Collection<HealthCheck> checks) {
        String worst = PASSING;
        for (HealthCheck c : checks) {
            String s = c.status();
            if (s.equals(CRITICAL) || s.equals(MAINTENANCE)) {
                return CRITICAL;
            }
            if (s.equals(WARNING)) {
                worst = WARNING;
            }
        }
        return worst;
    }

    /** A check of this node ({@code serviceId} empty) or of one of its services. */
    public static HealthCheck of(String node, String checkId, String name, String status, String output,
                                 String serviceId, String type) {
        return new HealthCheck(node, checkId, name, status, "", output, serviceId, "", List.of(), type, "", "", 0,
                Map.of(), 0, 0);
    }

    public HealthCheck withIndexes(long create, long modify) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName, serviceTags, type,
                interval, timeout, exposedPort, definition, create, modify);
    }

    public HealthCheck withService(String svcName, List<String> svcTags) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, svcName, svcTags, type,
                interval, timeout, exposedPort, definition, createIndex, modifyIndex);
    }

    public HealthCheck withStatus(String newStatus, String newOutput) {
        return new HealthCheck(node, checkId, name, newStatus, notes, newOutput, serviceId, serviceName, serviceTags,
                type, interval, timeout, exposedPort, definition, createIndex, modifyIndex);
    }

    /** Equal in everything but the indexes. */
    public boolean sameAs(HealthCheck o) {
        return o != null && node.equals(o.node) && checkId.equals(o.checkId) && name.equals(o.name)
                && status.equals(o.status) && notes.equals(o.notes) && output.equals(o.output)
                && serviceId.equals(o.serviceId) && serviceName.equals(o.serviceName) && serviceTags.equals(o.serviceTags)
                && type.equals(o.type) && interval.equals(o.interval) && timeout.equals(o.timeout)
                && exposedPort == o.exposedPort;
    }
}
