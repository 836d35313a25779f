package io.roster.agent.checks;

import io.roster.api.Durations;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * An HTTP check (Consul's {@code CheckHTTP}): {@code Method} (default GET) to the URL with
 * {@code Header} and {@code Body}; 2xx is passing, 429 warning, anything else or an error critical.
 * The output is {@code HTTP GET <url>: 200 OK Output: <body>}, where the body is its last
 * {@code outputMaxSize} bytes (Consul reads it through a circular buffer, without a marker). The
 * whole exchange, body included, is bounded by the timeout (default 10s); a body cut by the timeout
 * still yields the status code's result, as in Consul.
 *
 * <p>Sent as Consul sends it: {@code User-Agent: Consul Health Check} and
 * {@code Accept: text/plain, text/*, *}{@code /*} unless the check sets them, HTTP/1.1, redirects
 * followed (except https to http). Headers the JDK client reserves ({@code Host}, {@code Connection},
 * {@code Content-Length}, {@code Expect}, {@code Upgrade}) are not sent, so a {@code Host} header does
 * not override the request's host as it does in Consul. {@code TLSServerName} is the name the
 * certificate is checked against instead of the URL's host (and the SNI sent when the URL's host is
 * an IP address; with a host name the JDK client sends that). A 3xx without {@code Location} is
 * critical with the client's error rather than with the response line.
 */
final class HttpProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final String USER_AGENT = "Consul Health Check";
    private static final Set<String> RESERVED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final HttpClient client;
    private final String url;
    private final String method;
    private final Map<String, List<String>> header;
    private final String body;
    private final Duration timeout;
    private final int outputMaxSize;

    HttpProbe(HttpClient client, String url, String method, Map<String, List<String>> header, String body,
              Duration timeout, int outputMaxSize) {
        this.client = client;
        this.url = url;
        this.method = method == null || method.isEmpty() ? "GET" : method;
        this.header = header == null ? Map.of() : header;
        this.body = body == null ? "" : body;
        this.timeout = timeout;
        this.outputMaxSize = outputMaxSize;
    }

    @Override
    public Result run() throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request;
        try {
            request = request();
        } catch (IllegalArgumentException e) {
            return Result.critical(urlError(GoErrors.lowerFirst(GoErrors.message(e, "invalid request"))));
        }
        TailBuffer tail = new TailBuffer(outputMaxSize);
        AtomicReference<HttpResponse.ResponseInfo> head = new AtomicReference<>();
        CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(request, info -> {
            head.set(info);
            return HttpResponse.BodySubscribers.ofByteArrayConsumer(chunk -> chunk.ifPresent(b -> tail.write(b, 0, b.length)));
        });
        try {
            HttpResponse<Void> response = exchange.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return result(response.statusCode(), tail);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            exchange.cancel(true);
            HttpResponse.ResponseInfo info = head.get();
            if (info != null) {
                return result(info.statusCode(), tail); // Consul only logs a body read error
            }
            return Result.critical(urlError("context deadline exceeded (Client.Timeout exceeded while awaiting headers)"));
        } catch (ExecutionException e) {
            return Result.critical(urlError(describe(e.getCause())));
        }
    }

    private HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        boolean userAgent = false;
        boolean accept = false;
        for (Map.Entry<String, List<String>> h : header.entrySet()) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED.contains(lower) || h.getValue() == null) {
                continue;
            }
            userAgent |= lower.equals("user-agent");
            accept |= lower.equals("accept");
            for (String v : h.getValue()) {
                b.header(name, v);
            }
        }
        if (!userAgent) {
            b.header("User-Agent", USER_AGENT);
        }
        if (!accept) {
            b.header("Accept", "text/plain, text/*, */*");
        }
        b.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return b.build();
    }

    private Result result(int code, TailBuffer tail) {
        String output = "HTTP " + method + " " + url + ": " + HttpStatusText.status(code) + " Output: " + tail.text();
        if (code >= 200 && code <= 299) {
            return Result.passing(output);
        }
        if (code == 429) {
            return Result.warning(output);
        }
        return Result.critical(output);
    }

    /** Go's {@code url.Error}: {@code Get "http://...": <cause>}. */
    private String urlError(String cause) {
        String op = method.substring(0, 1).toUpperCase(Locale.ROOT) + method.substring(1).toLowerCase(Locale.ROOT);
        return op + " " + Durations.quote(url) + ": " + cause;
    }

    private String describe(Throwable t) {
        String addr = authority();
        if (find(t, HttpConnectTimeoutException.class) != null) {
            return "dial tcp " + addr + ": i/o timeout";
        }
        if (find(t, HttpTimeoutException.class) != null) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        ConnectException refused = find(t, ConnectException.class);
        if (refused != null) {
            return GoErrors.dial("tcp", addr, refused);
        }
        CertificateException cert = find(t, CertificateException.class);
        if (cert != null) {
            String why = GoErrors.message(cert, "");
            return "tls: failed to verify certificate: x509: " + (why.startsWith("PKIX") || why.isEmpty()
                    ? "certificate signed by unknown authority" : GoErrors.lowerFirst(why));
        }
        SSLException ssl = find(t, SSLException.class);
        if (ssl != null) {
            return "tls: " + GoErrors.lowerFirst(GoErrors.message(ssl, "handshake failure"));
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return GoErrors.lowerFirst(GoErrors.message(root, root.getClass().getSimpleName()));
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private String authority() {
        try {
            URI u = URI.create(url);
            int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
            String host = u.getHost() == null ? "" : u.getHost();
            return host + ":" + port;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }
}
