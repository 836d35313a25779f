package io.roster.agent.http;

import io.roster.agent.client.ServerList;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client agent's HTTP API for everything that is not its own ({@code /v1/agent/*},
 * {@code /v1/event/*}, {@code /v1/operator/keyring}): the request goes, as it came (method, path,
 * query, token, body), to an alive server learned from gossip, and the server's answer comes back
 * (status, body, {@code X-Consul-*} headers). Asynchronous: a parked blocking query holds no
 * thread here. A server that cannot be connected to is skipped for the next one; with none,
 * {@code 500 No known Consul servers}, as Consul answers.
 */
final class Forwarder implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    private static final long MAX_BODY = 64L * 1024 * 1024;
    /** Longer than the longest blocking query (10m + 10m/16). */
    private static final Duration TIMEOUT = Duration.ofMinutes(11);
    private static final List<String> REQUEST_HEADERS = List.of("X-Consul-Token", "Authorization", "Content-Type",
            "X-Consul-Namespace", "X-Consul-Partition");

    private final ServerList servers;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    Forwarder(ServerList servers) {
        this.servers = servers;
    }

    @Override
    public void handle(Call call) {
        List<String> list = servers.servers();
        if (list.isEmpty()) {
            call.error(500, "No known Consul servers");
            return;
        }
        String method = call.method();
        byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0]
                : call.body(MAX_BODY, "Request body(%d bytes) too large, max size: " + MAX_BODY + " bytes");
        String pathQuery = call.request.getHttpURI().getPath();
        String q = call.request.getHttpURI().getQuery();
        if (q != null && !q.isEmpty()) {
            pathQuery += "?" + q;
        }
        attempt(call, list, 0, method, pathQuery, body);
    }

    private void attempt(Call call, List<String> list, int i, String method, String pathQuery, byte[] body) {
        String server = list.get(i);
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create("http://" + server + pathQuery)).timeout(TIMEOUT)
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        } catch (IllegalArgumentException e) {
            call.error(400, "Invalid request URI: " + e.getMessage());
            return;
        }
        for (String h : REQUEST_HEADERS) {
            String v = call.header(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, err) -> {
            if (err != null) {
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (unreachable(cause) && i + 1 < list.size()) {
                    LOG.info("server {} unreachable ({}); forwarding {} {} to the next one", server, cause.toString(), method, call.path());
                    servers.failed(server);
                    attempt(call, list, i + 1, method, pathQuery, body);
                    return;
                }
                if (unreachable(cause)) {
                    servers.failed(server);
                }
                call.error(500, "rpc error: failed to reach a server: " + cause);
                return;
            }
            for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
                String name = h.getKey();
                if (name.regionMatches(true, 0, "X-Consul-", 0, 9) || name.equalsIgnoreCase("Vary")
                        || name.equalsIgnoreCase("Allow")) {
                    for (String v : h.getValue()) {
                        call.response.getHeaders().add(name, v);
                    }
                }
            }
            String type = r.headers().firstValue("Content-Type").orElse(null);
            byte[] out = r.body() == null ? new byte[0] : r.body();
            if (type == null && out.length == 0) {
                call.empty(r.statusCode());
            } else {
                call.bytes(r.statusCode(), type == null ? "application/octet-stream" : type, out);
            }
        });
    }

    private static boolean unreachable(Throwable t) {
        return t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof ClosedChannelException
                || (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("Connection refused"));
    }
}
