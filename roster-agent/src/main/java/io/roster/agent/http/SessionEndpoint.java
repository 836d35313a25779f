package io.roster.agent.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.server.StateServer;
import io.roster.api.Durations;
import io.roster.api.SessionEntry;
import io.roster.state.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /v1/session/*}: create, destroy, info, node, list, renew. */
final class SessionEndpoint {
    /** The check every session depends on unless told otherwise. */
    static final String SERF_HEALTH = "serfHealth";
    private static final long MAX_BODY = 64 * 1024;

    private final StateServer server;
    private final Store store;
    private final BlockingQuery blocking;
    private final String nodeName;

    SessionEndpoint(StateServer server, BlockingQuery blocking, String nodeName) {
        this.server = server;
        this.store = server.store();
        this.blocking = blocking;
        this.nodeName = nodeName;
    }

    /** The body of a create request; names match case-insensitively. */
    record Body(@JsonProperty("Name") String name,
                @JsonProperty("Node") String node,
                @JsonProperty("LockDelay") JsonNode lockDelay,
                @JsonProperty("Behavior") String behavior,
                @JsonProperty("TTL") String ttl,
                @JsonProperty("Checks") List<String> checks,
                @JsonProperty("NodeChecks") List<String> nodeChecks,
                @JsonProperty("ServiceChecks") List<SessionEntry.ServiceCheck> serviceChecks) {
    }

    void create(Call call) {
        Body b = call.json(Body.class, MAX_BODY);
        if (b == null) {
            b = new Body(null, null, null, null, null, null, null, null);
        }
        Duration lockDelay = lockDelay(b.lockDelay());
        List<String> checks;
        if (b.checks() == null && b.nodeChecks() == null) {
            checks = List.of(SERF_HEALTH);
        } else {
            checks = new ArrayList<>();
            if (b.nodeChecks() != null) {
                checks.addAll(b.nodeChecks());
            }
            if (b.checks() != null) {
                for (String c : b.checks()) {
                    if (!checks.contains(c)) {
                        checks.add(c);
                    }
                }
            }
        }
        String node = b.node() == null || b.node().isEmpty() ? nodeName : b.node();
        server.createSession(new StateServer.SessionRequest(b.name(), node, lockDelay, b.behavior(), b.ttl(), checks,
                        b.serviceChecks()))
                .whenComplete((r, err) -> Writes.answer(call, r, err));
    }

    /** Consul's rule: a string is a Go duration; a number below 1000 is seconds, otherwise nanoseconds. */
    static Duration lockDelay(JsonNode n) {
        if (n == null || n.isNull()) {
            return StateServer.DEFAULT_LOCK_DELAY;
        }
        Duration d;
        if (n.isTextual()) {
            try {
                d = Durations.parse(n.asText());
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("Request decode failed: LockDelay: " + e.getMessage());
            }
        } else if (n.isNumber()) {
            d = Duration.ofNanos(n.asLong());
        } else {
            throw HttpError.badRequest("Request decode failed: LockDelay must be a duration string or a number");
        }
        if (d.isNegative()) {
            throw HttpError.badRequest("Request decode failed: LockDelay must not be negative");
        }
        if (d.toNanos() < 1000) {
            d = Duration.ofSeconds(d.toNanos());
        }
        return d;
    }

    void destroy(Call call) {
        String id = requireId(call);
        server.destroySession(id).whenComplete((r, err) -> Writes.answer(call, r, err));
    }

    void info(Call call) {
        String id = requireId(call);
        blocking.serve(call, ws -> store.session(ws, id), (c, r) -> {
            c.meta(r.index());
            c.json(r.value() == null ? List.of() : List.of(r.value()));
        });
    }

    void node(Call call) {
        String node = call.rest();
        if (node.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        blocking.serve(call, ws -> store.sessionsByNode(ws, node), (c, r) -> {
            c.meta(r.index());
            c.json(r.value());
        });
    }

    void list(Call call) {
        blocking.serve(call, store::sessions, (c, r) -> {
            c.meta(r.index());
            c.json(AclFilter.list(c, r.value(), "session", "read", SessionEntry::node));
        });
    }

    void renew(Call call) {
        String id = requireId(call);
        SessionEntry s = server.renewSession(id);
        if (s == null) {
            throw new HttpError(404, "Session id '" + id + "' not found");
        }
        call.json(List.of(s));
    }

    private static String requireId(Call call) {
        String id = call.rest();
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing session");
        }
        return id;
    }
}
