package io.roster.agent.config;

import io.roster.agent.AgentConfig;
import io.roster.api.CheckDefinition;
import io.roster.api.ServiceDefinition;
import java.util.List;

/**
 * What the configuration files and flags say: the agent's settings, and the services and node
 * checks to register (in file order; each service keeps its {@code Check}/{@code Checks}).
 */
public record LoadedConfig(AgentConfig agent, List<ServiceDefinition> services, List<CheckDefinition> checks) {
    public LoadedConfig {
        services = List.copyOf(services);
        checks = List.copyOf(checks);
    }
}
