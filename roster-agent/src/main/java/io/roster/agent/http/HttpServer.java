package io.roster.agent.http;

import io.roster.agent.AgentConfig;
import io.roster.agent.server.Server;
import java.nio.charset.StandardCharsets;
import java.util.Set;
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
 * else every {@code client_addr}) on {@code ports.http}, the
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

    private AgentLocalEndpoint agentLocal;

    /**
     * Makes the agent's register/deregister/TTL/maintenance endpoints sync the change before they
     * answer, as Consul's do (without it they answer at once and anti-entropy follows).
     */
    public void syncChangesWith(SyncChanges s) {
        agentLocal.syncWith(s);
    }

    private HttpApi api;
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
        api.gateUntil(ready);
    }

    /** Longer than the longest blocking query (10m + 10m/16) so parked requests are never cut. */
    private static final long IDLE_TIMEOUT_MS = 15 * 60 * 1000L;
    /** Parked queries per HTTP/2 connection; each costs a few KB, far less than a connection. */
    private static final int MAX_H2_STREAMS = 250_000;

    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final org.eclipse.jetty.io.ConnectionStatistics connectionStats;
    /** The same handlers without a socket, for the server RPC's {@code Forward}. */
    private final org.eclipse.jetty.server.LocalConnector localConnector;
    /** Addresses after the first: bound on the first one's port once it is known (port 0 picks it). */
    private final java.util.List<String> moreAddresses;
    private final HttpConfiguration httpConfig;
    private final BlockingQuery blocking;

    /**
     * @param lan     this agent's gossip member ({@code /v1/agent/members}, join, events, keyring)
     * @param rpc     on a client agent, the server RPC to forward over (every route that is not the
     *                agent's own is forwarded); null on a server or dev agent
     */
    public HttpServer(AgentConfig config, String nodeId, Server server, io.roster.agent.local.LocalState local,
                      Reloader reloader, io.roster.agent.metrics.AgentMetrics metrics, ScheduledExecutorService timer,
                      Executor wake, io.roster.agent.lan.LanPool lan, io.roster.agent.rpc.RpcClient rpc) {
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
        connector = connector(addrs.get(0), config.httpPort());
        moreAddresses = addrs.subList(1, addrs.size());
        jetty.addConnector(connector);
        localConnector = new org.eclipse.jetty.server.LocalConnector(jetty, new HttpConnectionFactory(hc));
        localConnector.setIdleTimeout(IDLE_TIMEOUT_MS);
        jetty.addConnector(localConnector);

        blocking = new BlockingQuery(server.store(), server.replicator(), timer, wake);
        HttpApi api = new HttpApi(config.datacenter(), metrics, () -> !server.replicator().leaderAddress().isEmpty());
        this.api = api;
        KvEndpoint kv = new KvEndpoint(server, blocking, config.kvMaxValueSize());
        SessionEndpoint sessions = new SessionEndpoint(server, blocking, config.nodeName());
        AgentEndpoint agent = new AgentEndpoint(config, nodeId, () -> server.replicator().leaderAddress())
                .withPeers(() -> server.replicator().peers()).withGossip(lan)
                .withState(local, server.replicator());
        CatalogEndpoint catalog = new CatalogEndpoint(server, blocking, config.datacenter());
        SnapshotEndpoint snapshots = new SnapshotEndpoint(server);
        HealthEndpoint health = new HealthEndpoint(server.store(), blocking, config.datacenter());
        AgentLocalEndpoint mine = new AgentLocalEndpoint(local, blocking, reloader);
        this.agentLocal = mine;
        OperatorEndpoint operator = new OperatorEndpoint(server.replicator(), lan, io.roster.agent.Version.CONSUL_API);
        GossipEndpoint gossip = new GossipEndpoint(lan, blocking, config);
        PreparedQueryEndpoint queries = new PreparedQueryEndpoint(server, blocking, config.datacenter(), config.nodeName());
        NearSort near = new NearSort(server.store(), config.nodeName());
        catalog.near = near;
        health.near = near;
        this.coordinateUpdates = rpc != null ? null : new io.roster.agent.coordinate.CoordinateUpdates(server.replicator(),
                timer, io.roster.agent.coordinate.CoordinateUpdates.UPDATE_PERIOD, io.roster.gossip.coordinate.VivaldiConfig.SERF.dimensionality());
        CoordinateEndpoint coordinates = new CoordinateEndpoint(server.store(), blocking, config.datacenter(), coordinateUpdates);
        // The agent's own routes first: a client agent answers these itself and forwards the rest.
        api.route("/v1/agent/members", Methods.GET, gossip::members)
                .prefix("/v1/agent/join/", Methods.PUT, gossip::join)
                .prefix("/v1/agent/force-leave/", Methods.PUT, gossip::forceLeave)
                .prefix("/v1/event/fire/", Methods.PUT, gossip::fire)
                .route("/v1/event/list", Methods.GET, gossip::list)
                .route("/v1/operator/keyring", Methods.KV, gossip::keyring)
                .route("/v1/agent/services", Methods.GET, mine::services)
                .route("/v1/agent/service/register", Methods.PUT_POST, mine::registerService)
                .prefix("/v1/agent/service/deregister/", Methods.PUT_POST, mine::deregisterService)
                .prefix("/v1/agent/service/maintenance/", Methods.PUT_POST, mine::serviceMaintenance)
                .prefix("/v1/agent/service/", Methods.GET, mine::service)
                .route("/v1/agent/maintenance", Methods.PUT_POST, mine::nodeMaintenance)
                .route("/v1/agent/checks", Methods.GET, mine::checks)
                .route("/v1/agent/check/register", Methods.PUT_POST, mine::registerCheck)
                .prefix("/v1/agent/check/deregister/", Methods.PUT_POST, mine::deregisterCheck)
                .prefix("/v1/agent/check/pass/", Methods.PUT_POST, mine::pass)
                .prefix("/v1/agent/check/warn/", Methods.PUT_POST, mine::warn)
                .prefix("/v1/agent/check/fail/", Methods.PUT_POST, mine::fail)
                .prefix("/v1/agent/check/update/", Methods.PUT_POST, mine::update)
                .prefix("/v1/agent/health/service/id/", Methods.GET, mine::healthById)
                .prefix("/v1/agent/health/service/name/", Methods.GET, mine::healthByName)
                .route("/v1/agent/reload", Methods.PUT_POST, mine::reload)
                .route("/v1/agent/leave", Methods.PUT_POST, mine::leave)
                .route("/v1/agent/self", Methods.GET, agent::self)
                .prefix("/v1/agent/connect/", Set.of("GET", "HEAD", "POST"), operator::connectDisabled)
                .route("/v1/agent/metrics", Methods.GET, new MetricsEndpoint(metrics, blocking, server.store()).withAutopilot(rpc == null ? operator : null).withGossip(lan)::handle);
        if (rpc != null) {
            api.prefix("/v1/", Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"), new Forwarder(rpc).withAgentNode(config.nodeName()))
                    .route("/", Methods.GET, HttpServer::index);
            jetty.setHandler(api);
            jetty.setErrorHandler(HttpServer::errorPage);
            jetty.setStopTimeout(1500);
            return;
        }
        api.prefix("/v1/kv/", Methods.KV, kv)
                .route("/v1/kv", Methods.KV, kv)
                .route("/v1/txn", Methods.PUT_POST, new TxnEndpoint(server, config.txnMaxOps(), config.kvMaxValueSize()))
                .route("/v1/session/create", Methods.PUT_POST, sessions::create)
                .prefix("/v1/session/destroy/", Methods.PUT_POST, sessions::destroy)
                .prefix("/v1/session/info/", Methods.GET, sessions::info)
                .prefix("/v1/session/node/", Methods.GET, sessions::node)
                .route("/v1/session/list", Methods.GET, sessions::list)
                .prefix("/v1/session/renew/", Methods.PUT_POST, sessions::renew)
                .route("/v1/catalog/register", Methods.PUT_POST, catalog::register)
                .route("/v1/catalog/deregister", Methods.PUT_POST, catalog::deregister)
                .route("/v1/catalog/datacenters", Methods.GET, catalog::datacenters)
                .route("/v1/catalog/nodes", Methods.GET, catalog::nodes)
                .route("/v1/catalog/services", Methods.GET, catalog::services)
                .prefix("/v1/catalog/service/", Methods.GET, catalog::service)
                .prefix("/v1/catalog/node/", Methods.GET, catalog::node)
                .prefix("/v1/catalog/node-services/", Methods.GET, catalog::nodeServices)
                .prefix("/v1/health/node/", Methods.GET, health::node)
                .prefix("/v1/health/checks/", Methods.GET, health::checks)
                .prefix("/v1/health/service/", Methods.GET, health::service)
                .prefix("/v1/health/state/", Methods.GET, health::state)
                .route("/v1/snapshot", Methods.KV, snapshots::handle)
                .route("/v1/operator/raft/configuration", Methods.GET, snapshots::raftConfiguration)
                .route("/v1/operator/raft/peer", Methods.DELETE, snapshots::removePeer)
                .route("/v1/operator/autopilot/configuration", Methods.GET, operator::autopilotConfiguration)
                .route("/v1/operator/autopilot/health", Methods.GET, operator::autopilotHealth)
                .route("/v1/operator/autopilot/state", Methods.GET, operator::autopilotState)
                .prefix("/v1/config/", Methods.GET, operator::configEntries)
                .prefix("/v1/connect/", Set.of("GET", "HEAD", "PUT", "POST", "DELETE"), operator::connectDisabled)
                .prefix("/v1/discovery-chain/", Set.of("GET", "HEAD", "POST"), operator::connectDisabled)
                .prefix("/v1/catalog/connect/", Methods.GET, operator::emptyCatalogList)
                .prefix("/v1/catalog/gateway-services/", Methods.GET, operator::emptyCatalogList)
                .prefix("/v1/health/connect/", Methods.GET, operator::emptyCatalogList)
                .prefix("/v1/health/ingress/", Methods.GET, operator::emptyCatalogList)
                .route("/v1/query", PreparedQueryEndpoint.generalMethods(), queries::general)
                .route("/v1/coordinate/datacenters", Methods.GET, coordinates::datacenters)
                .route("/v1/coordinate/nodes", Methods.GET, coordinates::nodes)
                .prefix("/v1/coordinate/node/", Methods.GET, coordinates::node)
                .route("/v1/coordinate/update", CoordinateEndpoint.updateMethods(), coordinates::update)
                .prefix("/v1/query/", PreparedQueryEndpoint.specificMethods(), queries::specific)
                .route("/v1/status/leader", Methods.GET, agent::leader)
                .route("/v1/status/peers", Methods.GET, agent::peers)
                .route("/", Methods.GET, HttpServer::index);
        jetty.setHandler(api);
        jetty.setErrorHandler(HttpServer::errorPage);
        jetty.setStopTimeout(1500);
    }

    private static void index(Call call) {
        call.raw(200, ("Roster agent: Consul-compatible HTTP API at /v1/ (try /v1/agent/self)\n").getBytes(StandardCharsets.UTF_8));
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

    public void start() throws Exception {
        jetty.start();
        for (String host : moreAddresses) {
            ServerConnector c = connector(host, port());
            jetty.addConnector(c);
            c.start();
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Connections accepted on the HTTP sockets ({@code client_addr}) since start; in-memory requests do not count. */
    public long socketConnections() {
        return connectionStats.getConnectionsTotal();
    }

    /** This agent's HTTP handlers without a socket (the server RPC answers forwarded requests with them). */
    public LocalExchange local() {
        return new LocalExchange(localConnector);
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
