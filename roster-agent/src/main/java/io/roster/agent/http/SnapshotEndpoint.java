package io.roster.agent.http;

import io.roster.agent.server.StateServer;
import io.roster.state.Command;
import io.roster.state.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /v1/snapshot} (save the whole state, after a consistent read barrier unless
 * {@code ?stale}) and {@code PUT /v1/snapshot} (restore it on every server, through the log), in
 * Roster's snapshot format (not Consul's archive).
 */
final class SnapshotEndpoint {
    /** The largest snapshot accepted for restore. */
    private static final long MAX_SNAPSHOT = 256L * 1024 * 1024;
    private final StateServer server;
    private final Store store;

    SnapshotEndpoint(StateServer server) {
        this.server = server;
        this.store = server.store();
    }

    /** {@code GET /v1/snapshot}. */
    void save(Call call) {
        var barrier = call.has("stale") ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
                : server.replicator().readBarrier();
        barrier.whenComplete((ok, err) -> {
            if (err != null) {
                call.error(500, "No cluster leader");
                return;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                store.snapshot(out);
                call.meta(store.lastIndex());
                call.bytes(200, "application/octet-stream", out.toByteArray());
            } catch (IOException e) {
                call.error(500, "Failed to write snapshot: " + e.getMessage());
            }
        });
    }

    /** {@code PUT /v1/snapshot}. */
    void restore(Call call) {
        byte[] body = call.body(MAX_SNAPSHOT, "Snapshot (%d bytes) too large, max size: " + MAX_SNAPSHOT + " bytes");
        try {
            // Refuse a bad snapshot here, before it reaches the log.
            new Store().restore(new ByteArrayInputStream(body));
        } catch (IOException e) {
            throw HttpError.badRequest("Invalid snapshot: " + e.getMessage());
        } catch (RuntimeException e) {
            // a body that decodes but is no snapshot (fields missing or of the wrong kind): the same 400, not a 500
            throw HttpError.badRequest("Invalid snapshot: malformed contents");
        }
        server.replicator().submit(new Command.Restore(body)).whenComplete((r, err) -> {
            if (err == null && io.roster.state.ApplyResult.Bool.TRUE.equals(r)) {
                call.empty(200);
            } else {
                Writes.answer(call, r, err);
            }
        });
    }

}
