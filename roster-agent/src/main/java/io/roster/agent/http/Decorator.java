package io.roster.agent.http;

/**
 * A cross-cutting concern attached to a route in the route table (metrics, the datacenter check,
 * the leader gate, a client agent's forwarding; ACLs next): given the route and the handler it
 * would run, the handler to run instead. A decorator may answer the call itself (an error, a
 * forwarded answer) and not call {@code next} at all.
 */
@FunctionalInterface
public interface Decorator {
    Endpoint wrap(Route route, Endpoint next);
}
