/**
 * The agent process as a whole: {@link io.roster.agent.Agent} builds and starts its parts in order
 * (state and replicator, server duties, the LAN gossip member, local services and checks with
 * anti-entropy, the HTTP API, DNS) and stops each of them, even when an earlier one fails to stop;
 * {@link io.roster.agent.AgentConfig} is the resolved configuration every part reads (built by
 * {@code config} from files and flags, never changed after start except through reload);
 * {@link io.roster.agent.Version} names the Consul API version Roster answers as.
 *
 * <p>Owns the wiring and the lifecycle only. What a request means belongs to {@code http},
 * {@code dns} and {@code server}; what a check does to {@code checks}; membership to {@code lan}.
 * May not reach into the tables of {@link io.roster.state.Store} (it reads through the store's
 * public reads, and writes only through a {@link io.roster.state.Replicator}).
 */
package io.roster.agent;
