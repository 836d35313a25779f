/**
 * This agent's own services and checks (the truth for this machine), and anti-entropy: keeping the
 * catalog's view of this node equal to it. Registration through the agent is the normal path;
 * {@code /v1/catalog/register} writes the catalog directly and anti-entropy removes what this agent
 * does not know about its own node.
 *
 * <p>Owns: {@link io.roster.agent.local.LocalState} (services, checks, maintenance, content
 * hashes) and {@link io.roster.agent.local.AntiEntropy} (sync on change, periodic full sync,
 * rate-limited output updates, reaping of services critical for too long), and
 * {@link io.roster.agent.local.LocalPersistence} (API registrations kept in {@code data_dir}
 * across restarts). It talks to the catalog only through
 * {@link io.roster.agent.local.CatalogAccess}: the local {@link io.roster.agent.server.StateServer}
 * on a server, {@code io.roster.agent.client.RemoteCatalog} (the server RPC) on a client agent. It
 * may not touch the HTTP layer, gossip or Raft.
 */
package io.roster.agent.local;
