package io.roster.server;

import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
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
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
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
    private final Path raftDir;
    private volatile RaftMetaGuard metaGuard;
    /** How long a write or a consistent read may wait for a leader before "No cluster leader". */
    static final TimeDuration LEADER_WAIT = TimeDuration.valueOf(10, TimeUnit.SECONDS);
    private static final int CLIENTS = 16;
    /**
     * Raft entries outstanding from this server at once; further writes wait and travel together.
     * One is best measured (RaftWriteLoad, 3 in-process servers, 64 writers): 7,200-8,300 writes/s
     * with 16 writes per entry, against 3,500-4,800 with 4 in flight and 1,600-2,600 with 8: Ratis'
     * cost is per entry, so whole-queue batches win, as in a group commit.
     */
    private static final int MAX_IN_FLIGHT = Integer.getInteger("roster.raft.maxInFlight", 1);
    private static final int MAX_BATCH = 512;
    /**
     * Bytes of commands in one batch entry: an entry must stay under Ratis' appender byte limit
     * ({@code raft.server.log.appender.buffer.byte-limit}, 4 MB), or replication stops on an assertion.
     */
    private static final int MAX_BATCH_BYTES = Chunks.PIECE_BYTES;

    private final Store store;
    private final String selfAddress;
    private final Map<RaftPeerId, String> addresses = new LinkedHashMap<>();
    private final boolean join;
    /** Servers found through gossip: no static group; see {@link #discovering}. */
    private final boolean discovering;
    private final RaftProperties properties;
    /** Ratis' TLS settings for this server's clients (peers, admin); empty without TLS. */
    private final org.apache.ratis.conf.Parameters clientParameters;

    /**
     * TLS on the server port: the key presented and the trust that checks the other side, both
     * consulted on every handshake (so certificates can be renewed behind them).
     *
     * @param keys          this server's certificate and key
     * @param trust         checks peers' chains (and names), as the agent's TLS settings say
     * @param requireClient whether callers must present a certificate ({@code verify_incoming})
     * @param protocols     the TLS versions allowed ({@code TLSv1.2}, {@code TLSv1.3}); empty: the JDK's
     * @param cipherSuites  the cipher suites allowed; empty: the JDK's
     */
    public record Tls(javax.net.ssl.KeyManager keys, javax.net.ssl.TrustManager trust, boolean requireClient,
                      List<String> protocols, List<String> cipherSuites) {
        public Tls {
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
        }

        /** Ratis' form, for the side that accepts ({@code mutual}: asks for the caller's certificate) or dials. */
        org.apache.ratis.grpc.GrpcTlsConfig ratis(boolean mutual) {
            org.apache.ratis.grpc.GrpcTlsConfig.Builder b = org.apache.ratis.grpc.GrpcTlsConfig.newBuilder()
                    .setKeyManager(keys).setTrustManager(trust).setMutualTls(mutual);
            if (!protocols.isEmpty()) {
                b.setProtocols(protocols);
            }
            if (!cipherSuites.isEmpty()) {
                b.setCipherSuites(cipherSuites);
            }
            return b.build();
        }
    }

    /** As {@link #discovering(Store, String, String, String, Path, long, String, List)}, with TLS on the server port (null: none). */
    public static RaftReplicator discovering(Store store, String selfId, String selfAddress, String bindHost, Path dataDir,
                                             long snapshotEvery, String datacenter,
                                             List<org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition> services, Tls tls)
            throws IOException {
        return new RaftReplicator(store, RaftPeerId.valueOf(selfId), selfAddress, bindHost, List.of(selfAddress), dataDir,
                snapshotEvery, datacenter, false, true, services, tls);
    }
    private volatile boolean closed;
    private final RaftPeerId selfId;
    private final RaftGroup group;
    private final RaftServer server;
    /** Clients used round-robin: each Ratis client orders its own requests, so one would serialize every write. */
    private final RaftClient[] clients;
    private final java.util.concurrent.atomic.AtomicInteger nextClient = new java.util.concurrent.atomic.AtomicInteger();
    private final RaftClient client;
    private final List<Runnable> leaderListeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Identity of this server's in-process requests (writes on the leader, every read barrier):
     * they go to the local Ratis server directly, with no client, no gRPC stream and no sliding window.
     */
    private final ClientId localClient = ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong localCallId = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Completes callers' futures off Ratis' threads: an in-process reply arrives on the state machine
     * updater or an RPC thread, and the HTTP rendering chained on a write or a read barrier must not
     * run there (nor recurse through back-to-back barrier rounds).
     */
    private final java.util.concurrent.ExecutorService completions =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("raft-reply-", 0).factory());
    private final java.util.concurrent.ScheduledExecutorService retryTimer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raft-retry");
                t.setDaemon(true);
                return t;
            });
    private final Object barrierLock = new Object();
    private CompletableFuture<Void> nextBarrier;
    private boolean barrierRunning;

    /**
     * @param selfAddress   this server's Raft address ({@code host:port}, the server port)
     * @param peerAddresses every server's Raft address, this one included (a static, bootstrapped group)
     * @param dataDir       this server's data directory; the log and snapshots go to {@code dataDir/raft}
     * @param snapshotEvery take a snapshot (and truncate the log) every this many entries
     * @param datacenter    names the Raft group, so servers of different datacenters never mix
     */
    public RaftReplicator(Store store, String selfAddress, List<String> peerAddresses, Path dataDir,
                          long snapshotEvery, String datacenter) throws IOException {
        this(store, selfAddress, peerAddresses, dataDir, snapshotEvery, datacenter, false);
    }

    /**
     * @param join when true, {@code peerAddresses} name servers of a running cluster (this server
     *             need not be among them): this server starts outside the configuration and asks
     *             the leader to add it ({@link #start()} keeps asking until it is in)
     */
    public RaftReplicator(Store store, String selfAddress, List<String> peerAddresses, Path dataDir,
                          long snapshotEvery, String datacenter, boolean join) throws IOException {
        this(store, selfAddress, peerAddresses, dataDir, snapshotEvery, datacenter, join, null, List.of());
    }

    /**
     * @param bindHost the address to listen on ({@code bind_addr}, e.g. {@code 0.0.0.0}) when it is not
     *                 the host of {@code selfAddress} (the advertised address); null: that host
     * @param services more gRPC services to serve on the server port beside Ratis' own (the way
     *                 Consul multiplexes its RPC with Raft on 8300): the agent's server RPC
     */
    public RaftReplicator(Store store, String selfAddress, List<String> peerAddresses, Path dataDir,
                          long snapshotEvery, String datacenter, boolean join, String bindHost,
                          List<org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition> services) throws IOException {
        this(store, peerId(selfAddress), selfAddress, bindHost, peerAddresses, dataDir, snapshotEvery, datacenter, join, false,
                services, null);
    }

    /**
     * A server whose Raft group is not configured statically but found (servers discovered through
     * gossip): the Raft server listens at once with no group, or with the group recovered from
     * {@code dataDir}; {@link #bootstrap} creates the group on the first servers, and a leader
     * adds later ones with {@link #addVoter}.
     *
     * @param selfId      this server's Raft peer ID (the agent's node ID)
     * @param selfAddress the address other servers reach this one at ({@code host:port})
     * @param bindHost    the address to listen on ({@code 0.0.0.0} for all), or null: the host of {@code selfAddress}
     * @param services    more gRPC services to serve on the server port (see above)
     */
    public static RaftReplicator discovering(Store store, String selfId, String selfAddress, String bindHost, Path dataDir,
                                             long snapshotEvery, String datacenter,
                                             List<org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition> services)
            throws IOException {
        return new RaftReplicator(store, RaftPeerId.valueOf(selfId), selfAddress, bindHost, List.of(selfAddress), dataDir,
                snapshotEvery, datacenter, false, true, services, null);
    }

    private RaftReplicator(Store store, RaftPeerId selfId, String selfAddress, String bindHost, List<String> peerAddresses, Path dataDir,
                           long snapshotEvery, String datacenter, boolean join, boolean discovering,
                           List<org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition> services, Tls tls) throws IOException {
        this.join = join;
        this.store = store;
        this.selfAddress = selfAddress;
        this.selfId = selfId;
        this.discovering = discovering;
        List<RaftPeer> peers = new ArrayList<>();
        for (String a : peerAddresses) {
            RaftPeerId id = a.equals(selfAddress) ? selfId : peerId(a);
            if (addresses.put(id, a) == null) {
                peers.add(RaftPeer.newBuilder().setId(id).setAddress(a).build());
            }
        }
        if (join) {
            if (addresses.remove(selfId) != null) {
                peers.removeIf(x -> x.getId().equals(selfId));
            }
            if (peers.isEmpty()) {
                throw new IllegalArgumentException("joining needs the address of a server of the cluster (-retry-join)");
            }
        } else if (!addresses.containsKey(selfId)) {
            throw new IllegalArgumentException("this server's address " + selfAddress + " is not among the peers " + peerAddresses);
        }
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                ("roster-" + datacenter).getBytes(StandardCharsets.UTF_8))), peers);
        RaftProperties p = properties(selfAddress, bindHost, dataDir, snapshotEvery);
        this.properties = p;
        RosterStateMachine sm = new RosterStateMachine(store, leader -> leaderListeners.forEach(Runnable::run));
        // A joining server starts with no configuration (Ratis' way to add a server): the leader sends
        // it the configuration, the log or a snapshot once it is added. A discovering server starts with
        // no group at all (Ratis recovers one found in the storage directory).
        RaftServer.Builder builder = RaftServer.newBuilder().setServerId(selfId).setStateMachine(sm)
                .setProperties(p).setParameters(withServices(services, tls)).setOption(RaftStorage.StartupOption.RECOVER);
        this.clientParameters = clientParameters(tls);
        if (!discovering) {
            builder.setGroup(join ? RaftGroup.valueOf(group.getGroupId()) : group);
        }
        // a raft-meta left damaged by a write on a full disk is put back before Ratis reads it
        this.raftDir = dataDir.resolve("raft");
        RaftMetaGuard.recover(raftDir);
        this.server = builder.build();
        // A discovering server's clients know only this server: its replies name the leader and the peers.
        this.clients = new RaftClient[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = RaftClient.newBuilder().setProperties(p).setParameters(clientParameters).setRaftGroup(group)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                    .build();
        }
        this.client = clients[0];
    }

    /** Installs {@code services} in Ratis' gRPC server (the one on the server port). */
    private static org.apache.ratis.conf.Parameters withServices(
            List<org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition> services, Tls tls) {
        org.apache.ratis.conf.Parameters params = new org.apache.ratis.conf.Parameters();
        if (tls != null) {
            // The server side asks for client certificates with verify_incoming; this server's own
            // connections to its peers (log appends, votes) always present its certificate.
            org.apache.ratis.grpc.GrpcTlsConfig served = tls.ratis(tls.requireClient());
            org.apache.ratis.grpc.GrpcTlsConfig dialled = tls.ratis(true);
            GrpcConfigKeys.Server.setTlsConf(params, served);
            GrpcConfigKeys.Admin.setTlsConf(params, dialled);
            GrpcConfigKeys.Client.setTlsConf(params, dialled);
            GrpcConfigKeys.TLS.setConf(params, dialled);
        }
        GrpcConfigKeys.Server.setServicesCustomizer(params, (builder, types) -> {
            org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder b =
                    org.apache.ratis.grpc.server.GrpcServices.Customizer.getDefaultInstance().customize(builder, types);
            if (types.contains(org.apache.ratis.grpc.server.GrpcServices.Type.SERVER)) {
                services.forEach(b::addService);
            }
            return b;
        });
        return params;
    }

    /** TLS for the clients this server makes (peers and group management), or no parameters without TLS. */
    private static org.apache.ratis.conf.Parameters clientParameters(Tls tls) {
        org.apache.ratis.conf.Parameters params = new org.apache.ratis.conf.Parameters();
        if (tls != null) {
            org.apache.ratis.grpc.GrpcTlsConfig dialled = tls.ratis(true);
            GrpcConfigKeys.Admin.setTlsConf(params, dialled);
            GrpcConfigKeys.Client.setTlsConf(params, dialled);
            GrpcConfigKeys.TLS.setConf(params, dialled);
        }
        return params;
    }

    /** Ratis settings that matter (see DESIGN.md): gRPC, linearizable reads with leader lease, auto-snapshots. */
    private static RaftProperties properties(String selfAddress, String bindHost, Path dataDir, long snapshotEvery) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        int port = Integer.parseInt(selfAddress.substring(selfAddress.lastIndexOf(':') + 1));
        GrpcConfigKeys.Server.setPort(p, port);
        String host = bindHost != null ? bindHost : selfAddress.substring(0, selfAddress.lastIndexOf(':'));
        GrpcConfigKeys.Server.setHost(p, host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
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
        // Expert tuning: any Ratis key given as a JVM system property (-Draft.server....=...) wins.
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("raft."))
                .forEach(k -> p.set(k, System.getProperty(k)));
        return p;
    }

    /** A stable Raft peer ID for an address, the same on every server. */
    static RaftPeerId peerId(String address) {
        return RaftPeerId.valueOf(address.replace(':', '_'));
    }

    public RaftReplicator start() throws IOException {
        metaGuard = RaftMetaGuard.keep(raftDir);
        server.start();
        if (discovering) {
            LOG.info("Raft server {} listening on {}; {}", selfId, selfAddress,
                    hasGroup() ? "recovered Raft data of group " + group.getGroupId() : "no Raft group yet");
        } else {
            LOG.info("Raft server {} started; group {} with peers {}", selfId, group.getGroupId(), addresses.values());
        }
        if (join) {
            Thread.ofVirtual().name("raft-join").start(this::joinUntilAdded);
        }
        return this;
    }

    /** Asks the leader, through any known server, to add this server; retried until it is in the configuration. */
    private void joinUntilAdded() {
        boolean logged = false;
        while (!closed) {
            try {
                if (inConfiguration()) {
                    LOG.info("Raft server {} is a member of the cluster", selfId);
                    return;
                }
                RaftClientReply reply = client.admin().setConfiguration(
                        org.apache.ratis.protocol.SetConfigurationRequest.Arguments.newBuilder()
                                .setServersInNewConf(List.of(selfPeer()))
                                .setMode(org.apache.ratis.protocol.SetConfigurationRequest.Mode.ADD).build());
                if (reply.isSuccess()) {
                    LOG.info("Raft server {} added to the cluster", selfId);
                    return;
                }
                throw reply.getException() == null ? new IOException("refused") : reply.getException();
            } catch (IOException | RuntimeException e) {
                if (!logged) {
                    LOG.warn("cannot join the cluster yet ({}); retrying", e.getMessage());
                    logged = true;
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private RaftPeer selfPeer() {
        return RaftPeer.newBuilder().setId(selfId).setAddress(selfAddress).build();
    }

    private org.apache.ratis.server.RaftConfiguration configuration() throws IOException {
        return server.getDivision(group.getGroupId()).getRaftConf();
    }

    private boolean inConfiguration() throws IOException {
        return configuration().getCurrentPeers().stream().anyMatch(p -> p.getId().equals(selfId));
    }

    /** The address in a Raft peer ID ({@code 127.0.0.1_8300} is {@code 127.0.0.1:8300}). */
    static String addressOf(RaftPeerId id) {
        String s = id.toString();
        int i = s.lastIndexOf('_');
        return i < 0 ? s : s.substring(0, i) + ":" + s.substring(i + 1);
    }

    /** Whether this server holds the datacenter's Raft group (recovered from its data, bootstrapped, or added by a leader). */
    public boolean hasGroup() {
        try {
            for (RaftGroupId id : server.getGroupIds()) {
                if (id.equals(group.getGroupId())) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            // not started
        }
        return false;
    }

    /** The current Raft configuration as this server knows it: peer ID to address, in order; empty without a group. */
    @Override
    public Map<String, String> peerIds() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (RaftPeer p : configuration().getCurrentPeers()) {
                out.put(p.getId().toString(), p.getAddress() == null ? addressOf(p.getId()) : p.getAddress());
            }
        } catch (IOException e) {
            // no group yet
        }
        return out;
    }

    /** A short-lived client that can reach these servers' group-management service; no retries. */
    private RaftClient adminClient(List<RaftPeer> peers) {
        // Adding a group creates its storage and starts it: allow more than Ratis' 3 s on a busy machine.
        RaftProperties p = new RaftProperties(properties);
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(15, TimeUnit.SECONDS));
        return RaftClient.newBuilder().setProperties(p).setParameters(clientParameters)
                .setRaftGroup(RaftGroup.valueOf(group.getGroupId(), peers))
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    private static RaftPeer peer(String id, String address) {
        return RaftPeer.newBuilder().setId(RaftPeerId.valueOf(id)).setAddress(address).build();
    }

    /**
     * Whether the server {@code id} at {@code address} holds this datacenter's Raft group (it asks
     * that server). Throws when the server does not answer.
     */
    public boolean holdsGroup(String id, String address) throws IOException {
        RaftPeer p = peer(id, address);
        try (RaftClient c = adminClient(List.of(p))) {
            return c.getGroupManagementApi(p.getId()).list().getGroupIds().contains(group.getGroupId());
        }
    }

    /**
     * Creates the Raft group with {@code servers} (peer ID to address, this server included) as its
     * initial configuration, by adding it on each of them, this server last. All or nothing: a
     * server that refuses (it already holds the group: another server bootstrapped first) or does
     * not answer makes this call remove the group again from those that took it, and throw. A
     * server holds at most one copy of the group (Ratis refuses a second add), so two different
     * initial configurations can never both be complete.
     */
    public void bootstrap(Map<String, String> servers) throws IOException {
        if (!servers.containsKey(selfId.toString())) {
            throw new IllegalArgumentException("this server " + selfId + " is not among " + servers);
        }
        List<RaftPeer> peers = new ArrayList<>();
        servers.forEach((id, a) -> peers.add(peer(id, a)));
        RaftGroup initial = RaftGroup.valueOf(group.getGroupId(), peers);
        List<RaftPeer> order = new ArrayList<>(peers);
        order.sort(java.util.Comparator.comparing((RaftPeer x) -> x.getId().equals(selfId)));
        List<RaftPeer> added = new ArrayList<>();
        try (RaftClient c = adminClient(peers)) {
            for (RaftPeer p : order) {
                try {
                    RaftClientReply r = c.getGroupManagementApi(p.getId()).add(initial, true);
                    if (!r.isSuccess()) {
                        throw r.getException() == null ? new IOException("refused") : r.getException();
                    }
                    added.add(p);
                } catch (IOException | RuntimeException e) {
                    // A server that already holds the group keeps it (it is another bootstrap's, or a cluster's);
                    // one whose answer was lost (a timeout) may have taken ours: undo it there too.
                    if (!alreadyExists(e)) {
                        added.add(p);
                    }
                    for (RaftPeer undo : added) {
                        try {
                            c.getGroupManagementApi(undo.getId()).remove(group.getGroupId(), true, false);
                        } catch (IOException | RuntimeException again) {
                            LOG.warn("bootstrap: could not remove the half-created group from {} ({}): {}", undo.getId(),
                                    undo.getAddress(), again.getMessage());
                        }
                    }
                    throw new IOException("server " + p.getId() + " (" + p.getAddress() + ") did not take the new group: "
                            + e.getMessage(), e);
                }
            }
        }
        LOG.info("bootstrapped Raft group {} with {}", group.getGroupId(), servers);
    }

    /** Whether a group add failed because the server already holds the group. */
    private static boolean alreadyExists(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < 10 && c != null; i++, c = c.getCause()) {
            if (c instanceof org.apache.ratis.protocol.exceptions.AlreadyExistsException) {
                return true;
            }
        }
        return false;
    }

    /**
     * On the leader: makes the server {@code id} at {@code address} a voter. A server without the
     * group is first given it, empty (the way Ratis adds a server): this leader then sends it the
     * configuration and the log or a snapshot.
     */
    public void addVoter(String id, String address) throws IOException {
        RaftPeer p = peer(id, address);
        if (configuration().getCurrentPeers().stream().anyMatch(x -> x.getId().equals(p.getId()))) {
            return;
        }
        java.util.Set<RaftPeerId> ours = new java.util.HashSet<>();
        configuration().getCurrentPeers().forEach(x -> ours.add(x.getId()));
        try (RaftClient c = adminClient(List.of(p))) {
            if (c.getGroupManagementApi(p.getId()).list().getGroupIds().contains(group.getGroupId())) {
                // It holds the group already: ours (a restart, a server removed earlier) or another cluster's
                // (bootstrapped apart): never pull a server out of another cluster.
                var theirs = c.getGroupManagementApi(p.getId()).info(group.getGroupId()).getGroup().getPeers();
                if (!theirs.isEmpty() && theirs.stream().noneMatch(x -> ours.contains(x.getId()))) {
                    throw new IOException("it holds the Raft group of another cluster (peers "
                            + theirs.stream().map(x -> x.getId().toString()).toList() + ")");
                }
            } else {
                RaftClientReply r = c.getGroupManagementApi(p.getId()).add(RaftGroup.valueOf(group.getGroupId()), true);
                if (!r.isSuccess()) {
                    throw r.getException() == null ? new IOException("group add refused") : r.getException();
                }
            }
        }
        RaftClientReply reply = client.admin().setConfiguration(
                org.apache.ratis.protocol.SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(p))
                        .setMode(org.apache.ratis.protocol.SetConfigurationRequest.Mode.ADD).build());
        if (!reply.isSuccess()) {
            throw reply.getException() == null ? new IOException("configuration change refused") : reply.getException();
        }
        LOG.info("added Raft voter {} ({})", id, address);
    }

    /**
     * Removes a server (by address or by ID, as {@code /v1/operator/raft/configuration} lists
     * them) from the Raft configuration, through the leader.
     */
    @Override
    public CompletableFuture<Void> removePeer(String addressOrId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("raft-remove-peer").start(() -> {
            try {
                List<RaftPeer> current = new ArrayList<>(configuration().getCurrentPeers());
                RaftPeer target = current.stream().filter(p -> p.getAddress().equals(addressOrId)
                        || p.getId().toString().equals(addressOrId)).findFirst().orElse(null);
                if (target == null) {
                    throw Replicator.peerNotFound(addressOrId);
                }
                current.remove(target);
                if (current.isEmpty()) {
                    throw new IllegalStateException("cannot remove the only server of the cluster");
                }
                RaftClientReply reply = client.admin().setConfiguration(current);
                if (!reply.isSuccess()) {
                    throw noLeader(reply.getException());
                }
                LOG.info("removed Raft peer {} ({})", target.getId(), target.getAddress());
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(noLeader(e));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Runs {@code r} whenever this server learns of a new leader (leader duties follow it). */
    public void onLeaderChange(Runnable r) {
        leaderListeners.add(r);
    }

    /**
     * Replicates a command. Concurrent commands are grouped: at most {@link #MAX_IN_FLIGHT} Raft
     * entries are outstanding from this server, and whatever arrives meanwhile travels in the next
     * entry as one {@link Command.Batch}, so one Raft round and one fsync carry many writes. A lone
     * write is sent at once, as itself.
     */
    @Override
    public CompletableFuture<ApplyResult> submit(Command command) {
        byte[] encoded = CommandCodec.encode(command);
        if (encoded.length > Chunks.PIECE_BYTES) {
            return sendChunked(encoded);
        }
        if (!Command.Batch.mayCarry(command)) {
            return send(encoded);
        }
        Pending p = new Pending(encoded, new CompletableFuture<>());
        queue.add(p);
        drain();
        return p.result;
    }

    /**
     * A command larger than one entry may be: its pieces go one after the other (each waits for the
     * previous to commit, so they are in order in the log); the state machine applies the whole
     * command at the last piece's index, and that piece's result is the command's.
     */
    private CompletableFuture<ApplyResult> sendChunked(byte[] encoded) {
        long id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        List<byte[]> pieces = Chunks.split(encoded, id);
        CompletableFuture<ApplyResult> f = CompletableFuture.completedFuture(ApplyResult.None.INSTANCE);
        for (byte[] piece : pieces) {
            f = f.thenCompose(previous -> previous instanceof ApplyError
                    ? CompletableFuture.completedFuture(previous) : send(piece));
        }
        return f;
    }

    private record Pending(byte[] encoded, CompletableFuture<ApplyResult> result) {
    }

    /** Sends queued commands while fewer than MAX_IN_FLIGHT entries are outstanding. */
    private void drain() {
        while (!queue.isEmpty()) {
            int n = inFlight.get();
            if (n >= MAX_IN_FLIGHT) {
                return; // the completion of an outstanding entry drains again
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            long bytes = 0;
            synchronized (queue) { // peek-then-poll by one drainer at a time: the byte bound is exact
                Pending p;
                while (batch.size() < MAX_BATCH && (p = queue.peek()) != null
                        && (batch.isEmpty() || bytes + p.encoded.length + 4 <= MAX_BATCH_BYTES)) {
                    queue.poll();
                    batch.add(p);
                    bytes += p.encoded.length + 4;
                }
            }
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
                continue;
            }
            CompletableFuture<ApplyResult> sent;
            try {
                if (batch.size() == 1) {
                    sent = send(batch.get(0).encoded);
                } else {
                    List<byte[]> encoded = new ArrayList<>(batch.size());
                    batch.forEach(b -> encoded.add(b.encoded));
                    sent = send(CommandCodec.batchOf(encoded));
                }
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e); // never leave the slot taken
            }
            // An entry whose reply never comes must not hold the only slot for ever: after twice the
            // leader wait its writes fail (their outcome unknown, as with any timeout) and the queue moves on.
            sent.orTimeout(2 * LEADER_WAIT.toLong(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS).whenComplete((result, err) -> {
                inFlight.decrementAndGet();
                drain();
                if (err instanceof java.util.concurrent.TimeoutException
                        || err instanceof CompletionException && err.getCause() instanceof java.util.concurrent.TimeoutException) {
                    LOG.warn("a Raft entry of {} writes got no reply within {}; failing them", batch.size(), 2 * LEADER_WAIT.toLong(TimeUnit.SECONDS) + " s");
                    complete(batch, null, noLeader(err));
                    return;
                }
                complete(batch, result, err);
            });
        }
    }

    private static void complete(List<Pending> batch, ApplyResult result, Throwable err) {
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            batch.forEach(b -> b.result.completeExceptionally(cause));
        } else if (batch.size() == 1) {
            batch.get(0).result.complete(result);
        } else if (result instanceof ApplyResult.Batch(List<ApplyResult> results) && results.size() == batch.size()) {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(results.get(i));
            }
        } else {
            IllegalStateException e = new IllegalStateException("batch of " + batch.size() + " commands got result " + result);
            batch.forEach(b -> b.result.completeExceptionally(e));
        }
    }

    /**
     * Sends one Raft entry. On the leader it is submitted to the local Ratis server in-process
     * (as Apache Ozone does): no gRPC round trip to itself. Elsewhere, or if leadership moved
     * meanwhile, a Ratis client finds the leader; those clients carry writes only (see
     * {@link #readBarrier()} for why reads must never share their ordered streams).
     */
    private CompletableFuture<ApplyResult> send(byte[] encoded) {
        if (discovering && !hasGroup()) {
            // Not in a cluster yet (the bootstrap or the leader is adding this server): wait, as for a leader.
            return groupReady().thenCompose(v -> send(encoded));
        }
        Message m = Message.valueOf(ByteString.copyFrom(encoded));
        // Only a request the local division refused before appending it (leader not ready yet) is
        // sent again. A NotLeaderException may come from a leader that stepped down with the entry
        // already in its log, which the next leader can still commit: sending the command again,
        // under another client id, would apply it twice (a transfer answered 409, a CAS answered
        // false, after they were applied; found by the fault runs, docs/reliability.md). Its
        // outcome is unknown, so it is answered as an error (500), as Consul answers a write whose
        // leader was lost while committing.
        CompletableFuture<RaftClientReply> reply = isLeader()
                ? local(m, RaftClientRequest.writeRequestType()).thenCompose(r -> notReady(r) ? viaClient(m) : CompletableFuture.completedFuture(r))
                : viaClient(m);
        return reply.handleAsync((r, err) -> {
            if (err != null) {
                // The client gave up finding a leader (bounded retries): Consul's answer.
                throw new CompletionException(noLeader(err));
            }
            return result(r);
        }, completions);
    }

    private CompletableFuture<RaftClientReply> viaClient(Message m) {
        RaftClient c = clients[Math.floorMod(nextClient.getAndIncrement(), CLIENTS)];
        return c.async().send(m);
    }

    /** True when an in-process write was refused before it was appended: this server leads but is not ready yet. */
    private static boolean notReady(RaftClientReply r) {
        return !r.isSuccess() && r.getException() instanceof LeaderNotReadyException;
    }

    /** Submits a request to this server's own Ratis division, in-process. */
    private CompletableFuture<RaftClientReply> local(Message m, RaftClientRequest.Type type) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(localClient).setServerId(selfId)
                .setGroupId(group.getGroupId()).setCallId(localCallId.incrementAndGet()).setMessage(m).setType(type)
                .setTimeoutMs(LEADER_WAIT.toLong(TimeUnit.MILLISECONDS)).build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes once this server holds the group; fails with "No cluster leader" after {@link #LEADER_WAIT}. */
    private CompletableFuture<Void> groupReady() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pollGroup(f, System.nanoTime() + LEADER_WAIT.toLong(TimeUnit.NANOSECONDS));
        return f;
    }

    private void pollGroup(CompletableFuture<Void> f, long deadline) {
        if (hasGroup()) {
            f.complete(null);
        } else if (closed || System.nanoTime() - deadline > 0) {
            f.completeExceptionally(noLeader(new IOException("this server is not in a Raft cluster yet")));
        } else {
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> pollGroup(f, deadline));
        }
    }

    private static ApplyResult result(RaftClientReply reply) {
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
        if (discovering && !hasGroup()) {
            // Not in a cluster yet: a Ratis read now could only fail (or hang), and the shared round with it.
            return groupReady().thenCompose(v -> readBarrier());
        }
        CompletableFuture<Void> f;
        boolean start = false;
        synchronized (barrierLock) {
            if (nextBarrier == null) {
                nextBarrier = new CompletableFuture<>();
            }
            f = nextBarrier;
            if (!barrierRunning) {
                barrierRunning = true;
                nextBarrier = null;
                start = true;
            }
        }
        if (start) {
            runBarrier(f);
        }
        return f;
    }

    /**
     * One ReadIndex round serves every read that arrived before it was sent: reads arriving while a
     * round is outstanding share the next round, which starts when this one ends (so it is sent
     * after they arrived, as linearizability requires).
     *
     * <p>The round is a read request submitted in-process to this server's Ratis division: on the
     * leader it is answered from the leader lease (or one heartbeat round), on a follower Ratis
     * asks the leader for the read index over its server RPC and waits until it has applied it.
     * It never goes through a Ratis client. Issue 15's stall came from that: the barrier used a
     * client that also carried writes, and on the leader both went to the same server, so two
     * independent client-side sliding windows (reads to "this server", writes to "the leader")
     * shared one ordered gRPC stream whose single server-side window then waited for sequence
     * numbers of the other window. Requests sat there until the client's request timeout, reset
     * the connection and retried, while holding the one in-flight write slot and the one
     * outstanding ReadIndex round: 45 writes/s and consistent reads without an answer.
     */
    private void runBarrier(CompletableFuture<Void> f) {
        // Bounded, so that one call that never answers cannot hold every later read.
        barrierRound(System.nanoTime() + LEADER_WAIT.toLong(TimeUnit.NANOSECONDS))
                .orTimeout(2 * LEADER_WAIT.toLong(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS).whenCompleteAsync((ok, err) -> {
            CompletableFuture<Void> next;
            synchronized (barrierLock) {
                next = nextBarrier;
                nextBarrier = null;
                barrierRunning = next != null;
            }
            if (next != null) {
                runBarrier(next);
            }
            if (err != null) {
                f.completeExceptionally(err instanceof CompletionException && err.getCause() != null ? err.getCause() : err);
            } else {
                f.complete(null);
            }
        }, completions);
    }

    /**
     * One ReadIndex round, retried while there is no usable leader (an election, a leader that has
     * not yet committed its first entry) until {@code deadline}, then "No cluster leader".
     */
    private CompletableFuture<Void> barrierRound(long deadline) {
        return local(Message.EMPTY, RaftClientRequest.readRequestType()).handle((reply, err) -> {
            if (err == null && reply.isSuccess()) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = err != null ? err : reply.getException();
            if (closed || System.nanoTime() >= deadline) {
                return CompletableFuture.<Void>failedFuture(noLeader(cause));
            }
            CompletableFuture<Void> retried = new CompletableFuture<>();
            retryTimer.schedule(() -> barrierRound(deadline).whenComplete((v, e) -> {
                if (e != null) {
                    retried.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                } else {
                    retried.complete(null);
                }
            }), BARRIER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return retried;
        }).thenCompose(x -> x);
    }

    /** Pause between ReadIndex attempts while no leader can answer (elections take about a second). */
    private static final long BARRIER_RETRY_MILLIS = 20;

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Ratis' leader-ready: the leader has applied the first entry of its term, so every earlier commit. */
    @Override
    public boolean leaderReady() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String leaderAddress() {
        try {
            RaftPeerId leader = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
            if (leader == null) {
                return "";
            }
            RaftPeer p = configuration().getCurrentPeers().stream().filter(x -> x.getId().equals(leader)).findFirst().orElse(null);
            return p != null && p.getAddress() != null ? p.getAddress() : addresses.getOrDefault(leader, addressOf(leader));
        } catch (IOException e) {
            return "";
        }
    }

    /** The Raft addresses of the servers in the current configuration (as this server knows it). */
    @Override
    public List<String> peers() {
        try {
            List<String> out = new ArrayList<>();
            for (RaftPeer p : configuration().getCurrentPeers()) {
                out.add(p.getAddress() == null ? addressOf(p.getId()) : p.getAddress());
            }
            if (!out.isEmpty()) {
                return out;
            }
        } catch (IOException e) {
            // not started yet: the configured peers
        }
        return new ArrayList<>(addresses.values());
    }

    /** The log index of the configuration in force (at least 1; Ratis numbers a bootstrap configuration -1). */
    @Override
    public long configurationIndex() {
        try {
            return Math.max(1, configuration().getLogEntryIndex());
        } catch (IOException e) {
            return 1;
        }
    }

    @Override
    public long term() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * On the leader: each follower's match index and time since its last answer (Ratis' leader
     * info); on a follower: only itself (its applied index), the others unknown.
     */
    @Override
    public List<PeerStatus> peerStatus() {
        List<PeerStatus> out = new ArrayList<>();
        try {
            org.apache.ratis.server.DivisionInfo info = server.getDivision(group.getGroupId()).getInfo();
            String leader = leaderAddress();
            Map<String, long[]> followers = new java.util.HashMap<>();
            if (info.isLeader()) {
                var list = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
                long[] match = info.getFollowerMatchIndices();
                for (int i = 0; i < list.size(); i++) {
                    var f = list.get(i);
                    String addr = f.getId().getAddress().isEmpty()
                            ? addressOf(RaftPeerId.valueOf(f.getId().getId())) : f.getId().getAddress();
                    followers.put(addr, new long[] {f.getLastRpcElapsedTimeMs() * 1_000_000L, i < match.length ? match[i] : -1});
                }
            }
            for (RaftPeer p : configuration().getCurrentPeers()) {
                String addr = p.getAddress() == null ? addressOf(p.getId()) : p.getAddress();
                boolean self = p.getId().equals(selfId);
                long[] f = followers.get(addr);
                long contact = self && info.isLeader() ? 0 : f != null ? f[0] : -1;
                long index = self ? info.getLastAppliedIndex() : f != null ? f[1] : -1;
                out.add(new PeerStatus(addr, addr.equals(leader), true, contact, index));
            }
        } catch (IOException e) {
            // not started: nothing known
        }
        return out;
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
        closed = true;
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
        if (metaGuard != null) {
            metaGuard.close();
        }
        retryTimer.shutdownNow();
        completions.shutdown();
    }
}
