package io.roster.agent.rpc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;

/**
 * The wire of Roster's server RPC, a gRPC service ({@value #SERVICE}) served on the server port
 * beside Ratis' own services, the way Consul multiplexes its RPC and Raft on 8300. Messages are
 * small versioned binary envelopes (no protobuf schema to compile): a version byte, then
 * length-prefixed fields. A peer that reads a version it does not know answers
 * {@code INVALID_ARGUMENT}; new fields are appended under a new version.
 *
 * <ul>
 *   <li>{@code Forward}: an HTTP request of a client agent (method, path and query as sent, the
 *       headers a server needs, body) → the server's HTTP answer (status, {@code X-Consul-*}
 *       headers, content type, body), produced by the server's own HTTP handlers.</li>
 *   <li>{@code Dns}: a DNS message (wire format), whether the asker came over TCP and (appended
 *       when it has one) the client's default ACL token → the
 *       server's resolver's answer (wire format; empty when it has none).</li>
 *   <li>{@code ResolveToken}: an ACL secret ({@code ""}: anonymous) → whether the server knows
 *       it (and it has not expired), its AccessorID, whether it is a management token, and its
 *       effective rules (policies, roles' policies, service and node identities resolved on the
 *       server): what Consul's clients get from {@code ACL.TokenRead} and {@code ACL.PolicyResolve}.</li>
 * </ul>
 */
public final class RpcProtocol {
    public static final String SERVICE = "roster.Rpc";
    static final int VERSION = 1;
    /** The largest message either side accepts (a KV tree or a catalog dump may be large). */
    public static final int MAX_MESSAGE = 96 << 20;

    /** The request headers a client agent passes on; nothing else of the caller's request travels. */
    public static final List<String> REQUEST_HEADERS = List.of("X-Consul-Token", "Authorization", "Content-Type",
            "X-Consul-Namespace", "X-Consul-Partition");

    private RpcProtocol() {
    }

    /** Bytes are bytes: the envelopes below are encoded by the caller. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> FORWARD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Forward"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    static final MethodDescriptor<byte[], byte[]> DNS = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Dns"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    static final MethodDescriptor<byte[], byte[]> RESOLVE_TOKEN = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "ResolveToken"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    static byte[] encodeSecret(String secret) {
        return write(out -> writeString(out, secret));
    }

    static String decodeSecret(byte[] wire) throws IOException {
        return readString(open(wire));
    }

    /** A {@code ResolveToken} answer; null: the token is unknown or expired. */
    static byte[] encodeToken(io.roster.agent.acl.TokenCache.Effective e) {
        return write(out -> {
            out.writeBoolean(e != null);
            if (e == null) {
                return;
            }
            writeString(out, e.accessorId());
            out.writeBoolean(e.management());
            out.writeInt(e.rules().size());
            for (io.roster.agent.acl.Rules.Rule r : e.rules()) {
                writeString(out, r.resource());
                writeString(out, r.segment());
                out.writeBoolean(r.prefix());
                out.writeByte(r.access().ordinal());
            }
        });
    }

    static io.roster.agent.acl.TokenCache.Effective decodeToken(byte[] wire) throws IOException {
        DataInputStream in = open(wire);
        if (!in.readBoolean()) {
            return null;
        }
        String accessor = readString(in);
        boolean management = in.readBoolean();
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("truncated RPC envelope");
        }
        io.roster.agent.acl.Rules.Access[] levels = io.roster.agent.acl.Rules.Access.values();
        List<io.roster.agent.acl.Rules.Rule> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String resource = readString(in);
            String segment = readString(in);
            boolean prefix = in.readBoolean();
            int level = in.readUnsignedByte();
            if (level >= levels.length) {
                throw new IOException("unknown access level " + level);
            }
            rules.add(new io.roster.agent.acl.Rules.Rule(resource, segment, prefix, levels[level]));
        }
        return new io.roster.agent.acl.TokenCache.Effective(accessor, management, rules);
    }

    /** A forwarded HTTP request. {@code headers} holds name, value pairs. */
    public record HttpRequest(String method, String pathQuery, List<String[]> headers, byte[] body) {
        byte[] encode() {
            return write(out -> {
                writeString(out, method);
                writeString(out, pathQuery);
                writeHeaders(out, headers);
                writeBytes(out, body);
            });
        }

        static HttpRequest decode(byte[] wire) throws IOException {
            DataInputStream in = open(wire);
            return new HttpRequest(readString(in), readString(in), readHeaders(in), readBytes(in));
        }

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    /** A server's HTTP answer. {@code contentType} is null when the answer had none. */
    public record HttpResponse(int status, List<String[]> headers, String contentType, byte[] body) {
        byte[] encode() {
            return write(out -> {
                out.writeInt(status);
                writeHeaders(out, headers);
                writeString(out, contentType == null ? "" : contentType);
                writeBytes(out, body);
            });
        }

        static HttpResponse decode(byte[] wire) throws IOException {
            DataInputStream in = open(wire);
            int status = in.readInt();
            List<String[]> headers = readHeaders(in);
            String type = readString(in);
            return new HttpResponse(status, headers, type.isEmpty() ? null : type, readBytes(in));
        }

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    static byte[] encodeDns(byte[] query, boolean tcp) {
        return encodeDns(query, tcp, "");
    }

    /** With the client's default ACL token appended when it has one (a server that predates it ignores it). */
    static byte[] encodeDns(byte[] query, boolean tcp, String token) {
        return write(out -> {
            out.writeBoolean(tcp);
            writeBytes(out, query);
            if (token != null && !token.isEmpty()) {
                writeString(out, token);
            }
        });
    }

    /** A DNS request: whether the asker came over TCP, the message, and the token to answer as ("": the server's default). */
    record DnsRequest(boolean tcp, byte[] query, String token) {
        static DnsRequest decode(byte[] wire) throws IOException {
            DataInputStream in = open(wire);
            boolean tcp = in.readBoolean();
            byte[] q = readBytes(in);
            return new DnsRequest(tcp, q, in.available() > 0 ? readString(in) : "");
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    private static DataInputStream open(byte[] wire) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire));
        int v = in.readUnsignedByte();
        if (v != VERSION) {
            throw new IOException("unsupported RPC envelope version " + v);
        }
        return in;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("truncated RPC envelope");
        }
        return in.readNBytes(n);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static void writeHeaders(DataOutputStream out, List<String[]> headers) throws IOException {
        out.writeShort(headers.size());
        for (String[] h : headers) {
            writeString(out, h[0]);
            writeString(out, h[1]);
        }
    }

    private static List<String[]> readHeaders(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<String[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new String[] {readString(in), readString(in)});
        }
        return out;
    }
}
