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

    /** {@code ?dc=} naming another datacenter: {@code 500 No path to datacenter} (no WAN yet). */
    static Decorator datacenter(String datacenter) {
        return (route, next) -> call -> {
            String dc = call.param("dc");
            if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
                throw new HttpError(500, "No path to datacenter");
            }
            next.handle(call);
        };
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
}
