package io.roster.agent.http;

import io.roster.agent.metrics.AgentMetrics;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** The decorators every route of the table carries (see {@link ApiRoutes} for the order). */
final class Decorators {
    private Decorators() {
    }

    /** Times every answer as {@code roster.http.requests} by route pattern, method and status. */
    static Decorator metrics(AgentMetrics metrics) {
        return (route, next) -> call -> {
            long started = System.nanoTime();
            String method = call.method();
            call.onAnswer(status -> metrics.http(route.path(), method, status, System.nanoTime() - started));
            next.handle(call);
        };
    }

    /** {@code ?dc=} naming another datacenter: {@code 500 No path to datacenter} (no way to other datacenters). */
    static Decorator datacenter(String datacenter) {
        return datacenter(datacenter, null);
    }

    /** The largest body looked into for its {@code Datacenter} (a catalog write's). */
    private static final long MAX_PEEK = 64L * 1024 * 1024;

    /**
     * {@code ?dc=} naming another datacenter, or a catalog register/deregister body whose
     * {@code Datacenter} does: a cluster route goes to {@code remote}'s endpoint for that
     * datacenter (a server's: a server there, over the WAN; a client agent's: its own servers,
     * which forward on), the request as it came, the token included. An agent route, or no
     * {@code remote}, answers {@code 500 No path to datacenter}.
     */
    static Decorator datacenter(String datacenter, java.util.function.Function<String, Endpoint> remote) {
        return (route, next) -> call -> {
            String dc = call.param("dc");
            Call c = call;
            if ((dc == null || dc.isEmpty()) && remote != null && route.scope() == Route.Scope.CLUSTER
                    && bodyNamesDatacenter(route.path()) && !call.method().equals("GET")) {
                byte[] body = call.body(MAX_PEEK, "Request body(%d bytes) too large, max size: " + MAX_PEEK + " bytes");
                dc = bodyDatacenter(body);
                c = call.withBody(body);
            }
            if (dc != null && !dc.isEmpty() && !dc.equals(datacenter) && readsDatacenter(route)) {
                if (remote == null || route.scope() != Route.Scope.CLUSTER) {
                    throw new HttpError(500, "No path to datacenter");
                }
                remote.apply(dc).handle(c);
                return;
            }
            next.handle(c);
        };
    }

    /**
     * A server of a secondary datacenter ({@code primary_datacenter} names another): the ACL
     * requests Consul sends to the primary go there, as {@code ?dc=<primary>} would take them
     * ({@code toPrimary}): policy and role writes; global token writes (a token body with
     * {@code Local: false}; a delete or clone of a token that is not a local token of this
     * datacenter); and, without {@code enable_token_replication} ({@code localTokens} false), every
     * token read and write, where a local token is refused with Consul's {@code Local tokens are
     * disabled}. {@code PUT /v1/acl/bootstrap} answers Consul's {@code 401 ACL support disabled}
     * (a secondary is never bootstrapped). A request that names a datacenter is the
     * {@link #datacenter} decorator's.
     */
    static Decorator aclPrimary(String datacenter, java.util.function.BooleanSupplier localTokens,
                                java.util.function.Predicate<String> isLocalToken, Endpoint toPrimary) {
        return (route, next) -> call -> {
            String dc = call.param("dc");
            String path = route.path();
            if (dc != null && !dc.isEmpty() && !dc.equals(datacenter) || !path.startsWith("/v1/acl/")) {
                next.handle(call);
                return;
            }
            boolean read = call.method().equals("GET") || call.method().equals("HEAD");
            boolean tokenRoute = path.equals("/v1/acl/token") || path.startsWith("/v1/acl/token/") || path.equals("/v1/acl/tokens");
            if (path.equals("/v1/acl/bootstrap")) {
                throw new HttpError(401, "ACL support disabled");
            }
            if (!read && (path.startsWith("/v1/acl/policy") || path.startsWith("/v1/acl/role"))) {
                toPrimary.handle(call);
                return;
            }
            if (!tokenRoute) {
                next.handle(call);
                return;
            }
            boolean local = localTokens.getAsBoolean();
            if (read) {
                (local ? next : toPrimary).handle(call);
                return;
            }
            if (call.method().equals("PUT") && (path.equals("/v1/acl/token") || path.equals("/v1/acl/token/{accessor}"))) {
                byte[] body = call.body(1024 * 1024, "Request body(%d bytes) too large, max size: 1048576 bytes");
                Call c = call.withBody(body);
                Boolean inBody = bodyLocal(body);
                String accessor = path.equals("/v1/acl/token") ? null : call.pathParam("accessor");
                boolean isLocal = inBody != null ? inBody : accessor != null && isLocalToken.test(accessor);
                if (!isLocal) {
                    toPrimary.handle(c);
                } else if (!local) {
                    throw new HttpError(500, "Local tokens are disabled");
                } else {
                    next.handle(c);
                }
                return;
            }
            // DELETE /v1/acl/token/{accessor}, PUT .../clone: where the token lives decides.
            String accessor = call.pathParam("accessor");
            if (local && accessor != null && isLocalToken.test(accessor)) {
                next.handle(call);
            } else {
                toPrimary.handle(call);
            }
        };
    }

    /** A token body's {@code Local}; null when absent (false when not JSON: the primary's handler says why). */
    static Boolean bodyLocal(byte[] body) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = body.length == 0 ? null : io.roster.api.Json.mapper().readTree(body);
            com.fasterxml.jackson.databind.JsonNode l = n == null ? null : n.get("Local");
            return l == null || l.isNull() ? null : l.asBoolean(false);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Whether a route reads {@code ?dc}: every cluster route does; of the agent's own routes only
     * {@code /v1/event/fire} (an event fired into another datacenter). Consul's other agent endpoints
     * answer from the local agent and never look at {@code ?dc}, so neither does Roster (a fuzz
     * finding: {@code /v1/agent/self?dc=x} answered 500 where Consul answers 200).
     */
    static boolean readsDatacenter(Route route) {
        return route.scope() == Route.Scope.CLUSTER || route.path().startsWith("/v1/event/fire/");
    }

    /** The routes whose body carries a {@code Datacenter} that decides where they run. */
    static boolean bodyNamesDatacenter(String routePath) {
        return routePath.equals("/v1/catalog/register") || routePath.equals("/v1/catalog/deregister");
    }

    /** The top-level {@code Datacenter} of a JSON body, or null (absent, or not JSON: the handler says why). */
    static String bodyDatacenter(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = io.roster.api.Json.mapper().readTree(body);
            com.fasterxml.jackson.databind.JsonNode d = n == null ? null : n.get("Datacenter");
            return d != null && d.isTextual() ? d.asText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Until the gate opens (a lone server that has not registered its own node), the KV, session,
     * transaction, catalog and health routes answer {@code 500 No cluster leader}, and
     * {@code /v1/status/leader} names no leader: clients wait for a leader and then write at once.
     */
    static Decorator leaderGate(AtomicReference<BooleanSupplier> ready) {
        return (route, next) -> call -> {
            if (!ready.get().getAsBoolean()) {
                String path = call.path();
                if (needsLeader(path)) {
                    throw new HttpError(500, "No cluster leader");
                }
                if (path.equals("/v1/status/leader")) {
                    call.json("");
                    return;
                }
            }
            next.handle(call);
        };
    }

    static boolean needsLeader(String path) {
        return path.startsWith("/v1/kv") || path.startsWith("/v1/session/") || path.equals("/v1/txn")
                || path.startsWith("/v1/catalog/") || path.startsWith("/v1/health/");
    }

    /**
     * Counts the requests a server answers for the cluster ({@code consul.rpc.request}, and
     * {@code consul.rpc.query} for blocking ones): every {@code /v1/} route but the agent's own.
     */
    static Decorator rpcCount(AgentMetrics metrics) {
        return (route, next) -> call -> {
            metrics.rpc(call.has("index"));
            next.handle(call);
        };
    }

    /** Whether {@link #rpcCount} applies to a route a server answers itself. */
    static boolean countsAsRpc(Route r) {
        String p = r.path();
        return p.startsWith("/v1/") && !p.startsWith("/v1/agent/") && !p.startsWith("/v1/event/");
    }

    /** A client agent's cluster routes: forwarded to a server (the handler here never runs). */
    static Decorator forwardTo(Forwarder f) {
        return (route, next) -> f;
    }

    /**
     * The ACL check of every route, from its declaration ({@link Acl}): the token (X-Consul-Token,
     * Authorization: Bearer, ?token=; none: anonymous) is resolved on this server's replicated ACL
     * tables (a client agent's: by a server over the RPC, cached; {@code down_policy}), then each
     * declared rule is checked on each name its source gives; a refusal is
     * Consul's 403 {@code Permission denied: token with AccessorID '...' lacks permission
     * 'key:write' on "foo"}, an unknown or expired token 403 {@code ACL not found}. ACLs off: the
     * route runs as before, untouched. Filtered routes only resolve the token; their endpoint
     * filters ({@link AclFilter}).
     */
    static Decorator acl(io.roster.agent.acl.AclResolver resolver, String agentNode) {
        return (route, next) -> {
            Acl acl = route.acl();
            if (acl.kind() == Acl.Kind.NONE) {
                return next;
            }
            return call -> {
                if (!resolver.enabled()) {
                    next.handle(call);
                    return;
                }
                io.roster.agent.acl.Identity id;
                try {
                    id = resolver.resolve(call.request().token());
                    authorize(acl, call, id, agentNode);
                } catch (io.roster.agent.acl.AclError e) {
                    throw new HttpError(e.status(), e.getMessage());
                }
                call.identity(id);
                call.onAclRecheck(() -> {
                    try {
                        io.roster.agent.acl.Identity again = resolver.resolve(call.request().token());
                        authorize(acl, call, again, agentNode);
                        call.identity(again);
                    } catch (io.roster.agent.acl.AclError e) {
                        throw new HttpError(e.status(), e.getMessage());
                    }
                });
                next.handle(call);
            };
        };
    }

    private static void authorize(Acl acl, Call call, io.roster.agent.acl.Identity id, String agentNode) {
        io.roster.agent.acl.Authorizer a = id.authz();
        switch (acl.kind()) {
            case MANAGEMENT -> {
                if (!a.isManagement()) {
                    // Consul's snapshot endpoint: the caller needs a management token (acl:write everywhere).
                    throw io.roster.agent.acl.AclError.denied(id.accessorId(), "acl", "write", null);
                }
            }
            case RULES -> {
                for (Acl.Need n : acl.needs()) {
                    java.util.List<String> names = n.name() == null ? java.util.List.of("") : n.name().names().apply(call, agentNode);
                    for (String name : names) {
                        if (!a.allowed(n.resource(), name, n.access())) {
                            throw io.roster.agent.acl.AclError.denied(id.accessorId(), n.resource(), n.access(),
                                    n.name() == null ? null : name);
                        }
                    }
                }
            }
            default -> {
                // TOKEN and FILTERED: a valid token is all this decorator checks
            }
        }
    }
}
