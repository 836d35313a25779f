package io.roster.agent.dns;

import io.roster.agent.AgentConfig;
import io.roster.state.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS listener: UDP and TCP on one port ({@code client_addr}:{@code ports.dns}, default 8600).
 *
 * <p>Threads. UDP is read by a few platform threads, each on its own socket bound to the same port
 * with {@code SO_REUSEPORT} (the kernel spreads clients over them); local answers are computed
 * on the reading thread (they only read the in-memory store), and forwarded questions go to virtual
 * threads, at most {@link Options#maxRecursions} at once (SERVFAIL beyond). Every TCP connection gets a
 * virtual thread, at most {@link Options#maxTcpConnections} at once (more are closed at once); a
 * connection may sit idle {@link Options#tcpIdleTimeout} between messages, must deliver a whole
 * message within {@link Options#tcpReadTimeout} of its first byte, and must take a reply within
 * {@link Options#tcpWriteTimeout}, so slow or silent clients cannot hold threads or slots for long.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);

    /** The largest TCP message we read: queries are small, and a bigger length prefix is garbage. */
    static final int MAX_TCP_QUERY = 16 * 1024;

    /**
     * Limits of the listener.
     *
     * @param udpThreads        platform threads reading UDP
     * @param maxTcpConnections TCP connections served at once
     * @param maxRecursions     forwarded questions in flight at once
     * @param tcpIdleTimeout    how long a TCP connection may wait between messages
     * @param tcpReadTimeout    how long one TCP message may take to arrive, from its first byte
     * @param tcpWriteTimeout   how long writing one TCP reply may take
     */
    public record Options(int udpThreads, int maxTcpConnections, int maxRecursions, Duration tcpIdleTimeout,
                          Duration tcpReadTimeout, Duration tcpWriteTimeout) {
        public static Options defaults() {
            return new Options(Math.max(2, Runtime.getRuntime().availableProcessors()), 1024, 1024,
                    Duration.ofSeconds(8), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }
    }

    /** Counters since start. */
    public record Stats(long udpQueries, long tcpQueries, long tcpConnections, long tcpRejected, long dropped,
                        long forwarded, long errors) {
    }

    private final InetAddress bindAddress;
    private final int requestedPort;
    private final QueryHandler handler;
    private final Options options;
    private final Semaphore tcpSlots;
    private final Semaphore recursions;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final LongAdder udpQueries = new LongAdder();
    private final LongAdder tcpQueries = new LongAdder();
    private final LongAdder tcpConnections = new LongAdder();
    private final LongAdder tcpRejected = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private final ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledThreadPoolExecutor timer;
    /** One UDP socket per reading thread, all on the same port (SO_REUSEPORT), so reads do not queue on one lock. */
    private final List<DatagramChannel> udp = new ArrayList<>();
    private ServerSocket tcp;
    private volatile boolean closed;

    /** The agent's DNS server: the address, port, domains, {@code dns_config} and recursors of {@code config}. */
    public DnsServer(AgentConfig config, Store store) {
        this(config, store, Options.defaults());
    }

    /**
     * A client agent's DNS server: names in the domain are asked of a server ({@code servers}, over
     * the server RPC; SERVFAIL while none answers), other names of the recursors.
     */
    public DnsServer(AgentConfig config, Store store, ServerDns servers) {
        this(config, store, config.network().dnsAddrs().get(0), config.dnsPort(), servers);
    }

    /**
     * A server's resolver without a socket: what its DNS port would answer to {@code query} (the
     * server RPC's {@code Dns} uses it, so client agents get answers even when this server's DNS
     * is bound to 127.0.0.1 or off). Null for a message that gets no answer.
     */
    public static ServerDns resolver(AgentConfig config, Store store) {
        return resolver(config, store, null);
    }

    /** The same, asking {@code remote} about names in other datacenters (null: they are unknown, NXDOMAIN). */
    public static ServerDns resolver(AgentConfig config, Store store, RemoteDns remote) {
        return resolver(config, store, remote, null);
    }

    /**
     * The same, authorizing with {@code acl} (the agent's HTTP resolver, so a default token set by
     * {@code PUT /v1/agent/token/default} applies at once); null: one of its own from the config.
     */
    public static ServerDns resolver(AgentConfig config, Store store, RemoteDns remote, io.roster.agent.acl.AclResolver acl) {
        QueryHandler handler = handler(config, store).withRemote(remote);
        if (acl != null && config.acl().enabled()) {
            handler.withAcl(acl);
        }
        return (query, tcp) -> switch (handler.handle(query, 0, query.length, tcp)) {
            case QueryHandler.Outcome.Answer a -> a.wire();
            case QueryHandler.Outcome.Drop d -> null;
            case QueryHandler.Outcome.Forward f -> handler.forward(f);
        };
    }

    public DnsServer(AgentConfig config, Store store, Options options) {
        this(address(config.network().dnsAddrs().get(0)), config.dnsPort(), handler(config, store), options);
    }

    /**
     * The agent's DNS server on one of its DNS addresses ({@code addresses.dns}, else each
     * {@code client_addr}): {@code port} is the configured one for the first address and the first
     * server's bound port for the others.
     *
     * @param servers on a client agent, the server RPC that answers names in the domain (see above); null on a server
     */
    public DnsServer(AgentConfig config, Store store, String address, int port, ServerDns servers) {
        this(config, store, address, port, servers, null);
    }

    /** The same, a server asking {@code remote} about names in other datacenters (null: they are NXDOMAIN). */
    public DnsServer(AgentConfig config, Store store, String address, int port, ServerDns servers, RemoteDns remote) {
        this(address(address), port, servers == null ? handler(config, store).withRemote(remote)
                : handler(config, store).forwardingTo(servers), Options.defaults());
    }

    DnsServer(InetAddress bindAddress, int port, QueryHandler handler, Options options) {
        if (port < 0) {
            throw new IllegalArgumentException("DNS is off (port " + port + ")");
        }
        this.bindAddress = bindAddress;
        this.requestedPort = port;
        this.handler = handler;
        this.options = options;
        this.tcpSlots = new Semaphore(options.maxTcpConnections());
        this.recursions = new Semaphore(options.maxRecursions());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "roster-dns-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Authorizes answers with {@code acl} (the agent's HTTP resolver: the default token set at
     * run time applies at once). Only for a server's or dev agent's own answers.
     */
    public DnsServer useAcl(io.roster.agent.acl.AclResolver acl) {
        handler.withAcl(acl);
        return this;
    }

    static QueryHandler handler(AgentConfig config, Store store) {
        DnsConfig dns = DnsConfig.parse(config.dnsConfig());
        Recursor recursor = config.recursors().isEmpty() ? null
                : new Recursor(DnsConfig.recursorAddresses(config.recursors()), dns.recursorTimeout(), dns.recursorRandom());
        return new QueryHandler(store, config.datacenter(), config.domain(), config.altDomain(), dns, recursor,
                ThreadLocalRandom::current).withAgentNode(config.nodeName())
                .withWanTranslation(config.membership().wan().translateWanAddrs())
                .withAcl(!config.acl().enabled() ? null : new io.roster.agent.acl.AclResolver(store.acl(),
                        new java.util.concurrent.atomic.AtomicReference<>(config.acl()), config.nodeName(), java.time.Clock.systemUTC()));
    }

    private static InetAddress address(String clientAddr) {
        String a = clientAddr == null || clientAddr.isBlank() ? "127.0.0.1" : clientAddr.trim();
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid client address '" + clientAddr + "' for DNS");
        }
    }

    /** Binds UDP and TCP to the same port (a free one when the port is 0) and starts serving. */
    public synchronized DnsServer start() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < (requestedPort == 0 ? 10 : 1) && udp.isEmpty(); attempt++) {
            List<DatagramChannel> channels = new ArrayList<>();
            try {
                DatagramChannel first = udpChannel(requestedPort, options.udpThreads() > 1);
                channels.add(first);
                int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
                for (int i = 1; i < options.udpThreads(); i++) {
                    channels.add(udpChannel(port, true));
                }
                ServerSocket t = new ServerSocket();
                try {
                    t.setReuseAddress(true);
                    t.bind(new InetSocketAddress(bindAddress, port), 1024);
                } catch (IOException e) {
                    t.close();
                    throw e;
                }
                udp.addAll(channels);
                tcp = t;
            } catch (IOException e) {
                channels.forEach(DnsServer::closeQuietly);
                last = e;
            }
        }
        if (udp.isEmpty()) {
            throw new IOException("DNS: cannot listen on " + bindAddress.getHostAddress() + ":" + requestedPort
                    + ": " + (last == null ? "unknown error" : last.getMessage()), last);
        }
        for (int i = 0; i < udp.size(); i++) {
            DatagramChannel ch = udp.get(i);
            Thread t = new Thread(() -> udpLoop(ch), "roster-dns-udp-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread acceptor = new Thread(this::acceptLoop, "roster-dns-tcp-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
        LOG.info("DNS listening on {}:{} (UDP and TCP)", bindAddress.getHostAddress(), port());
        return this;
    }

    private DatagramChannel udpChannel(int port, boolean reusePort) throws IOException {
        DatagramChannel u = DatagramChannel.open(bindAddress instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            u.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            u.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            if (reusePort && u.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                u.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            u.bind(new InetSocketAddress(bindAddress, port));
            return u;
        } catch (IOException e) {
            u.close();
            throw e;
        }
    }

    /** The port UDP and TCP listen on (the chosen one when configured as 0). */
    /** Service instances looked at to build answers so far: a test compares it with the answers' size. */
    public long instancesLooked() {
        return handler.instancesLooked();
    }

    public int port() {
        return tcp.getLocalPort();
    }

    public Stats stats() {
        return new Stats(udpQueries.sum(), tcpQueries.sum(), tcpConnections.sum(), tcpRejected.sum(), dropped.sum(),
                forwarded.sum(), errors.sum());
    }

    /** TCP connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    // ------------------------------------------------------------------ UDP

    private void udpLoop(DatagramChannel udp) {
        ByteBuffer in = ByteBuffer.allocate(Responses.MAX_UDP);
        while (!closed) {
            SocketAddress from;
            try {
                in.clear();
                from = udp.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                errors.increment();
                continue;
            }
            if (from == null) {
                continue;
            }
            udpQueries.increment();
            try {
                QueryHandler.Outcome o = handler.handle(in.array(), 0, in.position(), false);
                switch (o) {
                    case QueryHandler.Outcome.Answer a -> sendUdp(udp, a.wire(), from);
                    case QueryHandler.Outcome.Drop d -> dropped.increment();
                    case QueryHandler.Outcome.Forward f -> forwardUdp(udp, f, from);
                }
            } catch (RuntimeException e) {
                errors.increment();
                LOG.debug("DNS: UDP query failed", e);
            }
        }
    }

    private void forwardUdp(DatagramChannel udp, QueryHandler.Outcome.Forward f, SocketAddress from) {
        forwarded.increment();
        if (!recursions.tryAcquire()) {
            sendUdp(udp, Responses.empty(f.request(), org.xbill.DNS.Rcode.SERVFAIL, true), from);
            return;
        }
        virtual.execute(() -> {
            try {
                sendUdp(udp, handler.forward(f), from);
            } catch (RuntimeException e) {
                errors.increment();
                LOG.debug("DNS: forwarding failed", e);
            } finally {
                recursions.release();
            }
        });
    }

    private void sendUdp(DatagramChannel udp, byte[] wire, SocketAddress to) {
        try {
            udp.send(ByteBuffer.wrap(wire), to);
        } catch (IOException e) {
            if (!closed) {
                errors.increment(); // the client went away; nothing to do
            }
        }
    }

    // ------------------------------------------------------------------ TCP

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                errors.increment();
                continue;
            }
            if (!tcpSlots.tryAcquire()) {
                tcpRejected.increment();
                closeQuietly(s);
                continue;
            }
            tcpConnections.increment();
            connections.add(s);
            try {
                virtual.execute(() -> serve(s));
            } catch (RuntimeException e) { // rejected: we are closing
                connections.remove(s);
                tcpSlots.release();
                closeQuietly(s);
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int idle = millis(options.tcpIdleTimeout());
            while (!closed) {
                s.setSoTimeout(idle);
                int hi = in.read();
                if (hi < 0) {
                    return;
                }
                long deadline = System.nanoTime() + options.tcpReadTimeout().toNanos();
                byte[] two = new byte[1];
                if (!readFully(s, in, two, deadline)) {
                    return;
                }
                int len = hi << 8 | two[0] & 0xFF;
                if (len < 12 || len > MAX_TCP_QUERY) {
                    dropped.increment();
                    return; // not a DNS query: hang up rather than read garbage
                }
                byte[] msg = new byte[len];
                if (!readFully(s, in, msg, deadline)) {
                    return;
                }
                tcpQueries.increment();
                QueryHandler.Outcome o = handler.handle(msg, 0, len, true);
                byte[] reply = switch (o) {
                    case QueryHandler.Outcome.Answer a -> a.wire();
                    case QueryHandler.Outcome.Drop d -> null;
                    case QueryHandler.Outcome.Forward f -> {
                        forwarded.increment();
                        yield handler.forward(f);
                    }
                };
                if (reply == null) {
                    dropped.increment();
                    return;
                }
                write(s, out, reply);
            }
        } catch (IOException e) {
            // timeout, reset or closed: the connection is over
        } catch (RuntimeException e) {
            errors.increment();
            LOG.debug("DNS: TCP connection failed", e);
        } finally {
            connections.remove(s);
            tcpSlots.release();
        }
    }

    /** Reads {@code buf} whole by {@code deadline}; false on EOF or when time ran out. */
    private static boolean readFully(Socket s, InputStream in, byte[] buf, long deadline) throws IOException {
        int off = 0;
        while (off < buf.length) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            s.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                return false;
            }
            off += n;
        }
        return true;
    }

    /** Writes one framed reply; a client that does not read it within the write timeout is hung up on. */
    private void write(Socket s, OutputStream out, byte[] reply) throws IOException {
        byte[] framed = new byte[reply.length + 2];
        framed[0] = (byte) (reply.length >>> 8);
        framed[1] = (byte) reply.length;
        System.arraycopy(reply, 0, framed, 2, reply.length);
        ScheduledFuture<?> guard = timer.schedule(() -> closeQuietly(s), millis(options.tcpWriteTimeout()),
                TimeUnit.MILLISECONDS);
        try {
            out.write(framed);
            out.flush();
        } finally {
            guard.cancel(false);
        }
    }

    private static int millis(Duration d) {
        return Math.clamp(d.toMillis(), 1, Integer.MAX_VALUE);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.forEach(DnsServer::closeQuietly);
        if (tcp != null) {
            closeQuietly(tcp);
        }
        for (Socket s : connections) {
            closeQuietly(s);
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        virtual.shutdownNow();
        timer.shutdownNow();
    }
}
