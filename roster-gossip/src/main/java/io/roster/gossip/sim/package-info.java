/**
 * Simulation: a seeded network with loss, delay, partitions and slow members on a virtual-time
 * scheduler, a cluster harness with recording listeners, and the report runner behind
 * {@code bench/run-gossip}. Uses only the public API of {@code io.roster.gossip}.
 */
package io.roster.gossip.sim;
