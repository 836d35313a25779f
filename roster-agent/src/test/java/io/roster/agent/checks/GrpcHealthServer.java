package io.roster.agent.checks;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A tiny gRPC server speaking {@code grpc.health.v1.Health/Check} over cleartext HTTP/2 with prior
 * knowledge (Jetty h2c), as a real gRPC server would: the reply message in DATA and
 * {@code grpc-status} in trailers; an unknown service gets a trailers-only NOT_FOUND.
 */
final class GrpcHealthServer implements AutoCloseable {
    /** Serving status per service name ("" is the whole server): 0 UNKNOWN, 1 SERVING, 2 NOT_SERVING. */
    final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Server server;
    private final ServerConnector connector;

    GrpcHealthServer() throws Exception {
        this(null);
    }

    /**
     * With {@code tls}, HTTP/2 inside TLS; the server does no ALPN (Jetty's ALPN module is not on the
     * test classpath) and speaks h2 straight after the handshake, which a client that offered "h2"
     * expects anyway.
     */
    GrpcHealthServer(SSLContext tls) throws Exception {
        server = new Server();
        HttpConfiguration hc = new HttpConfiguration();
        // Certificates naming a host other than the address dialled (TLSServerName tests): no SNI-to-Host check.
        org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        hc.addCustomizer(secure);
        HTTP2CServerConnectionFactory h2 = new HTTP2CServerConnectionFactory(hc);
        if (tls == null) {
            connector = new ServerConnector(server, h2);
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, h2.getProtocol()), h2);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                response.setStatus(200);
                response.getHeaders().put("content-type", "application/grpc");
                if (!"/grpc.health.v1.Health/Check".equals(request.getHttpURI().getPath())) {
                    trailersOnly(response, callback, 12, "unknown method");
                    return true;
                }
                Integer status = statuses.get(service(body));
                if (status == null) {
                    trailersOnly(response, callback, 5, "unknown service");
                    return true;
                }
                byte[] msg = status == 0 ? new byte[0] : new byte[] {0x08, (byte) (int) status};
                ByteBuffer framed = ByteBuffer.allocate(5 + msg.length);
                framed.put((byte) 0).putInt(msg.length).put(msg).flip();
                response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "0"));
                response.write(true, framed, callback);
                return true;
            }
        });
        server.start();
    }

    private static void trailersOnly(Response response, Callback callback, int code, String message) {
        response.getHeaders().put("grpc-status", Integer.toString(code));
        response.getHeaders().put("grpc-message", message.replace(" ", "%20"));
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    }

    /** HealthCheckRequest.service from a gRPC-framed request body. */
    private static String service(byte[] body) {
        int i = 5;
        while (i < body.length) {
            int key = body[i++];
            if (key == 0x0A) {
                int len = 0;
                int shift = 0;
                int b;
                do {
                    b = body[i++] & 0xff;
                    len |= (b & 0x7f) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
                return new String(body, i, len, StandardCharsets.UTF_8);
            }
            return "";
        }
        return "";
    }

    String address() {
        return "127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("gRPC test server did not stop", e);
        }
    }
}
