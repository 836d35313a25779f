package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.rpc.RpcClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/**
 * A forwarded call that fails other than with an RPC error (a fault in this agent, a timeout, a
 * cancellation) answers {@code 500} with one fixed line: never the exception's class or text.
 */
class ForwarderFailureTest {
    /** What the forwarder sent back. */
    private static final class Sent implements Responder {
        final HttpFields.Mutable headers = HttpFields.build();
        volatile int status;
        volatile String body;

        @Override
        public HttpFields.Mutable headers() {
            return headers;
        }

        @Override
        public void send(int status, String contentType, ByteBuffer b, boolean bodyUnread) {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            this.status = status;
            this.body = new String(bytes, StandardCharsets.UTF_8).strip();
        }

        @Override
        public void onCancel(Runnable r) {
        }
    }

    private static Sent forwardFailingWith(Throwable failure, String unreached) {
        Forwarder f = new Forwarder((request, read) -> {
            RpcClient.Pending<io.roster.agent.rpc.RpcProtocol.HttpResponse> p = new RpcClient.Pending<>();
            p.future().completeExceptionally(failure);
            return p;
        }, unreached);
        Sent out = new Sent();
        Call call = new Call(ApiRequest.of("GET", "/v1/kv/app/x", "dc=dc2", HttpFields.EMPTY, ApiRequest.Body.of(new byte[0])),
                out, null, () -> true);
        f.handle(call);
        return out;
    }

    @Test
    void aFaultInThisAgentAnswersOneLineWithoutAClassName() {
        Sent out = forwardFailingWith(new IllegalStateException("java.io.IOException: secret detail"), null);
        assertThat(out.status).isEqualTo(500);
        assertThat(out.body).isEqualTo("rpc error: the request could not be forwarded");
        assertThat(out.body).doesNotContain("java.", "Exception", "secret detail");
    }

    @Test
    void aTimeoutAndACancellationSaySo() {
        assertThat(forwardFailingWith(new TimeoutException(), null).body).isEqualTo("rpc error: timeout waiting for the server's answer");
        assertThat(forwardFailingWith(new CancellationException(), "No path to datacenter").body).isEqualTo("rpc error: request cancelled");
    }
}
