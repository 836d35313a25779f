/**
 * Prepared queries (issue 21), on the server side: what Consul's {@code PreparedQuery.Apply} checks
 * before a definition is replicated ({@link io.roster.agent.query.PreparedQueries}: the leader picks
 * the ID; Consul's texts), templates ({@link io.roster.agent.query.Templates}: checked when stored,
 * rendered for the name asked), and execution: resolve, select the healthy matching instances
 * ({@link io.roster.agent.query.QueryExecutor}: health, {@code Tags} with {@code !tag},
 * {@code NodeMeta}, {@code ServiceMeta}, {@code Filter}), shuffle, sort by estimated round trip
 * ({@link io.roster.agent.query.Near}, also used by {@code ?near=} on catalog and health reads), put
 * the near node first, limit. The HTTP API ({@code http.PreparedQueryEndpoint}) and DNS
 * ({@code dns.Resolver}, {@code <name>.query.<domain>}) share it.
 *
 * <p>The table itself is roster-state's; this package reads the {@link io.roster.state.Store} and
 * submits commands through the {@link io.roster.state.Replicator}, nothing else: no sockets, no
 * timers. Failover to other datacenters is not followed yet ({@code Failovers} is 0).
 */
package io.roster.agent.query;
