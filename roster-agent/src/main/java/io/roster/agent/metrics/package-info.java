/**
 * The agent's metrics on Micrometer: {@link io.roster.agent.metrics.AgentMetrics} (HTTP requests
 * per route, apply time per command type, parked blocking queries, check updates), served by
 * {@code /v1/agent/metrics} in Consul's JSON shape and in the Prometheus text format;
 * {@link io.roster.agent.metrics.ConsulMetrics} keeps Consul's metric names ({@code consul.raft.apply},
 * {@code consul.rpc.request}, ...) for dashboards written against Consul;
 * {@link io.roster.agent.metrics.MeteredReplicator} times replicated writes, and
 * {@link io.roster.agent.metrics.LeaderContact} samples, on the leader, how long ago each follower
 * last answered ({@code consul.raft.leader.lastContact}).
 *
 * <p>Owns counting only: it takes no decision, holds no state of the catalog, and never puts a
 * request's token, key or value in a metric name or label (labels are route patterns, not paths).
 */
package io.roster.agent.metrics;
