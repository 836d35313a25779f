/**
 * The state store: the tables (KV, tombstones, sessions, the catalog of nodes, services and
 * checks, prepared queries, network coordinates), the watch registry that wakes blocking queries, the append-only
 * {@link io.roster.state.Command} set and the one apply switch ({@link io.roster.state.Store#apply}),
 * and snapshot/restore.
 *
 * <p>Theory of operation. Every change is a {@code Command} applied at a log index by
 * {@code Store.apply}, under the store's write lock. Apply is a pure function of (state, index,
 * command): no clock, no randomness, no configuration, no I/O. Whatever depends on time (session
 * TTLs, lock-delay, tombstone reaping) is decided by the leader before replication and arrives here
 * as an explicit command. Reads take the read lock and register the rows they touched on a
 * {@link io.roster.state.WatchSet} while still holding it, so a write that commits after the read
 * always finds the watcher, and one that committed before is visible to the read: no wake-up is lost.
 *
 * <p>This package may not touch the network, threads of its own, or any clock.
 */
package io.roster.state;
