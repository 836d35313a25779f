package io.roster.api;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Map;

/**
 * A health check as an agent is asked to run it: the body of {@code PUT /v1/agent/check/register},
 * the {@code Check}/{@code Checks} of a service registration, and a {@code check}/{@code checks}
 * block of a config file. Exactly one kind is set: {@code HTTP}, {@code TCP}, {@code UDP},
 * {@code TTL}, {@code Args} (script), {@code GRPC}, or {@code AliasService}/{@code AliasNode}.
 * Durations are Go duration strings or JSON numbers of nanoseconds ({@link GoDurationJson}), parsed (with errors naming the field) by the check runners.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckDefinition(
        @JsonProperty("ID") @JsonAlias({"CheckID", "check_id"}) String id,
        @JsonProperty("Name") String name,
        @JsonProperty("Notes") String notes,
        @JsonProperty("ServiceID") String serviceId,
        @JsonProperty("Status") String status,
        @JsonProperty("HTTP") String http,
        @JsonProperty("Method") String method,
        @JsonProperty("Header") Map<String, List<String>> header,
        @JsonProperty("Body") String body,
        @JsonProperty("TLSSkipVerify") Boolean tlsSkipVerify,
        @JsonProperty("TLSServerName") String tlsServerName,
        @JsonProperty("TCP") String tcp,
        @JsonProperty("UDP") String udp,
        @JsonProperty("TTL") @JsonDeserialize(using = GoDurationJson.class) String ttl,
        @JsonProperty("Args") @JsonAlias({"ScriptArgs"}) List<String> args,
        @JsonProperty("GRPC") String grpc,
        @JsonProperty("GRPCUseTLS") Boolean grpcUseTls,
        @JsonProperty("AliasNode") String aliasNode,
        @JsonProperty("AliasService") String aliasService,
        @JsonProperty("Interval") @JsonDeserialize(using = GoDurationJson.class) String interval,
        @JsonProperty("Timeout") @JsonDeserialize(using = GoDurationJson.class) String timeout,
        @JsonProperty("DeregisterCriticalServiceAfter") @JsonDeserialize(using = GoDurationJson.class) String deregisterCriticalServiceAfter,
        @JsonProperty("SuccessBeforePassing") Integer successBeforePassing,
        @JsonProperty("FailuresBeforeWarning") Integer failuresBeforeWarning,
        @JsonProperty("FailuresBeforeCritical") Integer failuresBeforeCritical) {

    /** The kinds of check, as Consul's {@code Type} field names them. */
    public String type() {
        if (http != null) {
            return "http";
        }
        if (tcp != null) {
            return "tcp";
        }
        if (udp != null) {
            return "udp";
        }
        if (ttl != null) {
            return "ttl";
        }
        if (args != null && !args.isEmpty()) {
            return "script";
        }
        if (grpc != null) {
            return "grpc";
        }
        if (aliasService != null || aliasNode != null) {
            return "alias";
        }
        return "";
    }

    /** A copy with {@code id}, {@code name} and {@code serviceId} replaced (used when a service names its checks). */
    public CheckDefinition withIdentity(String newId, String newName, String newServiceId) {
        return new CheckDefinition(newId, newName, notes, newServiceId, status, http, method, header, body,
                tlsSkipVerify, tlsServerName, tcp, udp, ttl, args, grpc, grpcUseTls, aliasNode, aliasService,
                interval, timeout, deregisterCriticalServiceAfter, successBeforePassing, failuresBeforeWarning,
                failuresBeforeCritical);
    }
}
