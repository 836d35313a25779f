/**
 * Network coordinates between the gossip layer and the catalog (issue 21): every agent sends its
 * coordinate ({@link io.roster.agent.coordinate.CoordinateSync}, Consul's rate-scaled interval);
 * servers gather updates and write them to the log in batches
 * ({@link io.roster.agent.coordinate.CoordinateUpdates}). The coordinates themselves are computed in
 * roster-gossip; the table is roster-state's; reads and {@code ?near=} sorting are the HTTP API's
 * and {@link io.roster.agent.query.Near}'s.
 * <p>It writes only through the {@link io.roster.state.Replicator} ({@code CoordinateBatch}
 * commands) and reads no table itself; it may not touch HTTP or the store's maps.
 */
package io.roster.agent.coordinate;
