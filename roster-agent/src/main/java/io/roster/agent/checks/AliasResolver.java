package io.roster.agent.checks;

/** What an alias check mirrors: supplied by the agent's local state (and, later, the catalog). */
@FunctionalInterface
public interface AliasResolver {
    /**
     * The worst status among the checks of {@code serviceId} on {@code node} (or of the node itself
     * when {@code serviceId} is null). {@code node} null means this agent. Returns null when the
     * node or service is not found; a found service without checks should answer
     * {@link CheckStatus#PASSING}, as Consul treats it.
     */
    String status(String node, String serviceId);
}
