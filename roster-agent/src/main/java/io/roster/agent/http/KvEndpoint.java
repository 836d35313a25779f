package io.roster.agent.http;

import io.roster.agent.server.StateServer;
import io.roster.api.KvPair;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/** {@code /v1/kv/<key>}: GET (single, {@code recurse}, {@code keys}, {@code raw}), PUT and DELETE, as Consul documents them. */
final class KvEndpoint {
    private final StateServer server;
    private final Store store;
    private final BlockingQuery blocking;
    private final long maxValueSize;

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
            blocking.serve(call, tableIndexed(ws -> store.kvKeys(ws, key, sep), List::isEmpty),
                    (c, r) -> listOr404(c, new Store.Read<>(AclFilter.list(c, r.value(), "key", "read", k -> k), r.index())));
            return;
        }
        if (call.has("recurse")) {
            blocking.serve(call, tableIndexed(ws -> store.kvList(ws, key), List::isEmpty),
                    (c, r) -> listOr404(c, new Store.Read<>(AclFilter.list(c, r.value(), "key", "read", KvPair::key), r.index())));
            return;
        }
        if (key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        if (call.has("history")) {
            // A Roster extension: the key's last versions, newest first (docs/compatibility.md).
            blocking.serve(call, tableIndexed(ws -> store.kvHistory(ws, key), List::isEmpty), KvEndpoint::listOr404);
            return;
        }
        boolean raw = call.has("raw");
        blocking.serve(call, tableIndexed(ws -> store.kvGet(ws, key), Objects::isNull), (c, r) -> {
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

    /**
     * A read that found nothing (a missing key, an empty listing) answers with the KV table's index,
     * which every KV write moves, so it must also wake on every KV write, or a client stays parked on
     * an index that has already changed. Consul behaves so (it watches the nearest radix node of a
     * missing key or prefix, and answers with the table's index), and Spring Cloud Consul's config
     * watch depends on it: it long-polls its contexts one after another, most of them empty
     * ({@code config/application,default/}, ...), so an empty context that did not wake held back
     * the refresh of the next one for its whole 55 s wait.
     *
     * <p>The table-wide watch is added only when the first read found nothing, and the read then runs
     * again: a write between the two reads is in the second answer, and any later one fires the watch.
     */
    private static <T> Function<WatchSet, Store.Read<T>> tableIndexed(Function<WatchSet, Store.Read<T>> read,
                                                                       Predicate<T> nothing) {
        return ws -> {
            Store.Read<T> r = read.apply(ws);
            if (ws == WatchSet.NONE || !nothing.test(r.value())) {
                return r;
            }
            ws.watchPrefix("");
            return read.apply(ws);
        };
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
