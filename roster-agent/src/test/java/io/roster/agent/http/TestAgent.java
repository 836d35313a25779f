package io.roster.agent.http;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.RosterClient;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one real dev-mode agent (HTTP on a free port) before a test class and stops it after.
 * Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestAgent AGENT = TestAgent.dev();
 * }</pre>
 *
 * <p>The agent accepts session TTLs down to one second so TTL expiry can be observed quickly.
 *
 * <p>This is roster-agent's counterpart of the testkit's {@code RosterExtension.dev()}, which every
 * other module's tests use: roster-testkit depends on roster-agent, so roster-agent's own tests
 * cannot depend on it. Ports are the agent's own (port 0, bound by the agent itself).
 */
final class TestAgent implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<AgentConfig.Builder> customize;
    private Agent agent;
    private Http http;
    private RosterClient client;

    private TestAgent(UnaryOperator<AgentConfig.Builder> customize) {
        this.customize = customize;
    }

    /** A dev agent with {@code session_ttl_min = 1s} and node name {@code test-node}. */
    static TestAgent dev() {
        return new TestAgent(UnaryOperator.identity());
    }

    /** A dev agent with further settings applied to the builder. */
    static TestAgent dev(UnaryOperator<AgentConfig.Builder> customize) {
        return new TestAgent(customize);
    }

    /** Starts a dev agent outside any extension (for tests that need a fresh, empty one); close it. */
    static Agent start(UnaryOperator<AgentConfig.Builder> customize) throws Exception {
        AgentConfig.Builder b = AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName("test-node")
                .sessionTtlMin(Duration.ofSeconds(1));
        return new Agent(customize.apply(b).build()).start();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = start(customize);
        http = new Http(agent.httpAddress());
        client = RosterClient.create(agent.httpAddress());
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

    /** Raw HTTP access to the agent (status codes, headers, bodies). */
    Http http() {
        return http;
    }

    /** The typed public client, for set-up steps where the wire details are not under test. */
    RosterClient client() {
        return client;
    }

    /** How many blocking queries are parked in the agent right now. */
    long parked() {
        return agent.http().blocking().parked();
    }
}
