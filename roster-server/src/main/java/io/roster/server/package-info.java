/**
 * Raft replication through Apache Ratis (gRPC transport): {@link io.roster.server.RaftReplicator}
 * plugs into the state store's {@link io.roster.state.Replicator} seam, so HTTP handlers do not
 * change between dev mode and a cluster.
 *
 * <p>Theory of operation. A write is encoded by {@link io.roster.state.CommandCodec}; concurrent
 * writes are batched into one entry (at most one entry in flight per server, 2 MB per batch). On
 * the leader the entry is submitted to the local Ratis division in-process; on a follower a Ratis
 * client (writes only) finds the leader, so a follower's handler is forwarded transparently. The
 * leader appends it to the segmented log on disk (fsync'd), replicates it, and every server's
 * {@link io.roster.server.RosterStateMachine} applies it in log order through
 * {@link io.roster.state.Store#apply} with the entry's index; the result travels back in the reply
 * ({@link io.roster.server.ResultCodec}, one tag per {@link io.roster.state.ApplyResult} shape; the
 * servers of a cluster run one version of it). A command larger than 2 MB (a snapshot restore) travels
 * as pieces ({@link io.roster.server.Chunks}) applied whole at the last piece's index.
 * Consistent reads share ReadIndex rounds, each a read request submitted in-process to this
 * server's division (the leader answers from its lease, a follower asks the leader) before
 * reading the local store; never through a Ratis client, whose ordered stream must not mix reads
 * and writes (issue 15). Snapshots are the store's own snapshot format written to Ratis' snapshot
 * directory; a lagging server installs one.
 *
 * <p>The server port is shared: Ratis' gRPC server also carries any extra gRPC services the
 * caller hands to {@link io.roster.server.RaftReplicator} (the agent's server RPC for client
 * agents), installed through Ratis' services customizer; this package knows nothing of what
 * they do.
 *
 * <p>Membership. A replicator made with {@link io.roster.server.RaftReplicator#discovering} (what
 * the agent uses) listens at once with no Raft group, or with the group Ratis recovers from the
 * data directory; {@code bootstrap} adds the initial group on every chosen server (all or nothing:
 * a server holds the group at most once), and the leader's {@code addVoter} gives a new server the
 * empty group and adds it (Ratis setConfiguration). Peer IDs are the agents' node IDs. Deciding
 * when and with whom is the agent's ({@code io.roster.agent.server.RaftMembership}): this package
 * knows nothing of gossip.
 *
 * <p>Storage. Ratis owns the data directory's {@code raft/} tree; {@link io.roster.server.RaftMetaGuard}
 * only keeps a hard link to each group's last complete {@code raft-meta} (term and vote) and puts it
 * back before Ratis starts when a write on a full disk left the file empty (a Ratis bug, see its
 * Javadoc and docs/reliability.md). Default reads are served locally only by a leader Ratis calls
 * leader-ready ({@code leaderReady()}), one that has applied every entry committed before its term.
 *
 * <p>This package owns no HTTP and no clock-driven decisions; the agent's server package does.
 */
package io.roster.server;
