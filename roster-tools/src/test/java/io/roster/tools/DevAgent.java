package io.roster.tools;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.RosterClient;
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
 * A real dev agent (in-process, HTTP on port 0, no DNS) for a test class. Before each test the
 * tools' environment ({@link ToolEnv#env}) is replaced by {@link #env}, holding only this agent's
 * address, so the machine's CONSUL_* variables cannot leak in; the KV store is emptied.
 */
public final class DevAgent implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private Agent agent;
    private RosterClient client;
    /** The environment the tools see in this test; tests may add to it. */
    public final Map<String, String> env = new HashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName("tools-test-node").build()).start();
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
        env.put("CONSUL_HTTP_ADDR", address());
        ToolEnv.env = env::get;
        client.kv().deleteTree("");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ToolEnv.env = System::getenv;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + agent.httpPort();
    }

    public RosterClient client() {
        return client;
    }

    public void kv(String key, String value) {
        client.kv().put(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A raw PUT with a JSON body (catalog registration and the like); returns the body. */
    public String put(String path, String json) {
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

    /** Registers a node with one service instance in the catalog (no checks: passing). */
    public void register(String node, String address, String serviceId, String service, int port, String... tags) {
        StringBuilder t = new StringBuilder();
        for (String tag : tags) {
            t.append(t.length() == 0 ? "" : ",").append('"').append(tag).append('"');
        }
        put("/v1/catalog/register", "{\"Node\":\"" + node + "\",\"Address\":\"" + address + "\",\"Service\":{\"ID\":\"" + serviceId
                + "\",\"Service\":\"" + service + "\",\"Port\":" + port + ",\"Tags\":[" + t + "]}}");
    }
}
