package io.roster.agent.dns;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.state.Command;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real dev agent with DNS on a free port (UDP and TCP on 127.0.0.1), started before a test class
 * and stopped after, plus helpers that write catalog entries straight through the server.
 * It stays in roster-agent beside {@code TestAgent} rather than using roster-testkit's
 * {@code RosterExtension}, which depends on roster-agent (see {@code TestAgent}).
 */
final class DnsAgent implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<AgentConfig.Builder> customize;
    private Agent agent;
    private DnsClient client;

    private DnsAgent(UnaryOperator<AgentConfig.Builder> customize) {
        this.customize = customize;
    }

    static DnsAgent dev() {
        return new DnsAgent(UnaryOperator.identity());
    }

    static DnsAgent dev(UnaryOperator<AgentConfig.Builder> customize) {
        return new DnsAgent(customize);
    }

    static Agent start(UnaryOperator<AgentConfig.Builder> customize) throws Exception {
        AgentConfig.Builder b = AgentConfig.builder().dev(true).httpPort(0).dnsPort(0).nodeName("test-node")
                .logLevel("warn");
        return new Agent(customize.apply(b).build()).start();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = start(customize);
        client = new DnsClient(agent.dns().port());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (agent != null) {
            agent.close();
        }
    }

    Agent agent() {
        return agent;
    }

    DnsClient dns() {
        return client;
    }

    int port() {
        return agent.dns().port();
    }

    // ------------------------------------------------------------------ catalog set-up

    static Node node(String name, String address, Map<String, String> meta) {
        return new Node("", name, address, "dc1", Map.of(), meta, 0, 0);
    }

    static NodeService service(String id, String name, String address, int port, List<String> tags) {
        return service(id, name, address, port, tags, ServiceDefinition.Weights.DEFAULT);
    }

    static NodeService service(String id, String name, String address, int port, List<String> tags,
                               ServiceDefinition.Weights weights) {
        return new NodeService(null, id, name, tags, address, Map.of(), Map.of(), port, weights, false, null, 0, 0);
    }

    static HealthCheck check(String node, String id, String status, String serviceId) {
        return HealthCheck.of(node, id, id, status, "", serviceId, "ttl");
    }

    /** Registers a node, optionally a service instance on it, and checks; waits until applied. */
    void register(Node node, NodeService service, HealthCheck... checks) throws Exception {
        register(agent, node, service, checks);
    }

    static void register(Agent agent, Node node, NodeService service, HealthCheck... checks) throws Exception {
        agent.server().catalog(new Command.CatalogRegister(node, service, List.of(checks), false))
                .get(10, TimeUnit.SECONDS);
    }
}
