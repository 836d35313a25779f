package io.roster.agent.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** A {@link Call}'s answer on a Jetty response (a request on an HTTP socket), and its body from Jetty. */
final class JettyResponder implements Responder {
    private final Request request;
    private final Response response;
    private final Callback callback;

    JettyResponder(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    /** The request as the route table sees it; 400 when its path or query is not valid percent-encoded UTF-8. */
    static ApiRequest request(Request request) {
        return ApiRequest.of(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                request.getHeaders(), new JettyBody(request), Request.getRemoteAddr(request));
    }

    @Override
    public HttpFields.Mutable headers() {
        return response.getHeaders();
    }

    @Override
    public boolean compresses() {
        return true;
    }

    @Override
    public void send(int status, String contentType, ByteBuffer body, boolean bodyUnread) {
        response.setStatus(status);
        if (bodyUnread && request.getLength() != 0) {
            if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
                // An error before the request body was read: Jetty may close the connection instead of
                // reading the rest, and a client that reuses it would see it die under its next request
                // ("header parser received no bytes"). Say so, so it opens a new connection.
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            } else {
                // HTTP/2: an answer before the body is read ends in RST_STREAM(CANCEL) from Jetty,
                // which the JDK's client reports as a failure instead of the answer (and older JDKs
                // wait forever for window credit). Read and drop the body first, up to a bound.
                JettyBody.drainQuietly(request);
            }
        }
        if (contentType != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        response.write(true, body, callback);
    }

    @Override
    public void onCancel(Runnable r) {
        request.addFailureListener(t -> r.run());
    }

    private record JettyBody(Request request) implements ApiRequest.Body {
        @Override
        public long length() {
            return request.getLength();
        }

        /**
         * How much of a refused body is read and dropped before the 413: a connection closed on a
         * client still sending its body is reset, and the client never sees the answer (Go's server
         * drains too). Past this, the connection is closed instead.
         */
        private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

        @Override
        public byte[] read(long max, String tooLarge) {
            long declared = request.getLength();
            try (InputStream in = Content.Source.asInputStream(request)) {
                if (declared > max) {
                    if (declared <= DRAIN_LIMIT) {
                        in.skipNBytes(declared);
                    }
                    throw new HttpError(413, tooLarge.replace("%d", Long.toString(declared)));
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
                if (bytes.length > max) {
                    drain(in);
                    throw new HttpError(413, tooLarge.replace("%d", "more than " + max));
                }
                return bytes;
            } catch (IOException e) {
                throw HttpError.badRequest("Failed to read request body: " + e.getMessage());
            }
        }

        /** Reads and drops what is left of the request's body, up to the drain limit; an I/O error ends it. */
        static void drainQuietly(Request request) {
            try (InputStream in = Content.Source.asInputStream(request)) {
                drain(in);
            } catch (IOException | RuntimeException e) {
                // the client went away or broke the stream: nothing left to protect
            }
        }

        private static void drain(InputStream in) throws IOException {
            byte[] buf = new byte[64 * 1024];
            long left = DRAIN_LIMIT;
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; ) {
                left -= n;
            }
        }
    }
}
