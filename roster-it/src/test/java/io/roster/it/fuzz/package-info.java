/**
 * Seeded fuzzers: {@link io.roster.it.fuzz.HttpFuzzTest} sends random requests over raw sockets to
 * the HTTP API of a dev agent in this JVM (no answer may be a 5xx other than Consul's documented
 * texts, or carry an exception, a stack trace or a Java class name);
 * {@link io.roster.it.fuzz.CommandCodecFuzzTest} feeds random and mutated entries to the Raft
 * command codec's decoder. Each prints its seed; {@code -Dfuzz.seed} replays, {@code -Dfuzz.inputs}
 * scales. The gossip codec has its own fuzz test in roster-gossip. See docs/reliability.md.
 *
 * <p>What it may not touch: nothing outside its own agent on 127.0.0.1 and a free port.
 */
package io.roster.it.fuzz;
