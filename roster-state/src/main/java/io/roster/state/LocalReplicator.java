package io.roster.state;

import java.util.concurrent.CompletableFuture;

/**
 * The dev-mode replicator: a single in-memory server that is always the leader. It assigns strictly
 * increasing indexes and applies each command immediately, one at a time.
 */
public final class LocalReplicator implements Replicator {
    private final Store store;
    private final String address;
    private long nextIndex;

    public LocalReplicator(Store store, String address) {
        this.store = store;
        this.address = address;
        this.nextIndex = store.lastIndex() + 1;
    }

    @Override
    public synchronized CompletableFuture<ApplyResult> submit(Command command) {
        nextIndex = Math.max(nextIndex, store.lastIndex() + 1);
        try {
            return CompletableFuture.completedFuture(store.apply(nextIndex++, command));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public boolean isLeader() {
        return true;
    }

    @Override
    public String leaderAddress() {
        return address;
    }

    @Override
    public Store store() {
        return store;
    }
}
