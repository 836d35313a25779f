package io.roster.agent.rpc;

import io.roster.agent.client.ServerList;
import io.roster.agent.tls.TlsContext;
import io.roster.agent.tls.TlsSettings;
import io.roster.agent.util.RateLimitedLog;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.ratis.thirdparty.io.grpc.CallOptions;
import org.apache.ratis.thirdparty.io.grpc.ClientCall;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.ClientCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.apache.ratis.thirdparty.io.netty.channel.ChannelOption;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A client agent's connection to the servers: the server RPC ({@link RpcProtocol}) on a server's
 * server port (its gossip address and {@code port} tag), never its HTTP or DNS address.
 *
 * <p>Resources are bounded whatever the servers do: one gRPC channel (one TCP connection) to the
 * server in use, plus at most {@value #MAX_DRAINING} older ones that are finishing calls already
 * under way (a parked blocking query) after a switch; idle channels drop their connection after
 * {@link #IDLE}; one I/O thread (which also runs the calls' callbacks) and
 * {@value #CALLBACK_THREADS} threads for gRPC's occasional blocking work. A server that
 * fails to connect is closed at once and not tried again before its backoff (250 ms doubling to
 * {@link #MAX_BACKOFF}) has passed; with every server backing off a call fails at once, without a
 * connection attempt. Failures are logged with a rate limit.
 *
 * <p>Failover: a call that could not reach a server ({@code UNAVAILABLE} before the request was
 * delivered, or any {@code UNAVAILABLE} for a read) is tried on the next alive server, each at most
 * once; {@link ServerList#failed} moves the preference on, so later calls stick to the one that
 * works. A restarted server is used again once its backoff passes.
 */
public final class RpcClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);
    static final int MAX_DRAINING = 4;
    static final int CALLBACK_THREADS = 2;
    static final Duration IDLE = Duration.ofMinutes(2);
    static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(Long.getLong("roster.rpc.maxBackoffSeconds", 5));

    /** What a failed call tells its caller. {@code reached} is false when no server received it. */
    public static final class RpcException extends RuntimeException {
        private final boolean reached;

        RpcException(String message, boolean reached) {
            super(message, null, false, false);
            this.reached = reached;
        }

        public boolean reached() {
            return reached;
        }
    }

    /** A call under way; {@link #cancel} drops it (the server drops its parked query). */
    public static final class Pending<T> {
        private final CompletableFuture<T> future = new CompletableFuture<>();
        private volatile ClientCall<byte[], byte[]> current;
        private volatile Pending<?> inner;
        private volatile boolean cancelled;

        public CompletableFuture<T> future() {
            return future;
        }

        public void cancel() {
            cancelled = true;
            Pending<?> in = inner;
            if (in != null) {
                in.cancel();
            }
            ClientCall<byte[], byte[]> c = current;
            if (c != null) {
                c.cancel("caller gone", null);
            }
            future.completeExceptionally(new RpcException("cancelled", false));
        }
    }

    private final ServerList servers;
    /** Netty's TLS context over the agent's key and trust managers (they follow reloads); null: plaintext. */
    private final org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext tls;
    private final LongSupplier nanoClock;
    private final EventLoopGroup io;
    private final ExecutorService callbacks;
    private final Object lock = new Object();
    /** The channel in use (at most one), by server address. Guarded by lock. */
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    /** Channels shut down gracefully that may still carry calls; the oldest is cut past MAX_DRAINING. */
    private final ArrayDeque<ManagedChannel> draining = new ArrayDeque<>();
    /** Per server: when it may be tried again, and its current backoff. Guarded by lock. */
    private final Map<String, long[]> backoff = new HashMap<>();
    private final RateLimitedLog unreachable = new RateLimitedLog(LOG, Level.WARN, Duration.ofSeconds(30));
    private final AtomicInteger connects = new AtomicInteger();
    private volatile boolean closed;
    private volatile int connectTimeoutMillis = 3000;

    /** How long opening a connection to a server may take (3 s unless set; set before the first call). */
    public RpcClient connectTimeout(Duration d) {
        this.connectTimeoutMillis = (int) Math.max(100, Math.min(Integer.MAX_VALUE, d.toMillis()));
        return this;
    }

    public RpcClient(ServerList servers) {
        this(servers, System::nanoTime);
    }

    /** With {@code tls} (the agent's {@code tls.internal_rpc}): channels use TLS, presenting its certificate; null: plaintext. */
    public RpcClient(ServerList servers, TlsContext tls, TlsSettings.Side side) {
        this(servers, System::nanoTime, tls, side);
    }

    RpcClient(ServerList servers, LongSupplier nanoClock) {
        this(servers, nanoClock, null, null);
    }

    RpcClient(ServerList servers, LongSupplier nanoClock, TlsContext tls, TlsSettings.Side side) {
        this.tls = tls == null ? null : sslContext(tls, side);
        this.servers = servers;
        this.nanoClock = nanoClock;
        this.io = new NioEventLoopGroup(1, daemon("roster-rpc-io"));
        this.callbacks = Executors.newFixedThreadPool(CALLBACK_THREADS, daemon("roster-rpc"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Forwards an HTTP request to a server. {@code read} marks a request that may be sent again
     * after a connection broke mid-call (GET, HEAD); a write is sent again only when no server
     * received it.
     */
    public Pending<RpcProtocol.HttpResponse> forward(RpcProtocol.HttpRequest request, boolean read) {
        return forward(request, read, RpcService.FORWARD_TIMEOUT_MS + 30_000);
    }

    /**
     * The same with a deadline per server tried: a server that has not answered by then is treated
     * as unreachable (its channel closed, backing off; a read goes on to the next server). Another
     * datacenter's servers get short deadlines, so a WAN link cut under an open connection does not
     * hold callers for the whole blocking-query bound.
     */
    public Pending<RpcProtocol.HttpResponse> forward(RpcProtocol.HttpRequest request, boolean read, long timeoutMillis) {
        Pending<RpcProtocol.HttpResponse> p = new Pending<>();
        Pending<byte[]> raw = new Pending<>();
        raw.future.whenComplete((bytes, err) -> {
            if (err != null) {
                p.future.completeExceptionally(err);
                return;
            }
            try {
                p.future.complete(RpcProtocol.HttpResponse.decode(bytes));
            } catch (java.io.IOException e) {
                p.future.completeExceptionally(new RpcException("bad answer from server: " + e.getMessage(), true));
            }
        });
        p.inner = raw;
        call(RpcProtocol.FORWARD, request.encode(), timeoutMillis, read, raw);
        return p;
    }

    /** Asks a server's resolver; null when no server answered within {@code timeout}. Blocking. */
    public byte[] dns(byte[] query, boolean tcp, Duration timeout) {
        return dns(query, tcp, timeout, "");
    }

    /** The same, answered as {@code token} (the client's default ACL token; "": the server's). */
    public byte[] dns(byte[] query, boolean tcp, Duration timeout, String token) {
        Pending<byte[]> p = new Pending<>();
        call(RpcProtocol.DNS, RpcProtocol.encodeDns(query, tcp, token), timeout.toMillis(), true, p);
        try {
            byte[] a = p.future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return a.length == 0 ? null : a;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.cancel();
            return null;
        } catch (Exception e) {
            p.cancel();
            return null;
        }
    }

    /**
     * Asks a server to resolve an ACL secret: its effective rules, null when the server does not
     * know it. Blocking; {@link io.roster.agent.acl.TokenCache.Unreachable} when no server
     * answered within {@code timeout} (the client's {@code down_policy} then decides).
     */
    public io.roster.agent.acl.TokenCache.Effective resolveToken(String secret, Duration timeout) {
        Pending<byte[]> p = new Pending<>();
        call(RpcProtocol.RESOLVE_TOKEN, RpcProtocol.encodeSecret(secret), timeout.toMillis(), true, p);
        byte[] a;
        try {
            a = p.future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.cancel();
            throw new io.roster.agent.acl.TokenCache.Unreachable("interrupted");
        } catch (Exception e) {
            p.cancel();
            throw new io.roster.agent.acl.TokenCache.Unreachable("no server answered");
        }
        try {
            return RpcProtocol.decodeToken(a);
        } catch (java.io.IOException e) {
            throw new io.roster.agent.acl.TokenCache.Unreachable("bad answer from server: " + e.getMessage());
        }
    }

    private void call(MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMillis, boolean read, Pending<byte[]> p) {
        List<String> candidates = servers.servers();
        if (candidates.isEmpty()) {
            p.future.completeExceptionally(new RpcException("No known Consul servers", false));
            return;
        }
        attempt(method, request, timeoutMillis, read, p, candidates, 0, null);
    }

    private void attempt(MethodDescriptor<byte[], byte[]> method, byte[] request, long timeoutMillis, boolean read,
                         Pending<byte[]> p, List<String> candidates, int from, String lastError) {
        if (p.cancelled || closed) {
            p.future.completeExceptionally(new RpcException(closed ? "agent stopping" : "cancelled", false));
            return;
        }
        String server = null;
        int i = from;
        for (; i < candidates.size(); i++) {
            if (mayTry(candidates.get(i))) {
                server = candidates.get(i);
                break;
            }
        }
        if (server == null) {
            String why = lastError != null ? lastError : "every server failed recently, retrying after a backoff";
            unreachable.log("RPC: no server reachable ({} known): {}", candidates.size(), why);
            p.future.completeExceptionally(new RpcException("rpc error: failed to reach a server: " + why, false));
            return;
        }
        ManagedChannel channel;
        try {
            channel = channel(server);
        } catch (RuntimeException e) {
            failed(server, e.toString());
            attempt(method, request, timeoutMillis, read, p, candidates, i + 1, server + ": " + e.getMessage());
            return;
        }
        ClientCall<byte[], byte[]> c = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS));
        p.current = c;
        String s = server;
        int next = i + 1;
        ClientCalls.asyncUnaryCall(c, request, new StreamObserver<>() {
            private byte[] value;

            @Override
            public void onNext(byte[] v) {
                value = v;
            }

            @Override
            public void onError(Throwable t) {
                Status st = Status.fromThrowable(t);
                boolean connectFailure = connectFailure(st);
                if (st.getCode() == Status.Code.UNAVAILABLE || st.getCode() == Status.Code.UNIMPLEMENTED
                        || st.getCode() == Status.Code.DEADLINE_EXCEEDED && !p.cancelled) {
                    failed(s, describe(st));
                    if ((read || connectFailure) && !p.cancelled) {
                        attempt(method, request, timeoutMillis, read, p, candidates, next, s + ": " + describe(st));
                        return;
                    }
                }
                p.future.completeExceptionally(new RpcException("rpc error: " + s + ": " + describe(st),
                        !connectFailure && st.getCode() != Status.Code.CANCELLED));
            }

            @Override
            public void onCompleted() {
                succeeded(s);
                p.future.complete(value == null ? new byte[0] : value);
            }
        });
    }

    /** The call never reached the server's service: it may go elsewhere, write or not. */
    private static boolean connectFailure(Status st) {
        if (st.getCode() == Status.Code.UNIMPLEMENTED) {
            return true;
        }
        if (st.getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        if ("server starting".equals(st.getDescription())) {
            return true;
        }
        for (Throwable c = st.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Status st) {
        Throwable c = st.getCause();
        String d = st.getDescription() == null ? st.getCode().toString() : st.getCode() + " " + st.getDescription();
        return c == null || c.getMessage() == null ? d : d + " (" + c.getMessage() + ")";
    }

    private boolean mayTry(String server) {
        synchronized (lock) {
            long[] b = backoff.get(server);
            return b == null || nanoClock.getAsLong() - b[0] >= 0;
        }
    }

    private void failed(String server, String why) {
        servers.failed(server);
        ManagedChannel dead;
        synchronized (lock) {
            long[] b = backoff.computeIfAbsent(server, k -> new long[] {0, 0});
            b[1] = b[1] == 0 ? MIN_BACKOFF.toNanos() : Math.min(MAX_BACKOFF.toNanos(), b[1] * 2);
            b[0] = nanoClock.getAsLong() + b[1];
            dead = channels.remove(server);
        }
        if (dead != null) {
            dead.shutdownNow(); // its connection failed: nothing to drain
        }
        if (closed) {
            return; // our own shutdown failed the call
        }
        unreachable.log("RPC: server {} unreachable, trying another or backing off: {}", server, why);
    }

    private void succeeded(String server) {
        boolean was;
        synchronized (lock) {
            was = backoff.remove(server) != null;
        }
        if (was) {
            unreachable.recovered("RPC: server {} reachable again", server);
        }
    }

    /** The channel to {@code server}; channels to any other server are shut down (they drain). */
    private ManagedChannel channel(String server) {
        List<ManagedChannel> cut = new ArrayList<>();
        ManagedChannel ch;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("agent stopping");
            }
            ch = channels.get(server);
            if (ch == null) {
                for (Map.Entry<String, ManagedChannel> e : channels.entrySet()) {
                    e.getValue().shutdown();
                    draining.addLast(e.getValue());
                }
                channels.clear();
                draining.removeIf(ManagedChannel::isTerminated);
                while (draining.size() > MAX_DRAINING) {
                    cut.add(draining.removeFirst());
                }
                ch = open(server);
                channels.put(server, ch);
            }
        }
        cut.forEach(ManagedChannel::shutdownNow);
        return ch;
    }

    private static org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext sslContext(TlsContext tls,
                                                                                      TlsSettings.Side side) {
        try {
            var b = org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts.forClient().trustManager(tls.trustManager());
            b.protocols(TlsSettings.protocolsFrom(side.minVersion()));
            if (!side.cipherSuites().isEmpty()) {
                b.ciphers(side.cipherSuites());
            }
            if (tls.hasCertificate()) {
                b.keyManager(tls.keyManager());
            }
            return b.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS for the server RPC: " + e.getMessage(), e);
        }
    }

    private ManagedChannel open(String server) {
        int colon = server.lastIndexOf(':');
        String host = server.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(server.substring(colon + 1));
        connects.incrementAndGet();
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(new InetSocketAddress(host, port));
        if (tls != null) {
            b.sslContext(tls).useTransportSecurity();
        } else {
            b.usePlaintext();
        }
        return b.eventLoopGroup(io).channelType(NioSocketChannel.class)
                // Callbacks only complete futures and start non-blocking Jetty writes: run them on the
                // I/O thread (one hand-off less per forwarded request); blocking work goes to the pool.
                .directExecutor().offloadExecutor(callbacks)
                .proxyDetector(addr -> null)
                .disableRetry()
                .maxInboundMessageSize(RpcProtocol.MAX_MESSAGE)
                .idleTimeout(IDLE.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(5, TimeUnit.MINUTES).keepAliveTimeout(20, TimeUnit.SECONDS)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .build();
    }

    /** Channels opened so far (for tests). */
    int channelsOpened() {
        return connects.get();
    }

    /** Channels open now, in use and draining (for tests). */
    int channelsOpen() {
        synchronized (lock) {
            draining.removeIf(ManagedChannel::isTerminated);
            return channels.size() + draining.size();
        }
    }

    @Override
    public void close() {
        List<ManagedChannel> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(channels.values());
            all.addAll(draining);
            channels.clear();
            draining.clear();
        }
        all.forEach(ManagedChannel::shutdownNow);
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        callbacks.shutdownNow();
    }
}
