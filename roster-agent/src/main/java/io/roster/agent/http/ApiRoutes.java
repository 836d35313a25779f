package io.roster.agent.http;

import static io.roster.agent.http.Route.Scope.AGENT;
import static io.roster.agent.http.Route.Scope.CLUSTER;

import io.roster.agent.AgentConfig;
import io.roster.agent.metrics.AgentMetrics;
import io.roster.agent.server.StateServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The HTTP API's routes, each declared once: method(s), path pattern, the ACL it needs in Consul's
 * rule names (the "ACL Required" column of Consul's API docs), who answers it, and its handler;
 * then the decorators every route carries, outermost first: metrics, the datacenter check, the
 * leader gate, the RPC count (a server answering for the cluster) or, on a client agent, the
 * forwarding of every cluster route to a server.
 */
final class ApiRoutes {
    static final Set<String> GET = Set.of("GET", "HEAD");
    static final Set<String> PUT = Set.of("PUT");
    static final Set<String> POST = Set.of("POST");
    static final Set<String> PUT_POST = Set.of("PUT", "POST");
    static final Set<String> DELETE = Set.of("DELETE");
    /** What a client agent forwards for paths it has no route for (the server answers, 404 included). */
    static final Set<String> ANY = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH");

    /** The table and the handles the agent keeps on it. */
    record Built(RouteTable table, AgentLocalEndpoint agentLocal, AtomicReference<BooleanSupplier> gate,
                 io.roster.agent.acl.AclResolver acl) {
    }

    private ApiRoutes() {
    }

    /**
     * @param rpc on a client agent, the server RPC that cluster routes are forwarded over; null on
     *            a server or dev agent
     */
    static Built build(AgentConfig config, String nodeId, StateServer server, io.roster.agent.local.LocalState local,
                       HttpServer.Reloader reloader, AgentMetrics metrics, BlockingQuery blocking,
                       io.roster.agent.lan.LanPool lan, io.roster.agent.rpc.RpcClient rpc,
                       io.roster.agent.coordinate.CoordinateUpdates coordinateUpdates) {
        return build(config, nodeId, server, local, reloader, metrics, blocking, lan, rpc, coordinateUpdates, null);
    }

    /** @param wan a server's way to the other datacenters, or null (a client agent, or no WAN pool) */
    static Built build(AgentConfig config, String nodeId, StateServer server, io.roster.agent.local.LocalState local,
                       HttpServer.Reloader reloader, AgentMetrics metrics, BlockingQuery blocking,
                       io.roster.agent.lan.LanPool lan, io.roster.agent.rpc.RpcClient rpc,
                       io.roster.agent.coordinate.CoordinateUpdates coordinateUpdates, io.roster.agent.wan.WanRouter wan) {
        KvEndpoint kv = new KvEndpoint(server, blocking, config.kvMaxValueSize());
        TxnEndpoint txn = new TxnEndpoint(server, config.txnMaxOps(), config.kvMaxValueSize());
        SessionEndpoint sessions = new SessionEndpoint(server, blocking, config.nodeName());
        AgentEndpoint agent = new AgentEndpoint(config, nodeId, () -> server.replicator().leaderAddress())
                .withGossip(lan).withState(local, server.replicator());
        StatusEndpoint status = new StatusEndpoint(() -> server.replicator().leaderAddress(), () -> server.replicator().peers());
        CatalogEndpoint catalog = new CatalogEndpoint(server, blocking, config.datacenter());
        catalog.wan = wan;
        SnapshotEndpoint snapshots = new SnapshotEndpoint(server);
        HealthEndpoint health = new HealthEndpoint(server.store(), blocking, config.datacenter());
        AgentLocalEndpoint mine = new AgentLocalEndpoint(local, blocking, reloader);
        OperatorEndpoint operator = new OperatorEndpoint(server.replicator(), lan, io.roster.agent.Version.CONSUL_API)
                .withWan(wan == null ? null : wan.pool());
        MembersEndpoint members = new MembersEndpoint(lan, config, wan == null ? null : wan.pool());
        EventEndpoint events = new EventEndpoint(lan, blocking);
        ConnectEndpoint connect = new ConnectEndpoint(server.store());
        ConfigEndpoint configEntries = new ConfigEndpoint(server.store());
        PreparedQueryEndpoint queries = new PreparedQueryEndpoint(server, blocking, config.datacenter(), config.nodeName())
                .withFailover(wan);
        queries.translateWan = config.membership().wan().translateWanAddrs();
        NearSort near = new NearSort(server.store(), config.nodeName());
        catalog.near = near;
        health.near = near;
        CoordinateEndpoint coordinates = new CoordinateEndpoint(server.store(), blocking, config.datacenter(), coordinateUpdates);
        coordinates.wan = wan == null ? null : wan.pool();
        coordinates.nodeName = config.nodeName();
        UiEndpoint ui = new UiEndpoint(server.store(), blocking, config.datacenter());
        MetricsEndpoint agentMetrics = new MetricsEndpoint(metrics, blocking, server.store())
                .withAutopilot(rpc == null ? operator : null).withGossip(lan);

        // ACLs (issue 18): the resolver reads the replicated tables of this server's store.
        java.util.concurrent.atomic.AtomicReference<io.roster.agent.acl.AclSettings> aclSettings =
                new java.util.concurrent.atomic.AtomicReference<>(config.acl());
        io.roster.agent.acl.AclResolver resolver = new io.roster.agent.acl.AclResolver(server.store().acl(), aclSettings,
                config.nodeName(), java.time.Clock.systemUTC());
        io.roster.agent.acl.AclService aclService = new io.roster.agent.acl.AclService(server.replicator(), resolver,
                java.time.Clock.systemUTC(), config.dev() ? null : config.dataDir());
        AclEndpoint acls = new AclEndpoint(aclService, blocking);
        if (rpc != null) {
            // A client agent has no ACL tables: a server resolves each token, the client caches it (down_policy).
            resolver.resolveThrough(secret -> rpc.resolveToken(secret, java.time.Duration.ofSeconds(5)));
        }
        if (config.acl().enabled()) {
            mine.tokens = new io.roster.agent.acl.AgentTokens(aclSettings, config.dev() ? null : config.dataDir());
        }
        String primaryDc = config.membership().wan().primaryDatacenter();
        boolean secondary = rpc == null && wan != null && config.acl().enabled() && !primaryDc.isEmpty()
                && !primaryDc.equals(config.datacenter());
        if (secondary) {
            // issue 22 item 5: the primary owns global ACL state; this datacenter's leader copies it.
            aclService.secondary(true);
            if (!config.acl().enableTokenReplication()) {
                // No tokens here: the primary resolves them all (with token replication: the local copies only).
                resolver.resolveThroughPrimary(secret -> wan.resolveToken(primaryDc, secret, java.time.Duration.ofSeconds(5)));
            }
            acls.replication = new io.roster.agent.acl.AclReplication(server.replicator(), aclSettings::get, primaryDc,
                    (pathQuery, token) -> primaryRead(wan, primaryDc, pathQuery, token), java.time.Clock.systemUTC());
            blocking.timer().scheduleWithFixedDelay(() -> Thread.ofVirtual().name("acl-replication")
                    .start(acls.replication::round), 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        if (config.acl().enabled() && rpc == null) {
            blocking.timer().scheduleWithFixedDelay(aclService::leaderDuties, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        // Names of the routes whose ACL name is found by a lookup (an ID in the path).
        Acl.Name localService = Acl.lookup("service of path service_id", (call, self) -> {
            io.roster.api.NodeService s = local.service(call.rest());
            return List.of(s == null ? call.rest() : s.service());
        });
        Acl localCheck = Acl.of("service:write").on(Acl.lookup("service of path check_id (if any)", (call, self) -> {
            String svc = localCheckService(local, call.rest());
            return svc.isEmpty() ? List.of() : List.of(svc);
        })).and("node:write", Acl.lookup("agent node (a node check)", (call, self) ->
                localCheckService(local, call.rest()).isEmpty() ? List.of(self) : List.of()));
        Acl checkRegister = Acl.of("service:write").on(Acl.lookup("service of body ServiceID (if any)", (call, self) -> {
            List<String> id = AclNames.body("", "ServiceID").names().apply(call, self);
            if (id.isEmpty()) {
                return List.of();
            }
            io.roster.api.NodeService s = local.service(id.get(0));
            return List.of(s == null ? id.get(0) : s.service());
        })).and("node:write", Acl.lookup("agent node (a node check)", (call, self) ->
                AclNames.body("", "ServiceID").names().apply(call, self).isEmpty() ? List.of(self) : List.of()));
        Acl.Name sessionNode = Acl.lookup("node of path session", (call, self) -> {
            io.roster.api.SessionEntry e = server.store().session(io.roster.state.WatchSet.NONE, call.rest()).value();
            return List.of(e == null ? "" : e.node());
        });
        Acl.Name queryName = Acl.lookup("name of path query", (call, self) -> {
            String rest = call.rest();
            int slash = rest.indexOf('/');
            String idOrName = slash < 0 ? rest : rest.substring(0, slash);
            io.roster.api.PreparedQuery q = server.store().resolvePreparedQuery(io.roster.state.WatchSet.NONE, idOrName).value();
            return List.of(q == null ? idOrName : q.name());
        });

        RouteTable.Builder t = RouteTable.builder()
                // The agent's own: every agent answers these itself, a client agent too.
                .add(GET, "/v1/agent/self", Acl.of("agent:read").on(Acl.AGENT_NODE), AGENT, agent::self)
                .add(GET, "/v1/agent/metrics", Acl.of("agent:read").on(Acl.AGENT_NODE), AGENT, agentMetrics::handle)
                .add(GET, "/v1/agent/members", Acl.filtered("node:read"), AGENT, members::members)
                .add(PUT, "/v1/agent/join/{address...}", Acl.of("agent:write").on(Acl.AGENT_NODE), AGENT, members::join)
                .add(PUT, "/v1/agent/force-leave/{node...}", Acl.of("operator:write"), AGENT, members::forceLeave)
                .add(PUT_POST, "/v1/agent/leave", Acl.of("agent:write").on(Acl.AGENT_NODE), AGENT, mine::leave)
                .add(PUT_POST, "/v1/agent/reload", Acl.of("agent:write").on(Acl.AGENT_NODE), AGENT, mine::reload)
                .add(PUT_POST, "/v1/agent/maintenance", Acl.of("node:write").on(Acl.AGENT_NODE), AGENT, mine::nodeMaintenance)
                .add(GET, "/v1/agent/services", Acl.filtered("service:read"), AGENT, mine::services)
                .add(GET, "/v1/agent/service/{service_id...}", Acl.of("service:read").on(localService), AGENT, mine::service)
                .add(PUT_POST, "/v1/agent/service/register", Acl.of("service:write").on(AclNames.body("service name", "Name")), AGENT, mine::registerService)
                .add(PUT_POST, "/v1/agent/service/deregister/{service_id...}", Acl.of("service:write").on(localService), AGENT, mine::deregisterService)
                .add(PUT_POST, "/v1/agent/service/maintenance/{service_id...}", Acl.of("service:write").on(localService), AGENT, mine::serviceMaintenance)
                .add(GET, "/v1/agent/checks", Acl.filtered("node:read", "service:read"), AGENT, mine::checks)
                .add(PUT_POST, "/v1/agent/check/register", checkRegister, AGENT, mine::registerCheck)
                .add(PUT_POST, "/v1/agent/check/deregister/{check_id...}", localCheck, AGENT, mine::deregisterCheck)
                .add(PUT_POST, "/v1/agent/check/pass/{check_id...}", localCheck, AGENT, mine::pass)
                .add(PUT_POST, "/v1/agent/check/warn/{check_id...}", localCheck, AGENT, mine::warn)
                .add(PUT_POST, "/v1/agent/check/fail/{check_id...}", localCheck, AGENT, mine::fail)
                .add(PUT_POST, "/v1/agent/check/update/{check_id...}", localCheck, AGENT, mine::update)
                .add(GET, "/v1/agent/health/service/id/{service_id...}", Acl.of("service:read").on(localService), AGENT, mine::healthById)
                .add(GET, "/v1/agent/health/service/name/{service...}", Acl.of("service:read").on(Acl.path("service")), AGENT, mine::healthByName)
                .add(Set.of("GET", "HEAD", "POST"), "/v1/agent/connect/{rest...}", Acl.of("service:write").on(Acl.path("rest")), AGENT, connect::connectDisabled)
                .add(PUT, "/v1/agent/token/{kind}", Acl.of("acl:write"), AGENT, mine::setToken)
                .add(PUT, "/v1/event/fire/{name...}", Acl.of("event:write").on(Acl.path("name")), AGENT, events::fire)
                .add(GET, "/v1/event/list", Acl.filtered("event:read"), AGENT, events::list)
                .add(GET, "/v1/operator/keyring", Acl.of("keyring:read"), AGENT, operator::keyringList)
                .add(POST, "/v1/operator/keyring", Acl.of("keyring:write"), AGENT, operator::keyringInstall)
                .add(PUT, "/v1/operator/keyring", Acl.of("keyring:write"), AGENT, operator::keyringUse)
                .add(DELETE, "/v1/operator/keyring", Acl.of("keyring:write"), AGENT, operator::keyringRemove)
                .add(GET, "/", Acl.none(), AGENT, ApiRoutes::index)
                // The cluster's: servers answer these; a client agent forwards them.
                .add(GET, "/v1/kv", Acl.of("key:read").on(AclNames.KV_READ), CLUSTER, kv::get)
                .add(PUT_POST, "/v1/kv", Acl.of("key:write").on(Acl.path("key")), CLUSTER, kv::put)
                .add(DELETE, "/v1/kv", Acl.of("key:write").on(Acl.path("key")), CLUSTER, kv::delete)
                .add(GET, "/v1/kv/{key...}", Acl.of("key:read").on(AclNames.KV_READ), CLUSTER, kv::get)
                .add(PUT_POST, "/v1/kv/{key...}", Acl.of("key:write").on(Acl.path("key")), CLUSTER, kv::put)
                .add(DELETE, "/v1/kv/{key...}", Acl.of("key:write").on(Acl.path("key")), CLUSTER, kv::delete)
                .add(PUT_POST, "/v1/txn", Acl.of("key:read").on(AclNames.TXN_READS).and("key:write", AclNames.TXN_WRITES), CLUSTER, txn)
                .add(PUT_POST, "/v1/session/create", Acl.of("session:write").on(AclNames.SESSION_NODE), CLUSTER, sessions::create)
                .add(PUT_POST, "/v1/session/destroy/{uuid...}", Acl.of("session:write").on(sessionNode), CLUSTER, sessions::destroy)
                .add(PUT_POST, "/v1/session/renew/{uuid...}", Acl.of("session:write").on(sessionNode), CLUSTER, sessions::renew)
                .add(GET, "/v1/session/info/{uuid...}", Acl.of("session:read").on(sessionNode), CLUSTER, sessions::info)
                .add(GET, "/v1/session/node/{node...}", Acl.of("session:read").on(Acl.path("node")), CLUSTER, sessions::node)
                .add(GET, "/v1/session/list", Acl.filtered("session:read"), CLUSTER, sessions::list)
                .add(PUT_POST, "/v1/catalog/register", Acl.of("node:write").on(AclNames.body("node", "Node")).and("service:write", AclNames.body("service", "Service", "Service")), CLUSTER, catalog::register)
                .add(PUT_POST, "/v1/catalog/deregister", Acl.of("node:write").on(AclNames.body("node", "Node")), CLUSTER, catalog::deregister)
                .add(GET, "/v1/catalog/datacenters", Acl.none(), CLUSTER, catalog::datacenters)
                .add(GET, "/v1/catalog/nodes", Acl.filtered("node:read"), CLUSTER, catalog::nodes)
                .add(GET, "/v1/catalog/services", Acl.filtered("service:read"), CLUSTER, catalog::services)
                .add(GET, "/v1/catalog/service/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, catalog::service)
                .add(GET, "/v1/catalog/node/{node...}", Acl.of("node:read").on(Acl.path("node")), CLUSTER, catalog::node)
                .add(GET, "/v1/catalog/node-services/{node...}", Acl.of("node:read").on(Acl.path("node")), CLUSTER, catalog::nodeServices)
                .add(GET, "/v1/catalog/connect/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, connect::emptyCatalogList)
                .add(GET, "/v1/catalog/gateway-services/{gateway...}", Acl.of("service:read").on(Acl.path("gateway")), CLUSTER, connect::emptyCatalogList)
                .add(GET, "/v1/health/node/{node...}", Acl.of("node:read").on(Acl.path("node")), CLUSTER, health::node)
                .add(GET, "/v1/health/checks/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, health::checks)
                .add(GET, "/v1/health/service/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, health::service)
                .add(GET, "/v1/health/state/{state...}", Acl.filtered("node:read", "service:read"), CLUSTER, health::state)
                .add(GET, "/v1/health/connect/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, connect::emptyCatalogList)
                .add(GET, "/v1/health/ingress/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, connect::emptyCatalogList)
                .add(GET, "/v1/snapshot", Acl.management(), CLUSTER, snapshots::save)
                .add(PUT_POST, "/v1/snapshot", Acl.management(), CLUSTER, snapshots::restore)
                .add(GET, "/v1/operator/raft/configuration", Acl.of("operator:read"), CLUSTER, operator::raftConfiguration)
                .add(DELETE, "/v1/operator/raft/peer", Acl.of("operator:write"), CLUSTER, operator::removePeer)
                .add(GET, "/v1/operator/autopilot/configuration", Acl.of("operator:read"), CLUSTER, operator::autopilotConfiguration)
                .add(GET, "/v1/operator/autopilot/health", Acl.of("operator:read"), CLUSTER, operator::autopilotHealth)
                .add(GET, "/v1/operator/autopilot/state", Acl.of("operator:read"), CLUSTER, operator::autopilotState)
                .add(GET, "/v1/config/{kind...}", Acl.of("service:read").on(Acl.path("kind")), CLUSTER, configEntries::configEntries)
                .add(Set.of("GET", "HEAD", "PUT", "POST", "DELETE"), "/v1/connect/{rest...}", Acl.of("intention:read"), CLUSTER, connect::connectDisabled)
                .add(Set.of("GET", "HEAD", "POST"), "/v1/discovery-chain/{service...}", Acl.of("service:read").on(Acl.path("service")), CLUSTER, connect::connectDisabled)
                .add(GET, "/v1/query", Acl.filtered("query:read"), CLUSTER, queries::general)
                .add(POST, "/v1/query", Acl.of("query:write").on(AclNames.body("query name", "Name")), CLUSTER, queries::general)
                .add(GET, "/v1/query/{uuid...}", Acl.of("query:read").on(queryName), CLUSTER, queries::specific)
                .add(Set.of("PUT", "DELETE"), "/v1/query/{uuid...}", Acl.of("query:write").on(queryName), CLUSTER, queries::specific)
                .add(GET, "/v1/coordinate/datacenters", Acl.none(), CLUSTER, coordinates::datacenters)
                .add(GET, "/v1/coordinate/nodes", Acl.filtered("node:read"), CLUSTER, coordinates::nodes)
                .add(GET, "/v1/coordinate/node/{node...}", Acl.of("node:read").on(Acl.path("node")), CLUSTER, coordinates::node)
                .add(PUT_POST, "/v1/coordinate/update", Acl.of("node:write").on(AclNames.body("node", "Node")), CLUSTER, coordinates::update)
                .add(GET, "/v1/internal/ui/services", Acl.filtered("service:read"), CLUSTER, ui::services)
                .add(GET, "/v1/internal/ui/nodes", Acl.filtered("node:read", "service:read"), CLUSTER, ui::nodes)
                .add(GET, "/v1/internal/ui/node/{node...}", Acl.of("node:read").on(Acl.path("node")), CLUSTER, ui::node)
                .add(GET, "/v1/internal/ui/catalog-overview", Acl.of("operator:read"), CLUSTER, ui::catalogOverview)
                .add(GET, "/v1/status/leader", Acl.none(), CLUSTER, status::leader)
                .add(GET, "/v1/status/peers", Acl.none(), CLUSTER, status::peers)
                // ACLs (issue 18)
                .add(PUT, "/v1/acl/bootstrap", Acl.none(), CLUSTER, acls::bootstrap)
                .add(GET, "/v1/acl/replication", Acl.none(), CLUSTER, acls::replication)
                .add(PUT, "/v1/acl/token", Acl.of("acl:write"), CLUSTER, acls::createToken)
                .add(GET, "/v1/acl/token/self", Acl.token(), CLUSTER, acls::tokenSelf)
                .add(GET, "/v1/acl/token/{accessor}", Acl.of("acl:read"), CLUSTER, acls::token)
                .add(Set.of("PUT", "DELETE"), "/v1/acl/token/{accessor}", Acl.of("acl:write"), CLUSTER, acls::token)
                .add(PUT, "/v1/acl/token/{accessor}/clone", Acl.of("acl:write"), CLUSTER, acls::cloneToken)
                .add(GET, "/v1/acl/tokens", Acl.of("acl:read"), CLUSTER, acls::tokens)
                .add(PUT, "/v1/acl/policy", Acl.of("acl:write"), CLUSTER, acls::createPolicy)
                .add(GET, "/v1/acl/policy/{id}", Acl.of("acl:read"), CLUSTER, acls::policy)
                .add(Set.of("PUT", "DELETE"), "/v1/acl/policy/{id}", Acl.of("acl:write"), CLUSTER, acls::policy)
                .add(GET, "/v1/acl/policy/name/{name}", Acl.of("acl:read"), CLUSTER, acls::policyByName)
                .add(GET, "/v1/acl/policies", Acl.of("acl:read"), CLUSTER, acls::policies)
                .add(PUT, "/v1/acl/role", Acl.of("acl:write"), CLUSTER, acls::createRole)
                .add(GET, "/v1/acl/role/{id}", Acl.of("acl:read"), CLUSTER, acls::role)
                .add(Set.of("PUT", "DELETE"), "/v1/acl/role/{id}", Acl.of("acl:write"), CLUSTER, acls::role)
                .add(GET, "/v1/acl/role/name/{name}", Acl.of("acl:read"), CLUSTER, acls::roleByName)
                .add(GET, "/v1/acl/roles", Acl.of("acl:read"), CLUSTER, acls::roles)
                .add(PUT, "/v1/acl/auth-method", Acl.of("acl:write"), CLUSTER, acls::unsupported)
                .add(Set.of("GET", "HEAD", "PUT", "DELETE"), "/v1/acl/auth-method/{name}", Acl.of("acl:write"), CLUSTER, acls::unsupported)
                .add(GET, "/v1/acl/auth-methods", Acl.of("acl:read"), CLUSTER, acls::unsupported)
                .add(PUT, "/v1/acl/binding-rule", Acl.of("acl:write"), CLUSTER, acls::unsupported)
                .add(Set.of("GET", "HEAD", "PUT", "DELETE"), "/v1/acl/binding-rule/{id}", Acl.of("acl:write"), CLUSTER, acls::unsupported)
                .add(GET, "/v1/acl/binding-rules", Acl.of("acl:read"), CLUSTER, acls::unsupported)
                .add(Set.of("POST"), "/v1/acl/login", Acl.none(), CLUSTER, acls::unsupported)
                .add(Set.of("POST"), "/v1/acl/logout", Acl.none(), CLUSTER, acls::unsupported);
        Forwarder forwarder = rpc == null ? null : new Forwarder(rpc).withAgentNode(config.nodeName())
                .withDefaultToken(() -> aclSettings.get().enabled() ? aclSettings.get().defaultToken() : "")
                .withFailoverTranslation(config.membership().wan().translateWanAddrs() ? config.datacenter() : null);
        if (forwarder != null) {
            // Paths this agent has no route for: the server answers (404 included), as Consul's client does.
            t.add(ANY, "/v1/{path...}", Acl.none(), CLUSTER, forwarder);
        }
        AtomicReference<BooleanSupplier> gate = new AtomicReference<>(() -> true);
        // Innermost first: each decorator wraps the ones applied before it.
        RouteTable table = t.build();
        if (forwarder != null) {
            table = table.decorate(r -> r.scope() == CLUSTER, Decorators.forwardTo(forwarder));
        } else {
            table = table.decorate(Decorators::countsAsRpc, Decorators.rpcCount(metrics));
        }
        // ACLs inside the leader gate and the datacenter check: a client agent forwards cluster routes
        // unchecked (the server checks the forwarded token) and checks its own routes here.
        table = table.decorate(r -> r.scope() == AGENT || forwarder == null, Decorators.acl(resolver, config.nodeName()));
        table = table.decorate(Decorators.leaderGate(gate));
        java.util.function.Function<String, Endpoint> remote = remoteDatacenters(config, wan, rpc);
        if (secondary) {
            io.roster.state.AclReads aclReads = server.store().acl();
            table = table.decorate(Decorators.aclPrimary(config.datacenter(), () -> aclSettings.get().enableTokenReplication(),
                    accessor -> {
                        io.roster.api.AclToken tok = aclReads.token(io.roster.state.WatchSet.NONE, accessor).value();
                        return tok != null && tok.local();
                    }, remote.apply(primaryDc)));
        }
        table = table.decorate(Decorators.datacenter(config.datacenter(), remote))
                .decorate(Decorators.metrics(metrics));
        return new Built(table, mine, gate, resolver);
    }

    /**
     * Where a cluster route naming another datacenter goes: on a server, to a server of that
     * datacenter over the WAN ({@code No path to datacenter} when none answers); on a client
     * agent, to its own servers as it came (they forward on); without either, nowhere.
     */
    private static java.util.function.Function<String, Endpoint> remoteDatacenters(AgentConfig config,
                                                                                  io.roster.agent.wan.WanRouter wan,
                                                                                  io.roster.agent.rpc.RpcClient rpc) {
        boolean translate = config.membership().wan().translateWanAddrs();
        if (rpc != null) {
            Forwarder toServers = new Forwarder(rpc).withAgentNode(config.nodeName()).withWanTranslation(translate);
            return dc -> toServers;
        }
        if (wan == null) {
            return null;
        }
        java.util.Map<String, Forwarder> byDc = new java.util.concurrent.ConcurrentHashMap<>();
        return dc -> byDc.computeIfAbsent(dc, d -> new Forwarder((req, read) -> wan.forward(d, req, read), "No path to datacenter")
                .withWanTranslation(translate));
    }

    /** A read from a server of the primary datacenter, for ACL replication (blocking, 10 s at most). */
    private static io.roster.agent.acl.AclReplication.Answer primaryRead(io.roster.agent.wan.WanRouter wan, String dc,
                                                                         String pathQuery, String token) {
        List<String[]> headers = token.isEmpty() ? List.of() : List.<String[]>of(new String[] {"X-Consul-Token", token});
        io.roster.agent.rpc.RpcClient.Pending<io.roster.agent.rpc.RpcProtocol.HttpResponse> p =
                wan.forward(dc, new io.roster.agent.rpc.RpcProtocol.HttpRequest("GET", pathQuery, headers, new byte[0]), true);
        if (p == null) {
            throw new io.roster.agent.acl.TokenCache.Unreachable("No path to datacenter");
        }
        io.roster.agent.rpc.RpcProtocol.HttpResponse r;
        try {
            r = p.future().get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.cancel();
            throw new io.roster.agent.acl.TokenCache.Unreachable("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.cancel();
            throw new io.roster.agent.acl.TokenCache.Unreachable("no server of datacenter " + dc + " answered");
        }
        long index = 0;
        for (String[] h : r.headers()) {
            if (h[0].equalsIgnoreCase("X-Consul-Index")) {
                try {
                    index = Long.parseLong(h[1].trim());
                } catch (NumberFormatException e) {
                    index = 0;
                }
            }
        }
        return new io.roster.agent.acl.AclReplication.Answer(r.status(), index, r.body());
    }

    /** The service ID of an agent check ("" for a node check or an unknown check). */
    private static String localCheckService(io.roster.agent.local.LocalState local, String checkId) {
        io.roster.api.HealthCheck c = local.checks().get(checkId);
        return c == null || c.serviceId() == null ? "" : serviceNameOf(local, c.serviceId());
    }

    private static String serviceNameOf(io.roster.agent.local.LocalState local, String id) {
        io.roster.api.NodeService s = local.service(id);
        return s == null ? id : s.service();
    }

    private static void index(Call call) {
        call.raw(200, ("Roster agent: Consul-compatible HTTP API at /v1/ (try /v1/agent/self)\n").getBytes(StandardCharsets.UTF_8));
    }
}
