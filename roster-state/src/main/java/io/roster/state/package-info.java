/**
 * The state store: the tables (KV with its tombstones and history, sessions, the catalog of nodes,
 * services and checks, prepared queries, network coordinates, ACL tokens, policies and roles), the
 * watch registry that wakes blocking queries, the append-only {@link io.roster.state.Command} set
 * and the one apply switch ({@link io.roster.state.Store#apply}), and snapshot/restore.
 *
 * <p>Theory of operation. Every change is a {@code Command} applied at a log index by
 * {@code Store.apply}, under the store's write lock, inside a {@code Tx} that records what changed
 * (to wake watchers) and how to undo it. Apply is a pure function of (state, index, command): no
 * clock, no randomness, no configuration, no I/O. Whatever depends on time (session TTLs,
 * lock-delay, tombstone reaping) is decided by the leader before replication and arrives here as
 * an explicit command. Reads take the read lock (through {@code Store.read}, the one place that
 * does) and register the rows they touched on a {@link io.roster.state.WatchSet} while still
 * holding it, so a write that commits after the read always finds the watcher, and one that
 * committed before is visible to the read: no wake-up is lost.
 *
 * <p>Who owns what. Each table class owns its rows and secondary indexes, its reads (the watches
 * they register and the index they report), its writes inside an open {@code Tx} with their undo,
 * and its snapshot rows and their restore; no other class reads or writes its maps. {@code Store}
 * owns the lock, the {@code Tx} and the apply switch, and wires the tables that one write reaches
 * across (a session's keys and queries, the sessions a catalog change ends). {@code Snapshot} owns
 * the file format; {@code Command.Batch} the rules of a batch; {@link io.roster.state.ApplyResult}
 * the shapes an apply returns (sealed: its readers switch over it with no default branch).
 *
 * <p>This package may not touch the network, threads of its own, or any clock.
 */
package io.roster.state;
