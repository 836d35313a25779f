package io.roster.agent.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The web UI: static files at {@code /ui/} from the agent's jar ({@code io/roster/agent/ui/}) or
 * from {@code ui_config.dir}, and {@code /} redirected there, as Consul does when its UI is on.
 * Everything else goes to the API handler. The UI is plain HTML, CSS and JavaScript modules with no
 * build step and nothing fetched from elsewhere, so it works on an offline network.
 */
final class UiHandler extends Handler.Wrapper {
    static final String RESOURCES = "io/roster/agent/ui/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8", "map", "application/json");

    private final Path dir;
    /** Built-in files, read once (they never change while the agent runs). */
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    /** @param dir {@code ui_config.dir}, or null for the built-in UI */
    UiHandler(Handler api, Path dir) {
        super(api);
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (read && path.equals("/")) {
            response.setStatus(301);
            response.getHeaders().put("Location", "/ui/");
            response.getHeaders().put("Content-Type", "text/html; charset=utf-8");
            response.write(true, ByteBuffer.wrap("<a href=\"/ui/\">Moved Permanently</a>.\n".getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
        if (!path.equals("/ui") && !path.startsWith("/ui/")) {
            return super.handle(request, response, callback);
        }
        if (!read) {
            return plain(response, callback, 405, "method " + method + " not allowed");
        }
        if (path.equals("/ui")) {
            response.setStatus(301);
            response.getHeaders().put("Location", "/ui/");
            response.write(true, ByteBuffer.allocate(0), callback);
            return true;
        }
        String rel = path.substring("/ui/".length());
        if (rel.isEmpty() || rel.endsWith("/")) {
            rel = rel + "index.html";
        }
        byte[] body = rel.contains("..") || rel.contains("\\") || rel.contains("\0") ? null : load(rel);
        if (body == null) {
            return plain(response, callback, 404, "404 page not found");
        }
        String ext = rel.substring(rel.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        response.setStatus(200);
        response.getHeaders().put("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
        response.getHeaders().put("Cache-Control", "no-cache");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        response.write(true, ByteBuffer.wrap(method.equals("HEAD") ? new byte[0] : body), callback);
        return true;
    }

    private byte[] load(String rel) throws IOException {
        if (dir != null) {
            Path p = dir.resolve(rel).normalize();
            if (!p.startsWith(dir) || !Files.isRegularFile(p)) {
                return null;
            }
            return Files.readAllBytes(p);
        }
        byte[] cached = cache.get(rel);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = UiHandler.class.getClassLoader().getResourceAsStream(RESOURCES + rel)) {
            if (in == null) {
                return null;
            }
            byte[] b = in.readAllBytes();
            cache.put(rel, b);
            return b;
        }
    }

    private static boolean plain(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", Call.TEXT);
        response.write(true, ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
