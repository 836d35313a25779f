/**
 * Raft replication through Apache Ratis (gRPC transport): {@link io.roster.server.RaftReplicator}
 * plugs into the state store's {@link io.roster.state.Replicator} seam, so HTTP handlers do not
 * change between dev mode and a cluster.
 *
 * <p>Theory of operation. A write is encoded by {@link io.roster.state.CommandCodec} and sent with a
 * Ratis client, which finds the leader (a follower's handler is thereby forwarded transparently).
 * The leader appends it to the segmented log on disk (fsync'd), replicates it, and every server's
 * {@link io.roster.server.RosterStateMachine} applies it in log order through
 * {@link io.roster.state.Store#apply} with the entry's index; the result travels back in the reply
 * ({@link io.roster.server.ResultCodec}). Consistent reads ask Ratis for a linearizable read
 * (ReadIndex) against the local server before reading the local store. Snapshots are the store's
 * own snapshot format written to Ratis' snapshot directory; a lagging server installs one.
 *
 * <p>Membership. A replicator made with {@link io.roster.server.RaftReplicator#discovering} (what
 * the agent uses) listens at once with no Raft group, or with the group Ratis recovers from the
 * data directory; {@code bootstrap} adds the initial group on every chosen server (all or nothing:
 * a server holds the group at most once), and the leader's {@code addVoter} gives a new server the
 * empty group and adds it (Ratis setConfiguration). Peer IDs are the agents' node IDs. Deciding
 * when and with whom is the agent's ({@code io.roster.agent.server.RaftMembership}): this package
 * knows nothing of gossip.
 *
 * <p>This package owns no HTTP and no clock-driven decisions; the agent's server package does.
 */
package io.roster.server;
