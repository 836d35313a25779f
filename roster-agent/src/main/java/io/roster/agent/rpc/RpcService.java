package io.roster.agent.rpc;

import io.roster.agent.dns.ServerDns;
import io.roster.agent.http.LocalExchange;
import io.roster.agent.util.RateLimitedLog;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCallStreamObserver;
import org.apache.ratis.thirdparty.io.grpc.stub.ServerCalls;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A server's side of the server RPC: answers client agents' {@code Forward} by dispatching the
 * request straight into this agent's route table ({@link LocalExchange}: no socket, no HTTP
 * encoding), {@code Dns} with its resolver and {@code ResolveToken} with its
 * ACL tables (a client agent's own routes are authorized with the answer).
 * Each call runs on its own virtual thread, so a parked blocking query (up to 10m plus jitter)
 * holds no platform thread. A call the client cancels closes its in-memory connection (a query
 * already parked waits out its {@code wait}, bounded by 10m plus jitter).
 *
 * <p>Only what a client agent forwards is served: {@code /v1/} paths other than the agent's own
 * ({@code /v1/agent/*}, {@code /v1/event/*}, {@code /v1/operator/keyring}), which a server answers
 * for itself only on its {@code client_addr}. Created before Raft (its definition is installed in
 * Ratis' gRPC server), bound to the HTTP handlers and resolver once they exist.
 */
public final class RpcService {
    private static final Logger LOG = LoggerFactory.getLogger(RpcService.class);
    /** Longer than the longest blocking query (10m + 10m/16). */
    static final long FORWARD_TIMEOUT_MS = Duration.ofMinutes(11).toMillis();
    private static final List<String> LOCAL_ONLY = List.of("/v1/agent/", "/v1/event/", "/v1/operator/keyring");

    private volatile LocalExchange http;
    private volatile ServerDns dns;
    private volatile java.util.function.Function<String, io.roster.agent.acl.TokenCache.Effective> tokens;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARN, Duration.ofSeconds(30));

    /** Starts answering: until then calls get {@code UNAVAILABLE} (a client tries another server). */
    public void bind(LocalExchange http, ServerDns dns) {
        this.dns = dns;
        this.http = http;
    }

    /** Starts answering {@code ResolveToken} with this server's ACL tables ({@code AclResolver::effective}). */
    public void bindAcl(java.util.function.Function<String, io.roster.agent.acl.TokenCache.Effective> resolve) {
        this.tokens = resolve;
    }

    /** The gRPC service to serve on the server port. */
    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(RpcProtocol.SERVICE)
                .addMethod(RpcProtocol.FORWARD, ServerCalls.asyncUnaryCall(this::forward))
                .addMethod(RpcProtocol.DNS, ServerCalls.asyncUnaryCall(this::dns))
                .addMethod(RpcProtocol.RESOLVE_TOKEN, ServerCalls.asyncUnaryCall(this::resolveToken))
                .build();
    }

    private void forward(byte[] wire, StreamObserver<byte[]> out) {
        LocalExchange h = http;
        if (h == null) {
            out.onError(Status.UNAVAILABLE.withDescription("server starting").asRuntimeException());
            return;
        }
        RpcProtocol.HttpRequest req;
        try {
            req = RpcProtocol.HttpRequest.decode(wire);
        } catch (java.io.IOException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        String refused = refusal(req.pathQuery());
        if (refused != null) {
            answer(out, new RpcProtocol.HttpResponse(refused.startsWith("Permission") ? 403 : 400, List.of(),
                    "text/plain; charset=utf-8", (refused + "\n").getBytes(StandardCharsets.UTF_8)));
            return;
        }
        ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) out;
        // gRPC takes the cancel handler only now, before this method returns; the request starts later.
        java.util.concurrent.atomic.AtomicReference<LocalExchange.Exchange> started = new java.util.concurrent.atomic.AtomicReference<>();
        call.setOnCancelHandler(() -> {
            LocalExchange.Exchange x = started.get();
            if (x != null) {
                x.cancel();
            }
        });
        Thread.ofVirtual().name("rpc-forward").start(() -> {
            try {
                LocalExchange.Exchange x = h.start(req.method(), req.pathQuery(), req.headers(), req.body());
                started.set(x);
                if (call.isCancelled()) {
                    x.cancel();
                    return;
                }
                LocalExchange.Answer a = x.await(FORWARD_TIMEOUT_MS);
                if (call.isCancelled()) {
                    return;
                }
                if (a == null) {
                    call.onError(Status.DEADLINE_EXCEEDED.withDescription("no answer").asRuntimeException());
                    return;
                }
                answer(call, new RpcProtocol.HttpResponse(a.status(), a.headers(), a.contentType(), a.body()));
            } catch (IllegalArgumentException e) {
                answer(call, new RpcProtocol.HttpResponse(400, List.of(), "text/plain; charset=utf-8",
                        (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                failures.log("RPC: forwarded {} failed: {}", req.method(), e.toString());
                if (!call.isCancelled()) {
                    call.onError(Status.INTERNAL.withDescription("forwarding failed").asRuntimeException());
                }
            }
        });
    }

    /** Why a forwarded path is not served here, or null when it is. */
    static String refusal(String pathQuery) {
        int q = pathQuery.indexOf('?');
        String raw = q < 0 ? pathQuery : pathQuery.substring(0, q);
        String path;
        try {
            path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "Invalid request URI";
        }
        path = path.replaceAll("/{2,}", "/"); // empty segments must not hide a refused prefix
        if (!path.startsWith("/v1/")) {
            return "Permission denied: only /v1/ is served over the server RPC";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return "Invalid request URI: dot segments are not allowed";
            }
        }
        for (String p : LOCAL_ONLY) {
            if (path.startsWith(p) || path.equals(p.substring(0, p.length() - (p.endsWith("/") ? 1 : 0)))) {
                return "Permission denied: " + p + " is answered by each agent itself";
            }
        }
        return null;
    }

    private void dns(byte[] wire, StreamObserver<byte[]> out) {
        ServerDns d = dns;
        if (d == null) {
            out.onError(Status.UNAVAILABLE.withDescription("server starting").asRuntimeException());
            return;
        }
        RpcProtocol.DnsRequest req;
        try {
            req = RpcProtocol.DnsRequest.decode(wire);
        } catch (java.io.IOException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        Thread.ofVirtual().name("rpc-dns").start(() -> {
            try {
                byte[] a = io.roster.agent.dns.AskerToken.with(req.token(), () -> d.exchange(req.query(), req.tcp()));
                out.onNext(a == null ? new byte[0] : a);
                out.onCompleted();
            } catch (RuntimeException e) {
                failures.log("RPC: DNS question failed: {}", e.toString());
                out.onError(Status.INTERNAL.withDescription("DNS failed").asRuntimeException());
            }
        });
    }

    private void resolveToken(byte[] wire, StreamObserver<byte[]> out) {
        java.util.function.Function<String, io.roster.agent.acl.TokenCache.Effective> t = tokens;
        if (t == null) {
            out.onError(Status.UNAVAILABLE.withDescription("server starting").asRuntimeException());
            return;
        }
        String secret;
        try {
            secret = RpcProtocol.decodeSecret(wire);
        } catch (java.io.IOException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        try {
            out.onNext(RpcProtocol.encodeToken(t.apply(secret)));
            out.onCompleted();
        } catch (io.roster.agent.acl.TokenCache.Unreachable e) {
            // a secondary datacenter's server could not reach the primary: the asker's down_policy decides
            out.onError(Status.UNAVAILABLE.withDescription("primary datacenter unreachable").asRuntimeException());
        } catch (RuntimeException e) {
            failures.log("RPC: resolving a token failed: {}", e.getClass().getSimpleName());
            out.onError(Status.INTERNAL.withDescription("resolving the token failed").asRuntimeException());
        }
    }

    private static void answer(StreamObserver<byte[]> out, RpcProtocol.HttpResponse r) {
        out.onNext(r.encode());
        out.onCompleted();
    }
}
