package io.roster.agent.checks;

import io.roster.api.Durations;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A gRPC check: one {@code grpc.health.v1.Health/Check} call over HTTP/2, cleartext with prior
 * knowledge (or TLS offering ALPN {@code h2} when {@code GRPCUseTLS}). The target is
 * {@code host:port} or {@code host:port/service}; the service name goes in the request. Status
 * {@code SERVING} is passing ({@code gRPC check <target>: success}); any other status, gRPC error or
 * connection error is critical, with grpc-go's wording ({@code rpc error: code = ... desc = ...}).
 * Timeout default 10s, for the whole call.
 *
 * <p>HTTP/2 (frames, HPACK, flow control, TLS) is Jetty's {@link HTTP2Client}, shared by every gRPC
 * check of a {@link CheckRunners}; each run opens its own connection (as Consul dials per run) and
 * closes it. What is left here is gRPC's part: the 5-byte message framing, the two protobuf messages
 * ({@code HealthCheckRequest{string service = 1}}, {@code HealthCheckResponse{ServingStatus status = 1}}),
 * and grpc-status trailers turned into grpc-go's error text. With TLS the client offers {@code h2}
 * by ALPN and speaks HTTP/2 whatever the server answers, as before (a server without ALPN works).
 */
final class GrpcProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final String PATH = "/grpc.health.v1.Health/Check";
    private static final int MAX_BODY = 1 << 16;
    private static final String[] CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
        "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
        "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
    private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

    private final String target;
    private final String address;
    private final String service;
    private final long timeoutNanos;
    private final Supplier<HTTP2Client> client;
    private final SSLContext tls;
    private final boolean verify;
    private final String serverName;
    private SslContextFactory.Client sslFactory;

    /**
     * {@code client}: the shared HTTP/2 client (made on first use). {@code tls} null: cleartext h2c.
     * {@code verify}: check the certificate and host name ({@code serverName} if set, else the host dialled).
     */
    GrpcProbe(String target, Duration timeout, Supplier<HTTP2Client> client, SSLContext tls, boolean verify,
            String serverName) {
        this.target = target;
        int slash = target.indexOf('/');
        this.address = slash < 0 ? target : target.substring(0, slash);
        this.service = slash < 0 ? "" : target.substring(slash + 1);
        this.timeoutNanos = timeout.toNanos();
        this.client = client;
        this.tls = tls;
        this.verify = verify;
        this.serverName = serverName;
    }

    @Override
    public Result run() throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        HostPort hp;
        InetAddress a;
        try {
            hp = HostPort.parse(address);
            a = InetAddress.getByName(hp.host());
        } catch (IllegalArgumentException e) {
            return Result.critical(dialFailed("dial tcp: " + e.getMessage()));
        } catch (UnknownHostException e) {
            return Result.critical(dialFailed("dial tcp: lookup " + address + ": no such host"));
        }
        String addr = HostPort.join(a, hp.port());
        Exchange x = new Exchange(addr, deadline);
        CompletableFuture<Session> connecting = tls == null
                ? client.get().connect(new InetSocketAddress(a, hp.port()), x)
                : client.get().connect(sslFactory(), new InetSocketAddress(a, hp.port()), x);
        try {
            Session session;
            try {
                session = connecting.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                return Result.critical(x.failure(e.getCause(), true));
            }
            HeadersFrame headers = new HeadersFrame(request(hp, deadline), null, false);
            session.newStream(headers, x).thenCompose(stream -> stream.data(new DataFrame(stream.getId(),
                    ByteBuffer.wrap(requestMessage()), true))).whenComplete((stream, failure) -> {
                        if (failure != null) {
                            x.fail(failure);
                        }
                    });
            return x.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a gRPC check's result never fails", e);
        } catch (TimeoutException e) {
            return Result.critical(deadlineExceeded());
        } finally {
            // Now, or when a connect still in flight completes: the run is over either way.
            connecting.thenAccept(s -> s.close(ErrorCode.NO_ERROR.code, null, Callback.NOOP));
        }
    }

    /** Jetty's TLS side for this probe: the check's trust (or none), the name to verify, ALPN h2 offered. */
    private synchronized SslContextFactory.Client sslFactory() {
        if (sslFactory == null) {
            boolean named = verify && serverName != null && !serverName.isEmpty();
            SslContextFactory.Client f = new SslContextFactory.Client(!verify) {
                @Override
                public void customize(SSLEngine engine) {
                    super.customize(engine);
                    SSLParameters params = engine.getSSLParameters();
                    params.setApplicationProtocols(new String[] {"h2"});
                    engine.setSSLParameters(params);
                }
            };
            f.setSslContext(named ? Tls.withServerName(tls, serverName) : tls);
            f.setEndpointIdentificationAlgorithm(verify ? "HTTPS" : null);
            try {
                f.start();
            } catch (Exception e) {
                throw new IllegalStateException("TLS for the gRPC check did not start", e);
            }
            sslFactory = f;
        }
        return sslFactory;
    }

    private MetaData.Request request(HostPort hp, long deadline) {
        long ms = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        HttpFields fields = HttpFields.build()
                .put("content-type", "application/grpc")
                .put("te", "trailers")
                .put("user-agent", "roster-health-check")
                .put("grpc-timeout", Math.min(ms, 99_999_999L) + "m");
        String host = hp.host().indexOf(':') >= 0 && !hp.host().startsWith("[") ? "[" + hp.host() + "]" : hp.host();
        HttpURI uri = HttpURI.build().scheme(tls == null ? "http" : "https").host(host).port(hp.port()).path(PATH);
        return new MetaData.Request("POST", uri, HttpVersion.HTTP_2, fields);
    }

    /**
     * One call's state, fed by Jetty's callbacks: the response head, the body, the trailers. The
     * first outcome (answer or failure) completes {@link #result}; later callbacks are ignored.
     */
    private final class Exchange implements Session.Listener, Stream.Listener {
        final CompletableFuture<Result> result = new CompletableFuture<>();
        private final String addr;
        private final long deadline;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private MetaData.Response head;
        private HttpFields trailers;

        Exchange(String addr, long deadline) {
            this.addr = addr;
            this.deadline = deadline;
        }

        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
            synchronized (this) {
                MetaData md = frame.getMetaData();
                if (head == null && md instanceof MetaData.Response r) {
                    head = r;
                } else if (head == null) {
                    fail(rpcError("Internal", "malformed header: missing HTTP status"));
                    return;
                } else {
                    trailers = md.getHttpFields();
                }
                if (frame.isEndStream()) {
                    result.complete(interpret(head, trailers, body.toByteArray()));
                    return;
                }
            }
            stream.demand();
        }

        @Override
        public void onDataAvailable(Stream stream) {
            Stream.Data data = stream.readData();
            if (data == null) {
                stream.demand();
                return;
            }
            boolean last = data.frame().isEndStream();
            synchronized (this) {
                ByteBuffer b = data.frame().getByteBuffer();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                body.writeBytes(bytes);
                data.release();
                if (body.size() > MAX_BODY) {
                    fail(rpcError("ResourceExhausted", "response larger than " + MAX_BODY + " bytes"));
                    return;
                }
                if (last) {
                    result.complete(head == null
                            ? Result.critical(rpcError("Internal", "malformed header: missing HTTP status"))
                            : interpret(head, trailers, body.toByteArray()));
                    return;
                }
            }
            stream.demand();
        }

        @Override
        public void onReset(Stream stream, ResetFrame frame, Callback callback) {
            int code = frame.getError();
            fail(rpcError(code == ErrorCode.CANCEL_STREAM_ERROR.code ? "Canceled" : "Internal",
                    "stream terminated by RST_STREAM with error code: " + code));
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
            fail(failure);
            callback.succeeded();
        }

        @Override
        public void onGoAway(Session session, GoAwayFrame frame) {
            if (frame.getLastStreamId() < 1) {
                fail(rpcError("Unavailable", "the server sent GOAWAY with error code " + frame.getError()
                        + " before the call"));
            }
        }

        @Override
        public void onClose(Session session, GoAwayFrame frame, Callback callback) {
            fail(new EOFException());
            callback.succeeded();
        }

        @Override
        public void onFailure(Session session, Throwable failure, Callback callback) {
            fail(failure);
            callback.succeeded();
        }

        void fail(Throwable t) {
            if (!result.isDone()) {
                fail(failure(t, false));
            }
        }

        void fail(String output) {
            result.complete(Result.critical(System.nanoTime() - deadline >= 0 ? deadlineExceeded() : output));
        }

        /** grpc-go's text for a failed dial ({@code dialing}) or a connection lost during the call. */
        String failure(Throwable t, boolean dialing) {
            if (System.nanoTime() - deadline >= 0) {
                return deadlineExceeded();
            }
            SSLException ssl = cause(t, SSLException.class);
            if (ssl != null && tls != null) {
                return rpcError("Unavailable", "connection error: desc = \"transport: authentication handshake failed: "
                        + GoErrors.message(ssl, "tls error") + "\"");
            }
            Throwable connect = cause(t, ConnectException.class);
            if (connect == null) {
                connect = cause(t, NoRouteToHostException.class);
            }
            if (connect != null || dialing && !(t instanceof EofException || t instanceof ClosedChannelException)) {
                return dialFailed(GoErrors.dial("tcp", addr, (Exception) (connect != null ? connect
                        : t instanceof Exception e ? e : new ConnectException(t.getMessage()))));
            }
            boolean eof = t == null || cause(t, EOFException.class) != null || cause(t, ClosedChannelException.class) != null
                    || t.getMessage() == null;
            String why = eof ? "EOF" : GoErrors.lowerFirst(GoErrors.message(t, "connection closed"));
            return rpcError("Unavailable", "error reading from server: " + why);
        }
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private Result interpret(MetaData.Response head, HttpFields trailers, byte[] body) {
        String grpcStatus = trailers != null ? trailers.get("grpc-status") : null;
        String grpcMessage = trailers != null ? trailers.get("grpc-message") : null;
        if (grpcStatus == null && head.getHttpFields() != null) {
            grpcStatus = head.getHttpFields().get("grpc-status"); // a trailers-only response
            grpcMessage = head.getHttpFields().get("grpc-message");
        }
        int http = head.getStatus();
        if (http != 200) {
            String code = switch (http) {
                case 400 -> "Internal";
                case 401 -> "Unauthenticated";
                case 403 -> "PermissionDenied";
                case 404 -> "Unimplemented";
                case 429, 502, 503, 504 -> "Unavailable";
                default -> "Unknown";
            };
            return Result.critical(rpcError(code, "unexpected HTTP status code received from server: "
                    + http + " (" + HttpStatusText.status(http).substring(Integer.toString(http).length()).trim() + ")"));
        }
        if (grpcStatus == null) {
            return Result.critical(rpcError("Internal", "server closed the stream without sending trailers"));
        }
        int code;
        try {
            code = Integer.parseInt(grpcStatus.trim());
        } catch (NumberFormatException e) {
            return Result.critical(rpcError("Unknown", "invalid grpc-status " + Durations.quote(grpcStatus)));
        }
        if (code != 0) {
            String name = code > 0 && code < CODES.length ? CODES[code] : "Code(" + code + ")";
            return Result.critical(rpcError(name, grpcMessage == null ? "" : percentDecode(grpcMessage)));
        }
        if (body.length < 5) {
            return Result.critical(rpcError("Internal",
                    "cardinality violation: received no response message from non-server-streaming RPC"));
        }
        int length = int32(body, 1);
        if (body[0] != 0 || length < 0 || 5 + length > body.length) {
            return Result.critical(rpcError("Internal", "grpc: failed to unmarshal the received message"));
        }
        int serving = servingStatus(body, 5, 5 + length);
        if (serving < 0) {
            return Result.critical(rpcError("Internal", "grpc: failed to unmarshal the received message"));
        }
        if (serving == 1) {
            return Result.passing("gRPC check " + target + ": success");
        }
        String name = serving < SERVING_STATUS.length ? SERVING_STATUS[serving] : Integer.toString(serving);
        return Result.critical("gRPC " + target + " serving status: " + name);
    }

    /** HealthCheckResponse.status (field 1, varint); 0 (UNKNOWN) when absent, -1 when malformed. */
    static int servingStatus(byte[] b, int from, int to) {
        int status = 0;
        int[] pos = {from};
        while (pos[0] < to) {
            long key = varint(b, pos, to);
            if (key < 0) {
                return -1;
            }
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (wire) {
                case 0 -> {
                    long v = varint(b, pos, to);
                    if (v < 0) {
                        return -1;
                    }
                    if (field == 1) {
                        status = (int) v;
                    }
                }
                case 1 -> pos[0] += 8;
                case 2 -> {
                    long n = varint(b, pos, to);
                    if (n < 0) {
                        return -1;
                    }
                    pos[0] += (int) n;
                }
                case 5 -> pos[0] += 4;
                default -> {
                    return -1;
                }
            }
            if (pos[0] > to) {
                return -1;
            }
        }
        return status;
    }

    private static long varint(byte[] b, int[] pos, int to) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                return -1;
            }
            int x = b[pos[0]++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        return -1;
    }

    /** HealthCheckRequest{service} in a gRPC message frame (uncompressed flag, 4-byte length). */
    private byte[] requestMessage() {
        byte[] svc = service.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        if (svc.length > 0) {
            m.write(0x0A); // field 1, length-delimited
            long n = svc.length;
            while (n >= 0x80) {
                m.write((int) (n & 0x7f) | 0x80);
                n >>>= 7;
            }
            m.write((int) n);
            m.writeBytes(svc);
        }
        byte[] msg = m.toByteArray();
        ByteBuffer framed = ByteBuffer.allocate(5 + msg.length);
        framed.put((byte) 0).putInt(msg.length).put(msg);
        return framed.array();
    }

    private static int int32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    /** grpc-message is percent-encoded UTF-8. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    b.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            b.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String rpcError(String code, String desc) {
        return "rpc error: code = " + code + " desc = " + desc;
    }

    private static String dialFailed(String err) {
        return rpcError("Unavailable", "connection error: desc = \"transport: Error while dialing: " + err + "\"");
    }

    private static String deadlineExceeded() {
        return rpcError("DeadlineExceeded", "context deadline exceeded");
    }

}
