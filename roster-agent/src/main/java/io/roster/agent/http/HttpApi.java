package io.roster.agent.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch into the route table ({@link RouteTable}): from Jetty (a request on an HTTP socket) or
 * straight from the server RPC ({@link #dispatch}, a client agent's forwarded request, no HTTP
 * encoding). Finds the route, answers 404/405/{@code OPTIONS} itself, builds the {@link Call} and
 * runs the route's decorated handler, turning any failure into a one-line error (never a stack
 * trace).
 */
public final class HttpApi extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** A handler failure a client can repeat at will: logged with its stack once per interval. */
    private final io.roster.agent.util.RateLimitedLog failures = new io.roster.agent.util.RateLimitedLog(
            LOG, org.slf4j.event.Level.WARN, java.time.Duration.ofSeconds(30));

    private final RouteTable table;
    private final BooleanSupplier knownLeader;
    private final io.roster.agent.metrics.AgentMetrics metrics;

    HttpApi(RouteTable table, BooleanSupplier knownLeader, io.roster.agent.metrics.AgentMetrics metrics) {
        this.table = table;
        this.knownLeader = knownLeader;
        this.metrics = metrics;
    }

    /** The route table requests are dispatched into (decorators attached). */
    public RouteTable table() {
        return table;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        ApiRequest req;
        try {
            req = JettyResponder.request(request);
        } catch (HttpError e) {
            response.setStatus(e.status());
            response.getHeaders().put("Content-Type", Call.TEXT);
            response.write(true, ByteBuffer.wrap((e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
        dispatch(req, new JettyResponder(request, response, callback));
        return true;
    }

    /** Answers {@code req} through the route table, to {@code out}, exactly once. */
    public void dispatch(ApiRequest req, Responder out) {
        RouteTable.Match m = table.match(req.method(), req.path());
        if (!m.found()) {
            long started = System.nanoTime();
            Call call = new Call(req, out, null, knownLeader);
            call.onAnswer(status -> metrics.http("", req.method(), status, System.nanoTime() - started));
            if (m.allowed().isEmpty()) {
                call.error(404, "404 page not found");
            } else if (req.method().equals("OPTIONS")) {
                out.headers().put("Allow", String.join(",", m.allowed()) + ",OPTIONS");
                call.empty(200);
            } else {
                // Consul's MethodNotAllowedError: 405, the methods allowed, "method X not allowed".
                out.headers().put("Allow", String.join(",", m.allowed()));
                call.error(405, "method " + req.method() + " not allowed");
            }
            return;
        }
        Call call = new Call(req.withParams(m.params()), out, m.route(), knownLeader);
        try {
            m.route().handler().handle(call);
        } catch (HttpError e) {
            call.error(e.status(), e.getMessage());
        } catch (Throwable t) {
            failures.log("{} {} failed", req.method(), m.route().path(), t);
            // The cause stays in the (rate-limited) log: a client never sees a Java class name.
            call.error(500, t.getMessage() == null ? "Internal error" : "Internal error: " + Call.oneLine(t.getMessage()));
        }
    }
}
