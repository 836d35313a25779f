package io.roster.agent.http;

import io.roster.api.Json;
import io.roster.api.TxnResponse;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.TxnOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the outcome of a replicated write into Consul's answer. */
final class Writes {
    private static final Logger LOG = LoggerFactory.getLogger(Writes.class);
    /** A failed write a client can repeat at will: logged once per interval. */
    private static final io.roster.agent.util.RateLimitedLog FAILURES = new io.roster.agent.util.RateLimitedLog(
            LOG, org.slf4j.event.Level.WARN, java.time.Duration.ofSeconds(30));

    private Writes() {
    }

    /**
     * Consul's answer to a write, by the shape of its result: {@code true}/{@code false}, a new
     * session's or prepared query's {@code {"ID": ...}}, the ACL row as stored, a transaction's
     * results (200) or errors (409); rejected commands and failures as 500 with one line.
     */
    static void answer(Call call, ApplyResult result, Throwable err) {
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof HttpError he) {
                call.error(he.status(), he.getMessage());
                return;
            }
            FAILURES.log("{} {} failed", call.method(), call.path(), cause);
            call.error(500, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            return;
        }
        switch (result) {
            case ApplyResult.Bool(boolean b) -> call.json(b);
            case ApplyResult.Count(int n) -> call.json(n);
            case ApplyResult.SessionId(String id) -> call.json(Map.of("ID", id));
            case ApplyResult.QueryId(String id) -> call.json(Map.of("ID", id));
            case ApplyResult.Token(io.roster.api.AclToken t) -> call.json(t);
            case ApplyResult.Policy(io.roster.api.AclPolicy p) -> call.json(p);
            case ApplyResult.Role(io.roster.api.AclRole r) -> call.json(r);
            case TxnOutcome t -> txn(call, t);
            case ApplyError ae -> call.error(500, ae.message());
            // Neither answers one HTTP write: a sign of a bug, said in one line.
            case ApplyResult.None n -> call.error(500, "the write was not applied");
            case ApplyResult.Batch b -> call.error(500, "a batch's results cannot answer one write");
        }
    }

    /** A transaction's answer: its results (200) when it committed, its errors (409) when it rolled back. */
    static void txn(Call call, TxnOutcome o) {
        if (o.committed()) {
            List<TxnResponse.Result> results = new ArrayList<>(o.results().size());
            o.results().forEach(kv -> results.add(new TxnResponse.Result(kv)));
            call.jsonBytes(200, Json.write(new TxnResponse(results, null)));
        } else {
            call.jsonBytes(409, Json.write(new TxnResponse(null, o.errors())));
        }
    }
}
