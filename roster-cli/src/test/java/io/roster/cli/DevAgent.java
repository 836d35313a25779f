package io.roster.cli;

import io.roster.agent.Agent;
import io.roster.api.RosterClient;
import io.roster.testkit.RosterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The testkit's dev agent ({@link RosterExtension}: in-process, HTTP on a free port, session TTLs
 * down to 1s) for a test class, which the commands under test find through
 * {@code ROSTER_HTTP_ADDR}; what this class adds is the commands' environment: before each test the
 * commands' environment is replaced by {@link #env} (empty but for this address and SHELL), so
 * that the machine's own CONSUL_* variables cannot leak in.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DevAgent AGENT = new DevAgent();
 * }</pre>
 */
final class DevAgent implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final RosterExtension roster = RosterExtension.dev().nodeName("cli-test-node").withoutDns();
    /** The environment the commands see in this test; tests may add to it. */
    final Map<String, String> env = new HashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        roster.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        roster.afterAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        env.clear();
        env.put("ROSTER_HTTP_ADDR", address());
        HttpOptions.env = name -> env.containsKey(name) ? env.get(name) : name.equals("SHELL") ? System.getenv(name) : null;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        HttpOptions.env = System::getenv;
    }

    Agent agent() {
        return roster.agent();
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return roster.httpAddress();
    }

    RosterClient client() {
        return roster.client();
    }

    /** A raw PUT with a JSON body (for set-up through endpoints the typed client has no method for); returns the body. */
    String put(String path, String json) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address() + path))
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
