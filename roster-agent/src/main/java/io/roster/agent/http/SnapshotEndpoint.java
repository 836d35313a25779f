package io.roster.agent.http;

import io.roster.agent.server.Server;
import io.roster.state.Command;
import io.roster.state.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/snapshot} (save the whole state, after a consistent read barrier unless
 * {@code ?stale}) and {@code PUT /v1/snapshot} (restore it on every server, through the log), in
 * Roster's snapshot format (not Consul's archive); and {@code /v1/operator/raft/configuration}.
 */
final class SnapshotEndpoint {
    /** The largest snapshot accepted for restore. */
    private static final long MAX_SNAPSHOT = 256L * 1024 * 1024;
    private final Server server;
    private final Store store;

    SnapshotEndpoint(Server server) {
        this.server = server;
        this.store = server.store();
    }

    void handle(Call call) {
        if (call.method().equals("PUT") || call.method().equals("POST")) {
            restore(call);
        } else {
            save(call);
        }
    }

    private void save(Call call) {
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

    private void restore(Call call) {
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
            if (err == null && Boolean.TRUE.equals(r)) {
                call.empty(200);
            } else {
                Writes.answer(call, r, err);
            }
        });
    }

    /**
     * {@code GET /v1/operator/raft/configuration}: as Consul, {@code ID} is the server's node ID (its
     * Raft peer ID), {@code Node} its node name (from the catalog, by ID) and {@code Address} its
     * server address.
     */
    void raftConfiguration(Call call) {
        String leader = server.replicator().leaderAddress();
        Map<String, String> names = new java.util.HashMap<>();
        for (io.roster.api.Node n : store.nodes(io.roster.state.WatchSet.NONE).value()) {
            if (n.id() != null && !n.id().isEmpty()) {
                names.put(n.id(), n.node());
            }
        }
        List<Map<String, Object>> servers = new java.util.ArrayList<>();
        for (Map.Entry<String, String> peer : server.replicator().peerIds().entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ID", peer.getKey());
            s.put("Node", names.getOrDefault(peer.getKey(), peer.getValue()));
            s.put("Address", peer.getValue());
            s.put("Leader", peer.getValue().equals(leader));
            s.put("Voter", true);
            s.put("ProtocolVersion", "3");
            servers.add(s);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Servers", servers);
        out.put("Index", server.replicator().configurationIndex());
        call.json(out);
    }

    /** {@code DELETE /v1/operator/raft/peer?address=|?id=}: removes a server from the Raft configuration. */
    void removePeer(Call call) {
        String id = call.param("id");
        String address = call.param("address");
        String target = id != null && !id.isEmpty() ? id : address;
        if (target == null || target.isEmpty()) {
            throw HttpError.badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        server.replicator().removePeer(target).whenComplete((ok, err) -> {
            if (err == null) {
                call.empty(200);
                return;
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            call.error(500, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        });
    }
}
