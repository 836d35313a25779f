package io.roster.agent.metrics;

import io.roster.state.Command;
import io.roster.state.Replicator;
import io.roster.state.Store;
import java.util.concurrent.CompletableFuture;

/** A decorator that times every command from submission to its applied result, by command type. */
public final class MeteredReplicator implements Replicator {
    private final Replicator inner;
    private final AgentMetrics metrics;

    public MeteredReplicator(Replicator inner, AgentMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<io.roster.state.ApplyResult> submit(Command command) {
        long t0 = System.nanoTime();
        String type = command.type().name().toLowerCase(java.util.Locale.ROOT);
        return inner.submit(command).whenComplete((r, e) -> metrics.apply(type, System.nanoTime() - t0));
    }

    @Override
    public boolean isLeader() {
        return inner.isLeader();
    }

    @Override
    public boolean leaderReady() {
        return inner.leaderReady();
    }

    @Override
    public String leaderAddress() {
        return inner.leaderAddress();
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        return inner.readBarrier();
    }

    @Override
    public java.util.List<String> peers() {
        return inner.peers();
    }

    @Override
    public java.util.Map<String, String> peerIds() {
        return inner.peerIds();
    }

    @Override
    public CompletableFuture<Void> removePeer(String addressOrId) {
        return inner.removePeer(addressOrId);
    }

    @Override
    public long configurationIndex() {
        return inner.configurationIndex();
    }

    @Override
    public long term() {
        return inner.term();
    }

    @Override
    public java.util.List<PeerStatus> peerStatus() {
        return inner.peerStatus();
    }

    @Override
    public void close() {
        inner.close();
    }

    /** The replicator this one decorates. */
    public Replicator inner() {
        return inner;
    }

    @Override
    public Store store() {
        return inner.store();
    }
}
