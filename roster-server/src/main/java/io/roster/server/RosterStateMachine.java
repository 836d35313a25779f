package io.roster.server;

import io.roster.state.ApplyResult;
import io.roster.state.Command;
import io.roster.state.CommandCodec;
import io.roster.state.Store;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: applies each committed entry to the {@link Store} at the entry's log
 * index (deterministic; Ratis calls it from one thread in log order), and saves/loads the store
 * as snapshots.
 */
final class RosterStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(RosterStateMachine.class);

    private final Store store;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Consumer<RaftPeerId> leaderChanged;
    /** Pieces of commands too large for one entry; touched only by Ratis' apply thread (and snapshot, on it). */
    private final Chunks chunks = new Chunks();

    RosterStateMachine(Store store, Consumer<RaftPeerId> leaderChanged) {
        this.store = store;
        this.leaderChanged = leaderChanged;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadLatestSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
    }

    private void loadLatestSnapshot() throws IOException {
        chunks.clear();
        SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
        if (snap == null) {
            return;
        }
        File f = snap.getFile().getPath().toFile();
        verifyDigest(f, snap.getFile().getFileDigest());
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f.toPath()))) {
            store.restore(in);
        }
        updateLastAppliedTermIndex(snap.getTermIndex());
        LOG.info("loaded snapshot {} (index {})", f.getName(), snap.getIndex());
    }

    /**
     * Refuses a snapshot whose bytes are not the ones written: the log before it is purged, so
     * loading a damaged file would start this server with state the others do not have. The MD5
     * is the one {@link #takeSnapshot} saved beside the file; a snapshot without one (an older
     * data directory) is loaded as it is.
     */
    static void verifyDigest(File f, org.apache.ratis.io.MD5Hash recorded) throws IOException {
        if (recorded == null) {
            return;
        }
        org.apache.ratis.io.MD5Hash actual = MD5FileUtil.computeMd5ForFile(f);
        if (!recorded.equals(actual)) {
            throw new IOException("snapshot " + f + " is damaged (its MD5 " + actual + " is not the recorded "
                    + recorded + "): remove this server's data directory and let it catch up from the others");
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        ApplyResult result;
        long index = entry.getIndex();
        Command c;
        if (Chunks.isChunk(data)) {
            Chunks.Outcome o = chunks.accept(index, data);
            c = o instanceof Chunks.Whole w ? w.command() : null;
            result = o instanceof Chunks.Failed f ? f.error() : ApplyResult.None.INSTANCE;
        } else {
            if (!chunks.idle()) {
                chunks.expire(index);
            }
            c = CommandCodec.decode(data);
            result = ApplyResult.None.INSTANCE; // null c: an ignorable command this server does not know
        }
        if (c != null) {
            try {
                result = store.apply(index, c);
            } catch (RuntimeException e) {
                // The store rolled the command back; every server fails it the same way.
                LOG.warn("command at index {} failed: {}", index, e.toString());
                result = new io.roster.state.ApplyError("apply failed: " + e.getMessage());
            }
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        // Only the leader's reply reaches a client: followers skip encoding results.
        if (trx.getServerRole() != org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER) {
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(ResultCodec.encode(result))));
    }

    /** Linearizable reads come here after ReadIndex; the caller then reads the local store. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return INVALID_INDEX;
        }
        if (!chunks.idle()) {
            // A large command is half assembled: a snapshot now would lose its first pieces on a
            // restart (the log before it is purged). Ratis asks again after the next entries.
            return INVALID_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(file.getParentFile(), file.getName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.toPath()))) {
            store.snapshot(out);
        }
        Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
                new org.apache.ratis.server.storage.FileInfo(file.toPath(), md5), last));
        LOG.info("snapshot taken at index {}", last.getIndex());
        return last.getIndex();
    }

    private static final long INVALID_INDEX = -1;

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderChanged.accept(newLeaderId);
    }
}
