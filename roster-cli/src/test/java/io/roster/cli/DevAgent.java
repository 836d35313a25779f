package io.roster.cli;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.RosterClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real dev agent (in-process, HTTP on a free port, session TTLs down to 1s) for a test class,
 * which the commands under test find through {@code ROSTER_HTTP_ADDR}: before each test the
 * commands' environment is replaced by {@link #env} (empty but for this address and SHELL), so
 * that the machine's own CONSUL_* variables cannot leak in.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DevAgent AGENT = new DevAgent();
 * }</pre>
 */
final class DevAgent implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private Agent agent;
    private RosterClient client;
    /** The environment the commands see in this test; tests may add to it. */
    final Map<String, String> env = new HashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName("cli-test-node")
                .sessionTtlMin(Duration.ofSeconds(1)).build()).start();
        client = RosterClient.create(address());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (agent != null) {
            agent.close();
        }
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
        return agent;
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return "127.0.0.1:" + agent.httpPort();
    }

    RosterClient client() {
        return client;
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
