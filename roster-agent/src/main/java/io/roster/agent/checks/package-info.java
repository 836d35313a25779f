/**
 * The agent's health-check runners: HTTP, TCP, UDP, TTL, script ({@code Args}), gRPC and alias
 * checks, run the way Consul's {@code agent/checks} package runs them, with Consul's defaults,
 * thresholds ({@code SuccessBeforePassing}, {@code FailuresBeforeWarning},
 * {@code FailuresBeforeCritical}), output limits and output texts.
 *
 * <p>Theory of operation. {@link io.roster.agent.checks.CheckRunners} validates a
 * {@link io.roster.api.CheckDefinition} into a {@code CheckSpec} and keeps one {@code Runner} per
 * check ID. An {@code IntervalRunner} asks the caller's scheduler to wake it; each run is a new
 * virtual thread that calls the check's {@code Probe}, which does blocking I/O bounded by the
 * check's timeout. The result passes through {@code Thresholds} and reaches the
 * {@link io.roster.agent.checks.CheckSink} only if it differs from the last one reported. A
 * {@code TtlRunner} has no probe: {@code ttlUpdate} sets its status, and a timer turns it critical
 * when the TTL lapses. Platform threads stay O(1) in the number of checks.
 *
 * <p>What this package may not touch: the agent's local state, the catalog and the HTTP API. It
 * knows checks only by ID and reports through the sink; the caller owns registration, the initial
 * status, persistence, anti-entropy and {@code DeregisterCriticalServiceAfter}. It owns no threads
 * beyond the virtual threads of runs and the JDK HTTP clients' selectors, and never shuts down the
 * scheduler it is given.
 */
package io.roster.agent.checks;
