/**
 * The agent's seat in the LAN gossip pool: one {@link io.roster.gossip.Gossip} member per agent
 * (dev, server and client alike) with Consul's member tags, the retry-join loop, user events as
 * Consul shapes them (filters applied by each receiving agent, the last 256 kept), and the
 * keyring as {@code /v1/operator/keyring} shows it.
 *
 * <p>It owns no catalog state: membership changes are handed to whoever listens (the leader's
 * {@link io.roster.agent.server.Reconciler}, the client agent's server list). Gossip listener
 * callbacks run on the gossip event loop, so everything here that they reach returns at once.
 */
package io.roster.agent.lan;
