package io.roster.agent.http;

import io.roster.state.ApplyError;
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

    /** {@code true}/{@code false} and other results as JSON; rejected commands and failures as 500 with one line. */
    static void answer(Call call, Object result, Throwable err) {
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
        if (result instanceof ApplyError ae) {
            call.error(500, ae.message());
            return;
        }
        call.json(result);
    }
}
