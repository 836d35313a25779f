/**
 * The server side of every write, and the leader's duties: what Consul calls the server RPC
 * endpoints (KVS.Apply, Session.Apply, Txn.Apply) and its leader loops, in
 * {@link io.roster.agent.server.StateServer} (so named not to be confused with the
 * {@code roster-server} module or Jetty's {@code Server}).
 *
 * <p>Here the decisions that need a clock are taken before a command is replicated (lock-delay,
 * session TTL expiry, tombstone reaping, session IDs), so the store's apply stays deterministic.
 * Leader duties run only while {@link io.roster.state.Replicator#isLeader()} is true, among them
 * the {@link io.roster.agent.server.Reconciler} that turns LAN gossip members into catalog nodes
 * with a {@code serfHealth} check, and the {@link io.roster.agent.server.RaftMembership} that
 * bootstraps Raft from the servers gossip knows ({@code bootstrap_expect}) and, on the leader, adds
 * later servers as voters. This package owns no HTTP; handlers in
 * {@code io.roster.agent.http} call it.
 */
package io.roster.agent.server;
