package io.roster.agent.checks;

import io.roster.api.Durations;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;
import org.eclipse.jetty.http2.hpack.HpackException;

/**
 * A gRPC check: one {@code grpc.health.v1.Health/Check} call over HTTP/2, cleartext with prior
 * knowledge (or TLS with ALPN {@code h2} when {@code GRPCUseTLS}). The target is
 * {@code host:port} or {@code host:port/service}; the service name goes in the request. Status
 * {@code SERVING} is passing ({@code gRPC check <target>: success}); any other status, gRPC error or
 * connection error is critical, with grpc-go's wording ({@code rpc error: code = ... desc = ...}).
 * Timeout default 10s, for the whole call.
 *
 * <p>The exchange is small enough to speak directly: a connection per run (as Consul dials per
 * run), blocking socket I/O on the run's virtual thread, the two protobuf messages encoded by hand
 * ({@code HealthCheckRequest{string service = 1}}, {@code HealthCheckResponse{ServingStatus status = 1}}),
 * request headers as HPACK literals, response headers decoded by Jetty's {@link HpackDecoder}. The
 * response fits in the initial flow-control window, so no WINDOW_UPDATE is needed.
 */
final class GrpcProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int STREAM = 1;
    private static final int MAX_FRAME = 1 << 20;
    private static final int MAX_BODY = 1 << 16;
    private static final String[] CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
        "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
        "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
    private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

    private final String target;
    private final String address;
    private final String service;
    private final long timeoutNanos;
    private final SSLContext tls;
    private final boolean verify;
    private final String serverName;

    /** {@code tls} null: cleartext h2c. {@code verify}: check the certificate and host name. */
    GrpcProbe(String target, Duration timeout, SSLContext tls, boolean verify, String serverName) {
        this.target = target;
        int slash = target.indexOf('/');
        this.address = slash < 0 ? target : target.substring(0, slash);
        this.service = slash < 0 ? "" : target.substring(slash + 1);
        this.timeoutNanos = timeout.toNanos();
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
        try (Socket plain = new Socket()) {
            try {
                plain.connect(new InetSocketAddress(a, hp.port()), TcpProbe.millis(deadline - System.nanoTime()));
            } catch (SocketTimeoutException e) {
                return Result.critical(deadlineExceeded());
            } catch (IOException e) {
                interrupted();
                return Result.critical(dialFailed(GoErrors.dial("tcp", addr, e)));
            }
            Socket s = plain;
            if (tls != null) {
                try {
                    s = handshake(plain, hp, deadline);
                } catch (SSLException e) {
                    interrupted();
                    return Result.critical(rpcError("Unavailable", "connection error: desc = \"transport: "
                            + "authentication handshake failed: " + GoErrors.message(e, "tls error") + "\""));
                }
            }
            return call(s, hp, deadline);
        } catch (SocketTimeoutException e) {
            return Result.critical(deadlineExceeded());
        } catch (Failure e) {
            return Result.critical(e.getMessage());
        } catch (IOException e) {
            interrupted();
            String why = e instanceof EOFException ? "EOF" : GoErrors.lowerFirst(GoErrors.message(e, "connection closed"));
            return Result.critical(rpcError("Unavailable", "error reading from server: " + why));
        }
    }

    private Socket handshake(Socket plain, HostPort hp, long deadline) throws IOException {
        String host = serverName != null && !serverName.isEmpty() ? serverName : hp.host();
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, hp.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        if (verify) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(TcpProbe.millis(deadline - System.nanoTime()));
        ssl.startHandshake();
        return ssl;
    }

    private Result call(Socket s, HostPort hp, long deadline) throws IOException {
        OutputStream out = new BufferedOutputStream(s.getOutputStream());
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        out.write(PREFACE);
        frame(out, SETTINGS, 0, 0, new byte[] {0, 0x2, 0, 0, 0, 0}); // SETTINGS_ENABLE_PUSH = 0
        frame(out, HEADERS, END_HEADERS, STREAM, requestHeaders(hp, deadline));
        frame(out, DATA, END_STREAM, STREAM, requestMessage());
        out.flush();

        HpackDecoder decoder = new HpackDecoder(64 * 1024, System::nanoTime);
        ByteArrayOutputStream block = null;
        boolean blockEndsStream = false;
        MetaData.Response head = null;
        HttpFields trailers = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended = false;
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            s.setSoTimeout(TcpProbe.millis(left));
            int len = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            if (len > MAX_FRAME) {
                throw new Failure(rpcError("Internal", "frame of " + len + " bytes is too large"));
            }
            byte[] p = in.readNBytes(len);
            if (p.length < len) {
                throw new EOFException();
            }
            boolean decodeNow = false;
            switch (type) {
                case DATA -> {
                    if (stream == STREAM) {
                        int[] r = payload(p, flags, false);
                        body.write(p, r[0], r[1] - r[0]);
                        if (body.size() > MAX_BODY) {
                            throw new Failure(rpcError("ResourceExhausted", "response larger than " + MAX_BODY + " bytes"));
                        }
                        ended = (flags & END_STREAM) != 0;
                    }
                }
                case HEADERS -> {
                    if (stream == STREAM) {
                        int[] r = payload(p, flags, true);
                        block = new ByteArrayOutputStream();
                        block.write(p, r[0], r[1] - r[0]);
                        blockEndsStream = (flags & END_STREAM) != 0;
                        decodeNow = (flags & END_HEADERS) != 0;
                    }
                }
                case CONTINUATION -> {
                    if (stream == STREAM && block != null) {
                        block.write(p, 0, p.length);
                        decodeNow = (flags & END_HEADERS) != 0;
                    }
                }
                case SETTINGS -> {
                    if ((flags & ACK) == 0) {
                        frame(out, SETTINGS, ACK, 0, new byte[0]);
                        out.flush();
                    }
                }
                case PING -> {
                    if ((flags & ACK) == 0) {
                        frame(out, PING, ACK, 0, p);
                        out.flush();
                    }
                }
                case GOAWAY -> {
                    int lastStream = p.length >= 4 ? int32(p, 0) & 0x7fffffff : 0;
                    if (lastStream < STREAM) {
                        throw new Failure(rpcError("Unavailable", "the server sent GOAWAY with error code "
                                + (p.length >= 8 ? int32(p, 4) : 0) + " before the call"));
                    }
                }
                case RST_STREAM -> {
                    if (stream == STREAM) {
                        int code = p.length >= 4 ? int32(p, 0) : 0;
                        throw new Failure(rpcError(code == 8 ? "Canceled" : "Internal",
                                "stream terminated by RST_STREAM with error code: " + code));
                    }
                }
                default -> {
                    // WINDOW_UPDATE, PRIORITY, PUSH_PROMISE (disabled), unknown types: nothing to do
                }
            }
            if (decodeNow) {
                MetaData md;
                try {
                    md = decoder.decode(ByteBuffer.wrap(block.toByteArray()));
                } catch (HpackException e) {
                    throw new Failure(rpcError("Internal", "malformed header: " + GoErrors.message(e, "hpack error")));
                }
                if (head == null && md instanceof MetaData.Response r) {
                    head = r;
                } else if (head == null) {
                    throw new Failure(rpcError("Internal", "malformed header: missing HTTP status"));
                } else {
                    trailers = md.getHttpFields();
                }
                block = null;
                ended = blockEndsStream;
            }
        }
        try {
            frame(out, GOAWAY, 0, 0, new byte[] {0, 0, 0, 1, 0, 0, 0, 0});
            out.flush();
        } catch (IOException ignored) {
            // the answer is in; a server that hung up first is fine
        }
        return interpret(head, trailers, body.toByteArray());
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

    /** The content range [start, end) of a DATA or HEADERS payload, without padding and priority. */
    private static int[] payload(byte[] p, int flags, boolean headers) throws Failure {
        int start = 0;
        int end = p.length;
        if ((flags & PADDED) != 0) {
            if (p.length < 1) {
                throw new Failure(rpcError("Internal", "malformed frame"));
            }
            start = 1;
            end -= p[0] & 0xff;
        }
        if (headers && (flags & PRIORITY) != 0) {
            start += 5;
        }
        if (start > end) {
            throw new Failure(rpcError("Internal", "malformed frame"));
        }
        return new int[] {start, end};
    }

    private byte[] requestHeaders(HostPort hp, long deadline) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long ms = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        literal(b, ":method", "POST");
        literal(b, ":scheme", tls == null ? "http" : "https");
        literal(b, ":path", "/grpc.health.v1.Health/Check");
        literal(b, ":authority", hp.toString());
        literal(b, "content-type", "application/grpc");
        literal(b, "te", "trailers");
        literal(b, "user-agent", "roster-health-check");
        literal(b, "grpc-timeout", Math.min(ms, 99_999_999L) + "m");
        return b.toByteArray();
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

    /** HPACK "literal header field without indexing, new name", no Huffman coding. */
    private static void literal(ByteArrayOutputStream b, String name, String value) {
        b.write(0x00);
        hpackString(b, name);
        hpackString(b, value);
    }

    private static void hpackString(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int v = bytes.length;
        if (v < 0x7f) {
            b.write(v);
        } else {
            b.write(0x7f);
            v -= 0x7f;
            while (v >= 0x80) {
                b.write((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            b.write(v);
        }
        b.writeBytes(bytes);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.write(payload);
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

    private static void interrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** A failed call whose message is the check's output. */
    private static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }
}
