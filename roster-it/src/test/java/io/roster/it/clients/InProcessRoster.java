package io.roster.it.clients;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One dev-mode Roster agent in this JVM for a whole test class, on a free HTTP port, that the
 * third-party client under test is pointed at. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final InProcessRoster ROSTER = new InProcessRoster();
 * }</pre>
 *
 * <p>The agent's node is {@code it-node}, and it accepts session TTLs down to one second so
 * expiry can be seen quickly.
 */
final class InProcessRoster implements BeforeAllCallback, AfterAllCallback {
    /** The agent's node name, as clients see it in the catalog. */
    static final String NODE = "it-node";

    private Agent agent;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // DNS off: these clients speak HTTP only, and a fixed DNS port would clash with other agents.
        agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName(NODE)
                .sessionTtlMin(Duration.ofSeconds(1)).build()).start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (agent != null) {
            agent.close();
        }
    }

    /** The HTTP port the agent listens on (127.0.0.1). */
    int port() {
        return agent.httpPort();
    }

    /** How many blocking queries are parked in the agent now: proves a client's query really waits. */
    long parked() {
        return agent.http().blocking().parked();
    }
}
