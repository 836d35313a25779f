package io.roster.agent.http;

import io.roster.agent.AgentConfig;
import io.roster.agent.server.StateServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP API on Jetty 12's core handler API: one connector per HTTP address ({@code addresses.http},
 * else every {@code client_addr}) on {@code ports.http} (-1: none), one TLS connector per HTTPS address
 * on {@code ports.https} when set (the same handlers), the
 * route table, and plain one-line error pages (Jetty's own HTML pages never reach a client).
 */
public final class HttpServer implements AutoCloseable {
    /** Re-reads configuration; returns null on success or a one-line error (the old configuration stays). */
    @FunctionalInterface
    /** What the HTTP API may ask of the agent process itself. */
    public interface Reloader {
        /** Re-reads the configuration files; null on success, else a one-line error (nothing changed). */
        String reload();

        /** A graceful leave ({@code PUT /v1/agent/leave}): a server leaves the Raft configuration, then the agent stops. */
        default java.util.concurrent.CompletableFuture<Void> leave() {
            return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("leave is not supported here"));
        }
    }

    /** Carries this agent's local changes into the catalog now (anti-entropy's full sync). */
    @FunctionalInterface
    public interface SyncChanges {
        void sync() throws Exception;
    }

    private final AgentLocalEndpoint agentLocal;
    private final io.roster.agent.acl.AclResolver aclResolver;

    /**
     * Makes the agent's register/deregister/TTL/maintenance endpoints sync the change before they
     * answer, as Consul's do (without it they answer at once and anti-entropy follows).
     */
    public void syncChangesWith(SyncChanges s) {
        agentLocal.syncWith(s);
    }

    private final HttpApi api;
    private final java.util.concurrent.atomic.AtomicReference<java.util.function.BooleanSupplier> gate;
    /** A server's (or dev agent's) queue of coordinate updates; null on a client agent. */
    private final io.roster.agent.coordinate.CoordinateUpdates coordinateUpdates;

    /** Where this agent's own coordinate goes on a server or dev agent; null on a client agent. */
    public io.roster.agent.coordinate.CoordinateUpdates coordinateUpdates() {
        return coordinateUpdates;
    }

    /**
     * Until {@code ready} is true, the catalog, health, KV, session and transaction routes answer
     * {@code 500 No cluster leader} and {@code /v1/status/leader} names no leader (a lone server
     * that has not yet registered its own node).
     */
    public void gateUntil(java.util.function.BooleanSupplier ready) {
        gate.set(ready);
    }

    /** Longer than the longest blocking query (10m + 10m/16) so parked requests are never cut. */
    private static final long IDLE_TIMEOUT_MS = 15 * 60 * 1000L;
    /** Parked queries per HTTP/2 connection; each costs a few KB, far less than a connection. */
    private static final int MAX_H2_STREAMS = 250_000;

    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final org.eclipse.jetty.io.ConnectionStatistics connectionStats;
    /** Addresses after the first: bound on the first one's port once it is known (port 0 picks it). */
    private final java.util.List<String> moreAddresses;
    private final HttpConfiguration httpConfig;
    /** The HTTPS listener ({@code ports.https}) and its certificate material; null when HTTPS is off. */
    private final ServerConnector httpsConnector;
    private final io.roster.agent.tls.TlsContext httpsTls;
    private final java.util.List<String> moreHttpsAddresses;
    private final io.roster.agent.tls.TlsSettings.Side httpsSide;
    private final BlockingQuery blocking;

    /**
     * @param lan     this agent's gossip member ({@code /v1/agent/members}, join, events, keyring)
     * @param rpc     on a client agent, the server RPC to forward over (every route that is not the
     *                agent's own is forwarded); null on a server or dev agent
     */
    public HttpServer(AgentConfig config, String nodeId, StateServer server, io.roster.agent.local.LocalState local,
                      Reloader reloader, io.roster.agent.metrics.AgentMetrics metrics, ScheduledExecutorService timer,
                      Executor wake, io.roster.agent.lan.LanPool lan, io.roster.agent.rpc.RpcClient rpc) {
        this(config, nodeId, server, local, reloader, metrics, timer, wake, lan, rpc, null);
    }

    /** @param wan a server's way to the other datacenters (WAN pool and forwarding), or null */
    public HttpServer(AgentConfig config, String nodeId, StateServer server, io.roster.agent.local.LocalState local,
                      Reloader reloader, io.roster.agent.metrics.AgentMetrics metrics, ScheduledExecutorService timer,
                      Executor wake, io.roster.agent.lan.LanPool lan, io.roster.agent.rpc.RpcClient rpc,
                      io.roster.agent.wan.WanRouter wan) {
        QueuedThreadPool pool = new QueuedThreadPool(200, 4);
        pool.setName("roster-http");
        jetty = new org.eclipse.jetty.server.Server(pool);
        HttpConfiguration hc = new HttpConfiguration();
        hc.setSendServerVersion(false);
        hc.setSendDateHeader(true);
        // KV keys may hold %2F, %25, empty segments and dots: Consul decodes them into the key.
        hc.setUriCompliance(UriCompliance.UNSAFE);
        hc.setHttpCompliance(HttpCompliance.RFC7230);
        hc.setRequestHeaderSize(64 * 1024);
        // HTTP/1.1 as Consul serves it, plus cleartext HTTP/2 (prior knowledge or Upgrade: h2c), so
        // one connection can carry many parked blocking queries (see connector()).
        httpConfig = hc;
        connectionStats = new org.eclipse.jetty.io.ConnectionStatistics();
        java.util.List<String> addrs = config.network().httpAddrs();
        // ports.http = -1 turns plaintext off (an HTTPS-only agent).
        connector = config.httpPort() < 0 ? null : connector(addrs.get(0), config.httpPort());
        moreAddresses = connector == null ? java.util.List.of() : addrs.subList(1, addrs.size());
        if (connector != null) {
            jetty.addConnector(connector);
        }
        httpsSide = config.tls().https();
        if (config.httpsPort() >= 0) {
            httpsTls = io.roster.agent.tls.TlsContext.load(config.tls().https(), null);
            java.util.List<String> tlsAddrs = config.network().httpsAddrs();
            httpsConnector = httpsConnector(tlsAddrs.get(0), config.httpsPort(), config.tls().https());
            moreHttpsAddresses = tlsAddrs.subList(1, tlsAddrs.size());
            jetty.addConnector(httpsConnector);
        } else {
            httpsTls = null;
            httpsConnector = null;
            moreHttpsAddresses = java.util.List.of();
        }

        blocking = new BlockingQuery(server.store(), server.replicator(), timer, wake);
        this.coordinateUpdates = rpc != null ? null : new io.roster.agent.coordinate.CoordinateUpdates(server.replicator(),
                timer, io.roster.agent.coordinate.CoordinateUpdates.UPDATE_PERIOD, io.roster.gossip.coordinate.VivaldiConfig.SERF.dimensionality());
        ApiRoutes.Built routes = ApiRoutes.build(config, nodeId, server, local, reloader, metrics, blocking, lan, rpc, coordinateUpdates, wan);
        this.agentLocal = routes.agentLocal();
        this.aclResolver = routes.acl();
        this.gate = routes.gate();
        this.api = new HttpApi(routes.table(), () -> !server.replicator().leaderAddress().isEmpty(), metrics);
        jetty.setHandler(config.ui() ? new UiHandler(api, config.uiDir()) : api);
        jetty.setErrorHandler(HttpServer::errorPage);
        jetty.setStopTimeout(1500);
    }

    /** This agent's ACL resolver: its settings hold the agent tokens set at run time. */
    public io.roster.agent.acl.AclResolver aclResolver() {
        return aclResolver;
    }

    /** The route table (decorators attached), for the server RPC and the docs test. */
    public RouteTable routes() {
        return api.table();
    }

    /** Jetty's own errors (bad request lines, oversized headers) as one plain line. */
    private static boolean errorPage(Request request, Response response, org.eclipse.jetty.util.Callback callback) {
        Object msg = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
        String text = msg == null ? "HTTP error " + response.getStatus() : Call.oneLine(msg.toString());
        response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
        response.write(true, java.nio.ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private ServerConnector connector(String host, int port) {
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(httpConfig);
        h2c.setMaxConcurrentStreams(MAX_H2_STREAMS);
        h2c.setStreamIdleTimeout(IDLE_TIMEOUT_MS);
        ServerConnector c = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(httpConfig), h2c);
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(IDLE_TIMEOUT_MS);
        c.setAcceptQueueSize(4096);
        c.setReuseAddress(true);
        c.addBean(connectionStats);
        return c;
    }

    /**
     * The HTTPS connector: TLS (HTTP/1.1 inside) with this interface's certificate, client
     * certificates required with {@code verify_incoming}. A plaintext request on it gets Go's
     * answer, {@code 400 Client sent an HTTP request to an HTTPS server.}, and the connection is closed;
     * failed handshakes are not logged per connection (Jetty logs them at debug level only).
     */
    private ServerConnector httpsConnector(String host, int port, io.roster.agent.tls.TlsSettings.Side side) {
        org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
        ssl.setSslContext(httpsTls.sslContext()); // follows reloads: the key manager re-reads on SIGHUP
        ssl.setNeedClientAuth(side.verifyIncoming());
        ssl.setIncludeProtocols(io.roster.agent.tls.TlsSettings.protocolsFrom(side.minVersion()));
        ssl.setExcludeProtocols();
        if (!side.cipherSuites().isEmpty()) {
            ssl.setIncludeCipherSuites(side.cipherSuites().toArray(new String[0]));
        }
        ssl.setEndpointIdentificationAlgorithm(null);
        HttpConfiguration hc = new HttpConfiguration(httpConfig);
        org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
        secure.setSniHostCheck(false); // agents are reached by IP and by names their certificates do not list
        hc.addCustomizer(secure);
        org.eclipse.jetty.server.SslConnectionFactory tls = new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1");
        ServerConnector c = new ServerConnector(jetty, 1, 1, new PlainTextRefusal(tls), tls, new HttpConnectionFactory(hc));
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(IDLE_TIMEOUT_MS);
        c.setAcceptQueueSize(4096);
        c.setReuseAddress(true);
        c.addBean(connectionStats);
        return c;
    }

    /** Detects TLS; anything else is a plaintext client on the HTTPS port, answered as Go's server does. */
    private static final class PlainTextRefusal extends org.eclipse.jetty.server.DetectorConnectionFactory {
        private static final byte[] ANSWER = ("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Connection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n").getBytes(StandardCharsets.US_ASCII);

        PlainTextRefusal(org.eclipse.jetty.server.SslConnectionFactory tls) {
            super(tls);
        }

        @Override
        protected void nextProtocol(org.eclipse.jetty.server.Connector connector, org.eclipse.jetty.io.EndPoint endPoint,
                                    java.nio.ByteBuffer buffer) {
            endPoint.write(org.eclipse.jetty.util.Callback.from(endPoint::close, x -> endPoint.close()),
                    java.nio.ByteBuffer.wrap(ANSWER));
        }
    }

    public void start() throws Exception {
        jetty.start();
        for (String host : moreAddresses) {
            ServerConnector c = connector(host, port());
            jetty.addConnector(c);
            c.start();
        }
        for (String host : moreHttpsAddresses) {
            ServerConnector c = httpsConnector(host, httpsPort(), httpsSide);
            jetty.addConnector(c);
            c.start();
        }
    }

    /** The HTTP port actually bound (useful with port 0); -1 when plaintext HTTP is off. */
    public int port() {
        return connector == null ? -1 : connector.getLocalPort();
    }

    /** The HTTPS port actually bound; -1 when HTTPS is off. */
    public int httpsPort() {
        return httpsConnector == null ? -1 : httpsConnector.getLocalPort();
    }

    /**
     * Re-reads the HTTPS certificate, key and CA files (SIGHUP, {@code /v1/agent/reload}): new
     * handshakes use them, connections already open keep theirs. On failure nothing changes.
     *
     * @throws IllegalArgumentException one line naming the file at fault
     */
    public void reloadTls(io.roster.agent.tls.TlsSettings.Side side) {
        if (httpsTls != null) {
            httpsTls.reload(side, null);
        }
    }

    /** Connections accepted on the HTTP sockets ({@code client_addr}) since start; in-memory requests do not count. */
    public long socketConnections() {
        return connectionStats.getConnectionsTotal();
    }

    /** This agent's route table without a socket (the server RPC answers forwarded requests with it). */
    public LocalExchange local() {
        return new LocalExchange(api);
    }

    public BlockingQuery blocking() {
        return blocking;
    }

    @Override
    public void close() throws Exception {
        if (coordinateUpdates != null) {
            coordinateUpdates.close();
        }
        jetty.stop();
    }
}
