package io.roster.state;

import java.util.concurrent.CompletableFuture;

/**
 * The seam between handlers and replication. A write is submitted as a {@link Command}; the future
 * completes with apply's result once the command is committed and applied locally.
 * Dev mode uses {@link LocalReplicator}; server mode plugs Apache Ratis in behind the same interface.
 */
public interface Replicator extends AutoCloseable {
    /** Replicates and applies {@code command}; completes with the result of {@link Store#apply}. */
    CompletableFuture<ApplyResult> submit(Command command);

    /** Whether this server is the leader now (leader duties run only there). */
    boolean isLeader();

    /**
     * Whether this server leads and its store already holds every write committed before its term,
     * so that it may answer a default-consistency read from its store. A leader just elected (after
     * a restart of every server, say) may not have applied its log yet; it takes the read barrier.
     */
    default boolean leaderReady() {
        return isLeader();
    }

    /** The leader's server address ({@code host:port}), or empty when there is none. */
    String leaderAddress();

    /**
     * Completes once this server's store reflects every write committed before the call (a
     * linearizable read barrier). A single in-memory server is always up to date.
     */
    default CompletableFuture<Void> readBarrier() {
        return CompletableFuture.completedFuture(null);
    }

    /** The server addresses of the cluster ({@code /v1/status/peers}). */
    default java.util.List<String> peers() {
        String l = leaderAddress();
        return l.isEmpty() ? java.util.List.of() : java.util.List.of(l);
    }

    /**
     * The servers of the Raft configuration: peer ID to address ({@code host:port}), in order. IDs
     * default to the address with {@code _} for {@code :}.
     */
    default java.util.Map<String, String> peerIds() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        peers().forEach(p -> out.put(p.replace(':', '_'), p));
        return out;
    }

    /**
     * Removes a server from the Raft configuration, by address or ID
     * ({@code DELETE /v1/operator/raft/peer}). A single in-memory server has only itself.
     */
    default CompletableFuture<Void> removePeer(String addressOrId) {
        if (peers().contains(addressOrId)) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot remove the only server of the cluster"));
        }
        return CompletableFuture.failedFuture(peerNotFound(addressOrId));
    }

    /** Consul's error for a peer that is not in the configuration, by address ({@code host:port}) or ID. */
    static java.util.NoSuchElementException peerNotFound(String addressOrId) {
        return new java.util.NoSuchElementException((addressOrId.contains(":") ? "address" : "id")
                + " \"" + addressOrId + "\" was not found in the Raft configuration");
    }

    /**
     * The Raft index of the configuration in force ({@code Index} of
     * {@code /v1/operator/raft/configuration}): it moves only when the set of servers changes,
     * not with every write. A single in-memory server has its bootstrap configuration, index 1,
     * as a dev Consul reports.
     */
    default long configurationIndex() {
        return 1;
    }

    /** The current Raft term (1 for a single in-memory server). */
    default long term() {
        return 1;
    }

    /**
     * One server's replication as this server sees it, for autopilot's health:
     * {@code lastContactNanos} is -1 when unknown, 0 for the leader itself.
     */
    record PeerStatus(String address, boolean leader, boolean voter, long lastContactNanos, long lastIndex) {
    }

    /**
     * What this server knows of every server's replication. The leader knows its followers'
     * match index and time since their last answer; a follower knows only itself. A single
     * in-memory server is its own leader, always up to date.
     */
    default java.util.List<PeerStatus> peerStatus() {
        java.util.List<PeerStatus> out = new java.util.ArrayList<>();
        String leader = leaderAddress();
        for (String p : peers()) {
            boolean isLeader = p.equals(leader);
            out.add(new PeerStatus(p, isLeader, true, isLeader ? 0 : -1, store().lastIndex()));
        }
        return out;
    }

    /** Stops replicating (a cluster server leaves its Raft group's transport and closes its log). */
    @Override
    default void close() {
    }

    /** The store this replicator applies to. */
    Store store();
}
