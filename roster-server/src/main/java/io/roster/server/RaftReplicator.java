package io.roster.server;

import io.roster.state.Command;
import io.roster.state.CommandCodec;
import io.roster.state.Replicator;
import io.roster.state.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster replicator: Apache Ratis on gRPC, with the Raft log and snapshots under
 * {@code <data-dir>/raft}. Writes go through a Ratis client that finds the leader; consistent
 * reads use Ratis' linearizable read (ReadIndex) on this server.
 */
public final class RaftReplicator implements Replicator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftReplicator.class);
    /** How long a write or a consistent read may wait for a leader before "No cluster leader". */
    static final TimeDuration LEADER_WAIT = TimeDuration.valueOf(10, TimeUnit.SECONDS);
    private static final int CLIENTS = 16;

    private final Store store;
    private final String selfAddress;
    private final Map<RaftPeerId, String> addresses = new LinkedHashMap<>();
    private final RaftPeerId selfId;
    private final RaftGroup group;
    private final RaftServer server;
    /** Clients used round-robin: each Ratis client orders its own requests, so one would serialize every write. */
    private final RaftClient[] clients;
    private final java.util.concurrent.atomic.AtomicInteger nextClient = new java.util.concurrent.atomic.AtomicInteger();
    private final RaftClient client;
    private final List<Runnable> leaderListeners = new CopyOnWriteArrayList<>();

    /**
     * @param selfAddress   this server's Raft address ({@code host:port}, the server port)
     * @param peerAddresses every server's Raft address, this one included (a static, bootstrapped group)
     * @param dataDir       this server's data directory; the log and snapshots go to {@code dataDir/raft}
     * @param snapshotEvery take a snapshot (and truncate the log) every this many entries
     * @param datacenter    names the Raft group, so servers of different datacenters never mix
     */
    public RaftReplicator(Store store, String selfAddress, List<String> peerAddresses, Path dataDir,
                          long snapshotEvery, String datacenter) throws IOException {
        this.store = store;
        this.selfAddress = selfAddress;
        List<RaftPeer> peers = new ArrayList<>();
        for (String a : peerAddresses) {
            RaftPeerId id = peerId(a);
            if (addresses.put(id, a) == null) {
                peers.add(RaftPeer.newBuilder().setId(id).setAddress(a).build());
            }
        }
        this.selfId = peerId(selfAddress);
        if (!addresses.containsKey(selfId)) {
            throw new IllegalArgumentException("this server's address " + selfAddress + " is not among the peers " + peerAddresses);
        }
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                ("roster-" + datacenter).getBytes(StandardCharsets.UTF_8))), peers);
        RaftProperties p = properties(selfAddress, dataDir, snapshotEvery);
        RosterStateMachine sm = new RosterStateMachine(store, leader -> leaderListeners.forEach(Runnable::run));
        this.server = RaftServer.newBuilder().setServerId(selfId).setGroup(group).setStateMachine(sm)
                .setProperties(p).setOption(RaftStorage.StartupOption.RECOVER).build();
        this.clients = new RaftClient[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = RaftClient.newBuilder().setProperties(p).setRaftGroup(group)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                    .build();
        }
        this.client = clients[0];
    }

    /** Ratis settings that matter (see DESIGN.md): gRPC, linearizable reads with leader lease, auto-snapshots. */
    private static RaftProperties properties(String selfAddress, Path dataDir, long snapshotEvery) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        int port = Integer.parseInt(selfAddress.substring(selfAddress.lastIndexOf(':') + 1));
        GrpcConfigKeys.Server.setPort(p, port);
        GrpcConfigKeys.Server.setHost(p, selfAddress.substring(0, selfAddress.lastIndexOf(':')));
        RaftServerConfigKeys.setStorageDir(p, List.of(dataDir.resolve("raft").toFile()));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Read.setTimeout(p, LEADER_WAIT);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEvery);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("32MB"));
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        return p;
    }

    /** A stable Raft peer ID for an address, the same on every server. */
    static RaftPeerId peerId(String address) {
        return RaftPeerId.valueOf(address.replace(':', '_'));
    }

    public RaftReplicator start() throws IOException {
        server.start();
        LOG.info("Raft server {} started; group {} with peers {}", selfId, group.getGroupId(), addresses.values());
        return this;
    }

    /** Runs {@code r} whenever this server learns of a new leader (leader duties follow it). */
    public void onLeaderChange(Runnable r) {
        leaderListeners.add(r);
    }

    @Override
    public CompletableFuture<Object> submit(Command command) {
        Message m = Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command)));
        RaftClient c = clients[Math.floorMod(nextClient.getAndIncrement(), CLIENTS)];
        return c.async().send(m).handle((reply, err) -> {
            if (err != null) {
                // The client gave up finding a leader (bounded retries): Consul's answer.
                throw new CompletionException(noLeader(err));
            }
            return result(reply);
        });
    }

    private static Object result(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(noLeader(reply.getException()));
        }
        return ResultCodec.decode(reply.getMessage().getContent().toByteArray());
    }

    private static RuntimeException noLeader(Throwable cause) {
        return new IllegalStateException("No cluster leader", cause);
    }

    /**
     * Completes once this server's store reflects every write committed before the call
     * (Ratis linearizable read), or fails with "No cluster leader" after a bounded wait.
     */
    @Override
    public CompletableFuture<Void> readBarrier() {
        return client.async().sendReadOnly(Message.EMPTY, selfId).handle((reply, err) -> {
            if (err != null) {
                throw new CompletionException(noLeader(err));
            }
            if (!reply.isSuccess()) {
                throw new CompletionException(noLeader(reply.getException()));
            }
            return null;
        });
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String leaderAddress() {
        try {
            RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            return leader == null ? "" : addresses.getOrDefault(leader, "");
        } catch (IOException e) {
            return "";
        }
    }

    /** The Raft addresses of every server in the group. */
    public List<String> peers() {
        return new ArrayList<>(addresses.values());
    }

    public String selfAddress() {
        return selfAddress;
    }

    @Override
    public Store store() {
        return store;
    }

    @Override
    public void close() {
        for (RaftClient c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.warn("Raft client close: {}", e.toString());
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Raft server close: {}", e.toString());
        }
    }
}
