package io.roster.agent.checks;

import io.roster.api.Durations;

import io.roster.api.CheckDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CheckDefinition} validated the way Consul validates a check type
 * ({@code structs.CheckType.Validate} and the agent's {@code addCheck}), with its durations parsed.
 * Every error is one line, in Consul's words where Consul has them.
 */
record CheckSpec(String id, Kind kind, CheckDefinition def, Duration interval, Duration timeout, Duration ttl,
                 int successBeforePassing, int failuresBeforeWarning, int failuresBeforeCritical) {

    enum Kind { HTTP, TCP, UDP, TTL, SCRIPT, GRPC, ALIAS }

    static final String SCRIPTS_DISABLED = "Scripts are disabled on this agent; to enable, configure "
            + "'enable_script_checks' or 'enable_local_script_checks' to true";

    /** @throws IllegalArgumentException when the definition cannot be run */
    static CheckSpec of(String checkId, CheckDefinition def, boolean scriptsEnabled) {
        if (checkId == null || checkId.isEmpty()) {
            throw new IllegalArgumentException("CheckID missing");
        }
        if (def == null) {
            throw new IllegalArgumentException("Check definition missing");
        }
        Duration interval = duration("Interval", def.interval());
        Duration timeout = duration("Timeout", def.timeout());
        Duration ttl = duration("TTL", def.ttl());
        duration("DeregisterCriticalServiceAfter", def.deregisterCriticalServiceAfter());
        if (def.status() != null && !def.status().isEmpty() && !CheckStatus.isValid(def.status())) {
            throw new IllegalArgumentException("Bad check status");
        }

        List<String> kinds = new ArrayList<>();
        boolean script = def.args() != null && !def.args().isEmpty();
        boolean alias = set(def.aliasNode()) || set(def.aliasService());
        if (set(def.http())) {
            kinds.add("HTTP");
        }
        if (set(def.tcp())) {
            kinds.add("TCP");
        }
        if (set(def.udp())) {
            kinds.add("UDP");
        }
        if (positive(ttl)) {
            kinds.add("TTL");
        }
        if (script) {
            kinds.add("Args");
        }
        if (set(def.grpc())) {
            kinds.add("GRPC");
        }
        if (alias) {
            kinds.add("AliasService/AliasNode");
        }
        boolean intervalCheck = script || set(def.http()) || set(def.tcp()) || set(def.udp()) || set(def.grpc());
        int sbp = orZero(def.successBeforePassing());
        int fbw = orZero(def.failuresBeforeWarning());
        int fbc = orZero(def.failuresBeforeCritical());

        // Consul's checks, in Consul's order and words.
        if (positive(interval) && positive(ttl)) {
            throw new IllegalArgumentException("Interval and TTL cannot both be specified");
        }
        if (intervalCheck && !positive(interval)) {
            throw new IllegalArgumentException(
                    "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks");
        }
        if (intervalCheck && alias) {
            throw new IllegalArgumentException("Interval cannot be set for Alias checks");
        }
        if (alias && positive(ttl)) {
            throw new IllegalArgumentException("TTL must be not be set for Alias checks");
        }
        if (!intervalCheck && !alias && !positive(ttl)) {
            // Also what Consul answers for a check of no kind at all.
            throw new IllegalArgumentException("TTL must be > 0 for TTL checks");
        }
        if (fbw > fbc) {
            throw new IllegalArgumentException("FailuresBeforeWarning can't be higher than FailuresBeforeCritical");
        }
        // Consul silently runs the first kind it knows; Roster refuses the ambiguity.
        if (kinds.size() > 1) {
            throw new IllegalArgumentException("A check may have only one of HTTP, TCP, UDP, TTL, Args, GRPC or "
                    + "AliasService/AliasNode; this one has " + String.join(" and ", kinds));
        }
        if (script && !scriptsEnabled) {
            throw new IllegalArgumentException(SCRIPTS_DISABLED);
        }

        Kind kind = switch (kinds.get(0)) {
            case "HTTP" -> Kind.HTTP;
            case "TCP" -> Kind.TCP;
            case "UDP" -> Kind.UDP;
            case "TTL" -> Kind.TTL;
            case "Args" -> Kind.SCRIPT;
            case "GRPC" -> Kind.GRPC;
            default -> Kind.ALIAS;
        };
        return new CheckSpec(checkId, kind, def, interval, positive(timeout) ? timeout : null, ttl, sbp, fbw, fbc);
    }

    /** The run timeout: the definition's when set, else Consul's default for the kind. */
    Duration timeoutOr(Duration byDefault) {
        return timeout != null ? timeout : byDefault;
    }

    Thresholds thresholds() {
        return new Thresholds(successBeforePassing, failuresBeforeWarning, failuresBeforeCritical);
    }

    private static Duration duration(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + field + ": " + e.getMessage());
        }
    }

    private static boolean set(String s) {
        return s != null && !s.isEmpty();
    }

    private static boolean positive(Duration d) {
        return d != null && d.isPositive();
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }
}
