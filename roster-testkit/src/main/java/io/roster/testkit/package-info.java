/**
 * An embeddable Roster for tests: {@link io.roster.testkit.RosterExtension} starts a real dev
 * agent, or a cluster of real Raft servers, in the test's JVM, and {@link io.roster.testkit.RosterTest}
 * registers it from an annotation; {@link io.roster.testkit.Ports} hands out ports below the
 * ephemeral range.
 *
 * <p>Owns: the agents' lifecycle in a test (start, readiness, stop, temporary data directories),
 * port allocation, resetting state between tests through the public HTTP API, and parameter
 * injection. May not touch: agent internals beyond {@link io.roster.agent.Agent}'s public methods
 * and {@link io.roster.agent.AgentConfig}'s builder; state is reset only through the HTTP API,
 * as a user's test would. JUnit is a provided dependency: the user's test brings its version.
 */
package io.roster.testkit;
