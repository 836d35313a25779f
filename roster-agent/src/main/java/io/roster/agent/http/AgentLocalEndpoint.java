package io.roster.agent.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.roster.agent.local.LocalState;
import io.roster.api.CheckDefinition;
import io.roster.api.HealthCheck;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.state.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This agent's own services and checks: {@code /v1/agent/services}, {@code service/*},
 * {@code checks}, {@code check/*}, {@code maintenance}, {@code health/service/*}, {@code reload}, {@code leave}.
 * Registration here is the normal path; anti-entropy carries it into the catalog.
 */
final class AgentLocalEndpoint {
    private static final long MAX_BODY = 1024 * 1024;

    private final LocalState local;
    private final BlockingQuery blocking;
    private final HttpServer.Reloader reloader;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentLocalEndpoint.class);
    private volatile HttpServer.SyncChanges sync = () -> { };
    private final java.util.concurrent.atomic.AtomicLong lastSyncWarning = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

    /** What carries a change into the catalog before the answer (anti-entropy's full sync). */
    void syncWith(HttpServer.SyncChanges s) {
        this.sync = s;
    }

    /**
     * Consul's {@code syncChanges}: a registration, deregistration, TTL update or maintenance
     * change is synced to the catalog before the HTTP answer, so a catalog or health read right
     * after sees it. A failure is logged (at most once a minute) and left to anti-entropy's
     * retries: the local change stands, as in Consul.
     */
    private void syncChanges() {
        try {
            sync.sync();
        } catch (Exception e) {
            long now = System.nanoTime();
            long last = lastSyncWarning.get();
            if ((last == Long.MIN_VALUE || now - last > 60_000_000_000L) && lastSyncWarning.compareAndSet(last, now)) {
                LOG.warn("failed to sync changes (anti-entropy retries): {}", e.toString());
            }
        }
    }

    AgentLocalEndpoint(LocalState local, BlockingQuery blocking, HttpServer.Reloader reloader) {
        this.local = local;
        this.blocking = blocking;
        this.reloader = reloader;
    }

    void services(Call call) {
        Map<String, io.roster.api.NodeService> visible = new LinkedHashMap<>();
        local.services().forEach((id, s) -> {
            if (AclFilter.visible(call, "service", s.service())) {
                visible.put(id, s);
            }
        });
        call.json(Filters.applyValues(Filters.filter(call, io.roster.api.NodeService.class), visible));
    }

    void service(Call call) {
        String id = CatalogEndpoint.requireName(call, "Missing service ID");
        blocking.serveHash(call, ws -> {
            ws.watchTopic(LocalState.serviceTopic(id));
            return new Store.Read<>(local.service(id), local.serviceHash(id));
        }, (c, r) -> {
            if (r.value() == null) {
                c.error(404, "unknown service ID: " + id);
                return;
            }
            String hash = BlockingQuery.hashString(r.index());
            c.responseHeaders().put("X-Consul-ContentHash", hash);
            Map<String, Object> out = io.roster.api.Json.mapper().convertValue(r.value(),
                    new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
            out.put("ContentHash", hash);
            c.json(out);
        });
    }

    void registerService(Call call) {
        ServiceDefinition def = body(call, ServiceDefinition.class);
        boolean replace = call.has("replace-existing-checks") && !"false".equals(call.param("replace-existing-checks"));
        register(call, () -> local.registerService(def, replace));
    }

    private static <T> T body(Call call, Class<T> type) {
        T def = call.json(type, MAX_BODY);
        if (def == null) {
            throw HttpError.badRequest("Request decode failed: empty body");
        }
        return def;
    }

    /** Runs a registration; an invalid definition is a one-line 400 and changes nothing. */
    private void register(Call call, Runnable registration) {
        try {
            registration.run();
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        syncChanges();
        call.empty(200);
    }

    void deregisterService(Call call) {
        String id = CatalogEndpoint.requireName(call, "Missing service ID");
        if (!local.removeService(id)) {
            throw new HttpError(404, "Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
        }
        syncChanges();
        call.empty(200);
    }

    void serviceMaintenance(Call call) {
        String id = CatalogEndpoint.requireName(call, "Missing service ID");
        boolean enable = enableParam(call);
        if (!local.serviceMaintenance(id, enable, call.param("reason"))) {
            throw new HttpError(404, "Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
        }
        syncChanges();
        call.empty(200);
    }

    void nodeMaintenance(Call call) {
        local.nodeMaintenance(enableParam(call), call.param("reason"));
        syncChanges();
        call.empty(200);
    }

    private static boolean enableParam(Call call) {
        String v = call.param("enable");
        if (v == null || v.isEmpty()) {
            throw HttpError.badRequest("Missing value for enable");
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "t" -> true;
            case "false", "0", "f" -> false;
            default -> throw HttpError.badRequest("Invalid value for enable: \"" + v + "\"");
        };
    }

    void checks(Call call) {
        Map<String, io.roster.api.HealthCheck> visible = new LinkedHashMap<>();
        local.checks().forEach((id, c) -> {
            boolean ok = c.serviceName() == null || c.serviceName().isEmpty()
                    ? AclFilter.visible(call, "node", c.node()) : AclFilter.visible(call, "service", c.serviceName());
            if (ok) {
                visible.put(id, c);
            }
        });
        call.json(Filters.applyValues(Filters.filter(call, io.roster.api.HealthCheck.class), visible));
    }

    void registerCheck(Call call) {
        CheckDefinition def = body(call, CheckDefinition.class);
        register(call, () -> local.registerCheck(def));
    }

    void deregisterCheck(Call call) {
        String id = CatalogEndpoint.requireName(call, "Missing check ID");
        if (!local.removeCheck(id)) {
            throw new HttpError(404, "Unknown check ID \"" + id + "\". Ensure that the check ID is passed, not the check name.");
        }
        syncChanges();
        call.empty(200);
    }

    void pass(Call call) {
        ttl(call, HealthCheck.PASSING, call.param("note"));
    }

    void warn(Call call) {
        ttl(call, HealthCheck.WARNING, call.param("note"));
    }

    void fail(Call call) {
        ttl(call, HealthCheck.CRITICAL, call.param("note"));
    }

    /** The body of {@code PUT /v1/agent/check/update/<id>}. */
    record Update(@JsonProperty("Status") String status, @JsonProperty("Output") String output) {
    }

    void update(Call call) {
        Update u = call.json(Update.class, MAX_BODY);
        if (u == null || u.status() == null || !List.of(HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL).contains(u.status())) {
            throw HttpError.badRequest("Invalid check status: \"" + (u == null ? "" : u.status()) + "\"");
        }
        ttl(call, u.status(), u.output());
    }

    private void ttl(Call call, String status, String output) {
        String id = CatalogEndpoint.requireName(call, "Missing check ID");
        if (local.localCheck(id) == null) {
            throw new HttpError(404, "Unknown check ID \"" + id + "\". Ensure that the check ID is passed, not the check name.");
        }
        if (!local.ttlUpdate(id, status, output == null ? "" : output)) {
            throw new HttpError(500, "CheckID \"" + id + "\" does not have associated TTL");
        }
        syncChanges();
        call.empty(200);
    }

    void healthById(Call call) {
        String id = CatalogEndpoint.requireName(call, "Missing service ID");
        NodeService svc = local.service(id);
        if (svc == null) {
            answerHealth(call, 404, "critical", "ServiceId " + id + " not found", null);
            return;
        }
        Map<String, Object> entry = healthEntry(svc);
        answerHealth(call, status((String) entry.get("AggregatedStatus")), (String) entry.get("AggregatedStatus"), null, entry);
    }

    void healthByName(Call call) {
        String name = CatalogEndpoint.requireName(call, "Missing service name");
        List<Map<String, Object>> entries = new ArrayList<>();
        String worst = HealthCheck.PASSING;
        for (NodeService s : local.services().values()) {
            if (s.service().equals(name)) {
                Map<String, Object> e = healthEntry(s);
                entries.add(e);
                worst = worse(worst, (String) e.get("AggregatedStatus"));
            }
        }
        if (entries.isEmpty()) {
            answerHealth(call, 404, "critical", "ServiceName " + name + " Not Found", null);
            return;
        }
        answerHealth(call, status(worst), worst, null, entries);
    }

    private Map<String, Object> healthEntry(NodeService svc) {
        List<HealthCheck> cs = new ArrayList<>();
        for (HealthCheck c : local.checks().values()) {
            if (c.serviceId().equals(svc.id()) || c.checkId().equals(LocalState.NODE_MAINTENANCE)) {
                cs.add(c);
            }
        }
        String agg = cs.stream().anyMatch(c -> c.checkId().startsWith("_")) ? HealthCheck.MAINTENANCE : Filters.worst(cs);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("AggregatedStatus", agg);
        e.put("Service", svc);
        e.put("Checks", cs);
        return e;
    }

    private static String worse(String a, String b) {
        List<String> order = List.of(HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL, HealthCheck.MAINTENANCE);
        return order.indexOf(b) > order.indexOf(a) ? b : a;
    }

    private static int status(String agg) {
        return switch (agg) {
            case HealthCheck.PASSING -> 200;
            case HealthCheck.WARNING -> 429;
            default -> 503;
        };
    }

    private static void answerHealth(Call call, int code, String agg, String text, Object body) {
        if ("text".equals(call.param("format"))) {
            call.raw(code, (text == null ? agg : text).getBytes(StandardCharsets.UTF_8));
        } else if (body == null) {
            call.raw(code, text.getBytes(StandardCharsets.UTF_8));
        } else {
            call.jsonBytes(code, io.roster.api.Json.write(body));
        }
    }

    void reload(Call call) {
        String err = reloader.reload();
        if (err != null) {
            throw new HttpError(500, err);
        }
        call.empty(200);
    }

    void leave(Call call) {
        reloader.leave().whenComplete((ok, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                call.error(500, cause.getMessage());
            } else {
                call.empty(200);
            }
        });
    }

    /** Set by the route table when ACLs are configured: {@code PUT /v1/agent/token/<kind>}. */
    io.roster.agent.acl.AgentTokens tokens;

    /** {@code PUT /v1/agent/token/<kind>} with {@code {"Token": "..."}}: replaces one of the agent's tokens. */
    void setToken(Call call) {
        if (tokens == null) {
            throw new HttpError(401, "ACL support disabled");
        }
        String kind = io.roster.agent.acl.AgentTokens.kind(call.pathParam("kind"));
        if (kind == null) {
            throw new HttpError(404, "Token \"" + call.pathParam("kind") + "\" is unknown");
        }
        TokenBody b = body(call, TokenBody.class);
        tokens.set(kind, b == null ? "" : b.token());
        call.empty(200);
    }

    record TokenBody(@JsonProperty("Token") String token) {
    }
}
