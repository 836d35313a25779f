package io.roster.agent.http;

import io.roster.agent.lan.LanPool;
import io.roster.state.Store;
import java.util.List;

/**
 * {@code /v1/event/fire/<name>} and {@code /v1/event/list}: user events over the LAN gossip pool,
 * served by every agent from its own member (a client agent does not forward these).
 */
final class EventEndpoint {
    private static final long MAX_EVENT_BODY = 100 * 1024;

    private final LanPool pool;
    private final BlockingQuery blocking;

    EventEndpoint(LanPool pool, BlockingQuery blocking) {
        this.pool = pool;
        this.blocking = blocking;
    }

    /** {@code PUT /v1/event/fire/<name>}: the body is the payload; {@code ?node=&service=&tag=} filter the receivers. */
    void fire(Call call) {
        String name = call.rest();
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing name");
        }
        byte[] payload = call.body(MAX_EVENT_BODY, "Request body(%d bytes) too large");
        LanPool.Event e;
        try {
            e = pool.fire(name, payload.length == 0 ? null : payload, call.param("node"), call.param("service"), call.param("tag"));
        } catch (IllegalArgumentException ex) {
            throw HttpError.badRequest(ex.getMessage());
        }
        call.json(e);
    }

    /**
     * {@code GET /v1/event/list[?name=]}: the events this agent kept, oldest first. As in Consul,
     * {@code X-Consul-Index} is a hash of the last event's ID, and {@code ?index=} blocks until it changes.
     */
    void list(Call call) {
        String name = call.param("name");
        String idx = call.param("index");
        long min = 0;
        if (idx != null && !idx.isEmpty()) {
            try {
                min = Long.parseUnsignedLong(idx);
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Invalid index");
            }
        }
        blocking.serveUntilChanged(call, min, ws -> {
            ws.watchTopic(LanPool.EVENTS_TOPIC);
            List<LanPool.Event> events = pool.events(name);
            long index = events.isEmpty() ? 1 : events.getLast().index();
            return new Store.Read<>(events, index == 0 ? 1 : index);
        }, (c, r) -> {
            c.responseHeaders().put("X-Consul-Index", Long.toUnsignedString(r.index()));
            c.json(AclFilter.list(c, r.value(), "event", "read", LanPool.Event::name));
        });
    }
}
