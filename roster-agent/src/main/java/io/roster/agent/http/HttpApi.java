package io.roster.agent.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one route table of the HTTP API, and the decorator every request passes through: datacenter
 * check, method check, and turning any failure into a one-line error (never a stack trace).
 */
public final class HttpApi extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private record Route(String path, boolean prefix, Set<String> methods, Endpoint endpoint) {
        boolean matches(String p) {
            return prefix ? p.startsWith(path) : p.equals(path);
        }
    }

    private final List<Route> routes = new ArrayList<>();
    private final String datacenter;
    private final io.roster.agent.metrics.AgentMetrics metrics;

    private final java.util.function.BooleanSupplier knownLeader;

    public HttpApi(String datacenter, io.roster.agent.metrics.AgentMetrics metrics, java.util.function.BooleanSupplier knownLeader) {
        this.datacenter = datacenter;
        this.metrics = metrics;
        this.knownLeader = knownLeader;
    }

    private volatile java.util.function.BooleanSupplier ready = () -> true;

    /**
     * Until {@code r} is true, routes that need an established leader answer
     * {@code 500 No cluster leader} and {@code /v1/status/leader} names none.
     */
    public void gateUntil(java.util.function.BooleanSupplier r) {
        this.ready = r;
    }

    private static boolean needsLeader(String path) {
        return path.startsWith("/v1/kv") || path.startsWith("/v1/session/") || path.equals("/v1/txn")
                || path.startsWith("/v1/catalog/") || path.startsWith("/v1/health/");
    }

    /** Registers an exact path. */
    public HttpApi route(String path, Set<String> methods, Endpoint e) {
        routes.add(new Route(path, false, methods, e));
        return this;
    }

    /** Registers a path prefix; the remainder is available as {@link Call#rest()}. */
    public HttpApi prefix(String path, Set<String> methods, Endpoint e) {
        routes.add(new Route(path, true, methods, e));
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Call call;
        try {
            call = new Call(request, response, callback);
        } catch (HttpError e) {
            response.setStatus(e.status());
            response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
            response.write(true, java.nio.ByteBuffer.wrap((e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
            return true;
        }
        long started = System.nanoTime();
        Call c = call;
        call.knownLeader = knownLeader;
        call.onAnswer = status -> metrics.http(c.route, c.method(), status, System.nanoTime() - started);
        try {
            dispatch(call);
        } catch (HttpError e) {
            call.error(e.status(), e.getMessage());
        } catch (Throwable t) {
            LOG.warn("{} {} failed", call.method(), call.path(), t);
            call.error(500, "Internal error: " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + Call.oneLine(t.getMessage())));
        }
        return true;
    }

    private void dispatch(Call call) throws Exception {
        String path = call.path();
        Route found = null;
        for (Route r : routes) {
            if (r.matches(path)) {
                found = r;
                break;
            }
        }
        if (found == null) {
            throw new HttpError(404, "404 page not found");
        }
        if (!found.methods.contains(call.method())) {
            if (call.method().equals("OPTIONS")) {
                call.response.getHeaders().put("Allow", String.join(",", found.methods) + ",OPTIONS");
                call.empty(200);
                return;
            }
            call.response.getHeaders().put("Allow", String.join(",", found.methods));
            throw new HttpError(405, "method " + call.method() + " not allowed");
        }
        String dc = call.param("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            throw new HttpError(500, "No path to datacenter");
        }
        if (!ready.getAsBoolean()) {
            if (needsLeader(path)) {
                throw new HttpError(500, "No cluster leader");
            }
            if (path.equals("/v1/status/leader")) {
                // Clients wait for a leader and then write at once: name none until writes are taken.
                call.json("");
                return;
            }
        }
        // Requests a server answers for the cluster (not the agent's own, not forwarded by a client).
        if (!path.startsWith("/v1/agent/") && !path.startsWith("/v1/event/") && !found.path.equals("/v1/")
                && path.startsWith("/v1/")) {
            metrics.rpc(call.has("index"));
        }
        call.route = found.path;
        call.rest = found.prefix ? path.substring(found.path.length()) : "";
        found.endpoint.handle(call);
    }
}
