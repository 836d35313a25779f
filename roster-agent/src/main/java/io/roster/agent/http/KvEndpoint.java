package io.roster.agent.http;

import io.roster.agent.server.StateServer;
import io.roster.api.KvPair;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import java.util.List;

/** {@code /v1/kv/<key>}: GET (single, {@code recurse}, {@code keys}, {@code raw}), PUT and DELETE, as Consul documents them. */
final class KvEndpoint {
    private final StateServer server;
    private final Store store;
    private final BlockingQuery blocking;
    private final long maxValueSize;

    /**
     * A read that finds nothing answers with the KV table's index, so it watches the whole table
     * (the rule and why: {@link Store.IfEmpty}, {@code KvTable.nothing}).
     */
    private static final Store.IfEmpty TABLE = Store.IfEmpty.WATCH_TABLE;

    KvEndpoint(StateServer server, BlockingQuery blocking, long maxValueSize) {
        this.server = server;
        this.store = server.store();
        this.blocking = blocking;
        this.maxValueSize = maxValueSize;
    }

    /** {@code GET /v1/kv/<key>}: one key, {@code ?recurse}, {@code ?keys}, {@code ?raw}, and Roster's {@code ?history}. */
    void get(Call call) {
        String key = call.rest();
        if (call.has("keys")) {
            String sep = call.param("separator");
            blocking.serve(call, ws -> store.kvKeys(ws, TABLE, key, sep),
                    (c, r) -> listOr404(c, new Store.Read<>(AclFilter.list(c, r.value(), "key", "read", k -> k), r.index())));
            return;
        }
        if (call.has("recurse")) {
            blocking.serve(call, ws -> store.kvList(ws, TABLE, key),
                    (c, r) -> listOr404(c, new Store.Read<>(AclFilter.list(c, r.value(), "key", "read", KvPair::key), r.index())));
            return;
        }
        if (key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        if (call.has("history")) {
            // A Roster extension: the key's last versions, newest first (docs/compatibility.md).
            blocking.serve(call, ws -> store.kvHistory(ws, TABLE, key), KvEndpoint::listOr404);
            return;
        }
        boolean raw = call.has("raw");
        blocking.serve(call, ws -> store.kvGet(ws, TABLE, key), (c, r) -> {
            c.meta(r.index());
            KvPair e = r.value();
            if (e == null) {
                c.empty(404);
            } else if (raw) {
                c.raw(200, e.value());
            } else {
                c.json(List.of(e));
            }
        });
    }

    /** A listing, or 404 (with the index) when nothing is under the prefix, as Consul answers. */
    private static void listOr404(Call c, Store.Read<? extends List<?>> r) {
        c.meta(r.index());
        if (r.value().isEmpty()) {
            c.empty(404);
        } else {
            c.json(r.value());
        }
    }

    /** {@code PUT /v1/kv/<key>}: set, {@code ?cas}, {@code ?acquire}, {@code ?release}, {@code ?flags}. */
    void put(Call call) {
        String key = call.rest();
        if (key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        long flags = call.longParam("flags", 0, "Invalid flags");
        String acquire = call.param("acquire");
        String release = call.param("release");
        if (acquire != null && release != null) {
            throw HttpError.badRequest("Conflicting flags: acquire and release");
        }
        boolean hasCas = call.has("cas");
        long cas = call.longParam("cas", 0, "Invalid CAS index");
        if (hasCas && (acquire != null || release != null)) {
            throw HttpError.badRequest("Conflicting flags: cas with " + (acquire != null ? "acquire" : "release"));
        }
        byte[] value = call.body(maxValueSize, "Request body(%d bytes) too large, max size: " + maxValueSize
                + " bytes. See kv_max_value_size in docs/configuration.md.");
        KvVerb verb;
        String session = null;
        if (acquire != null) {
            verb = KvVerb.LOCK;
            session = acquire;
        } else if (release != null) {
            verb = KvVerb.UNLOCK;
            session = release;
        } else if (hasCas) {
            verb = KvVerb.CAS;
        } else {
            verb = KvVerb.SET;
        }
        if (session != null && session.isEmpty()) {
            throw HttpError.badRequest("Missing session ID for " + (acquire != null ? "acquire" : "release"));
        }
        submit(call, new Command.Kv(verb, key, value.length == 0 ? null : value, flags, cas, session));
    }

    /** {@code DELETE /v1/kv/<key>}: one key, {@code ?recurse}, {@code ?cas}. */
    void delete(Call call) {
        String key = call.rest();
        KvVerb verb;
        long cas = call.longParam("cas", 0, "Invalid CAS index");
        if (call.has("recurse")) {
            verb = KvVerb.DELETE_TREE;
        } else {
            if (key.isEmpty()) {
                throw HttpError.badRequest("Missing key name");
            }
            verb = call.has("cas") ? KvVerb.DELETE_CAS : KvVerb.DELETE;
        }
        submit(call, new Command.Kv(verb, key, null, 0, cas, null));
    }

    private void submit(Call call, Command.Kv cmd) {
        server.kv(cmd).whenComplete((r, err) -> Writes.answer(call, r, err));
    }
}
