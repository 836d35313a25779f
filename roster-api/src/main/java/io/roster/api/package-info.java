/**
 * The wire types of Consul's HTTP API v1 as Java records, with Consul's PascalCase JSON names
 * ({@link io.roster.api.KvPair}, {@link io.roster.api.ServiceEntry}, {@link io.roster.api.HealthCheck},
 * {@link io.roster.api.TxnOp}, ...), their JSON mapping ({@link io.roster.api.Json}: Go durations,
 * unsigned 64-bit indexes), and {@link io.roster.api.RosterClient}, a small typed client on the
 * JDK's {@code HttpClient} with blocking queries ({@link io.roster.api.QueryOptions},
 * {@link io.roster.api.QueryResult}).
 *
 * <p>Depends on Jackson only; knows nothing of the state store, Raft or the agent, so that the CLI,
 * the tools and users' programs can use it alone. A type changes only as Consul's JSON does: a
 * field is added with Consul's name, never renamed.
 */
package io.roster.api;
