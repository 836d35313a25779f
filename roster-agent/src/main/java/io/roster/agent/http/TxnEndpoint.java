package io.roster.agent.http;

import com.fasterxml.jackson.core.type.TypeReference;
import io.roster.agent.server.StateServer;
import io.roster.api.Json;
import io.roster.api.TxnOp;
import io.roster.api.TxnResponse;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import io.roster.state.TxnOutcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code PUT /v1/txn}: all-or-nothing KV operations. 200 with {@code Results} when committed, 409
 * with {@code Errors} when rolled back; read-only transactions are answered without replication.
 */
final class TxnEndpoint implements Endpoint {
    private static final TypeReference<List<TxnOp>> OPS = new TypeReference<>() { };
    private final StateServer server;
    private final int maxOps;
    private final long maxValueSize;

    TxnEndpoint(StateServer server, int maxOps, long maxValueSize) {
        this.server = server;
        this.maxOps = maxOps;
        this.maxValueSize = maxValueSize;
    }

    @Override
    public void handle(Call call) {
        // Base64 inflates values by 4/3; leave room for every op's value plus JSON framing.
        long maxBody = (long) maxOps * (maxValueSize * 4 / 3 + 4096);
        byte[] body = call.body(maxBody, "Request body(%d bytes) too large, max size: " + maxBody + " bytes");
        List<TxnOp> ops;
        try {
            ops = body.length == 0 ? List.of() : Json.mapper().readValue(body, OPS);
        } catch (IOException e) {
            throw HttpError.badRequest("Failed to parse body: " + JsonProblems.describe(e));
        }
        if (ops == null) {
            ops = List.of();
        }
        if (ops.size() > maxOps) {
            throw new HttpError(413, "Transaction contains too many operations (" + ops.size() + " > " + maxOps + ")");
        }
        List<Command.Kv> kvOps = new ArrayList<>(ops.size());
        List<TxnResponse.Error> invalid = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            TxnOp op = ops.get(i);
            if (op == null || op.kv() == null) {
                String kind = op == null ? "empty" : op.node() != null ? "Node" : op.service() != null ? "Service"
                        : op.check() != null ? "Check" : op.session() != null ? "Session" : "empty";
                throw HttpError.badRequest("Operation " + i + ": " + kind + " operations are not supported yet; only KV");
            }
            TxnOp.KvOp kv = op.kv();
            KvVerb verb = KvVerb.fromWire(kv.verb());
            if (verb == null) {
                invalid.add(new TxnResponse.Error(i, "unknown KV verb \"" + kv.verb() + "\""));
                continue;
            }
            if (kv.value() != null && kv.value().length > maxValueSize) {
                throw new HttpError(413, "Value for key \"" + kv.key() + "\" is too large (" + kv.value().length
                        + " > " + maxValueSize + " bytes)");
            }
            kvOps.add(new Command.Kv(verb, kv.key() == null ? "" : kv.key(), kv.value(),
                    kv.flags() == null ? 0 : kv.flags(), kv.index() == null ? 0 : kv.index(), kv.session()));
        }
        if (!invalid.isEmpty()) {
            call.jsonBytes(409, Json.write(new TxnResponse(null, invalid)));
            return;
        }
        server.txn(kvOps).whenComplete((r, err) -> {
            if (err != null) {
                Writes.answer(call, null, err);
                return;
            }
            render(call, r);
        });
    }

    private static void render(Call call, Store.Read<TxnOutcome> r) {
        call.meta(r.index());
        Writes.txn(call, r.value());
    }
}
