package io.roster.agent.http;

import java.util.Set;

/**
 * One entry of the route table: the HTTP methods and path pattern it answers, its metadata (the
 * ACL it needs; whether each agent answers it itself or the servers answer it for the cluster)
 * and its handler, with every decorator attached ({@link #decorate}). Immutable: decorating gives
 * a new route.
 *
 * @param methods  upper-case HTTP methods ({@code GET} implies nothing: {@code HEAD} is listed when served)
 * @param pattern  the path pattern ({@link PathPattern})
 * @param acl      what a token needs for this route, in Consul's rule names
 * @param scope    who answers it: this agent ({@code /v1/agent/*}) or the servers (forwarded by a client)
 * @param handler  the endpoint method, decorators included
 */
public record Route(Set<String> methods, PathPattern pattern, Acl acl, Scope scope, Endpoint handler) {
    /** Who answers a route. */
    public enum Scope {
        /** Each agent answers for itself ({@code /v1/agent/*}, {@code /v1/event/*}, the keyring); never forwarded. */
        AGENT,
        /** The servers answer for the cluster; a client agent forwards it over the server RPC. */
        CLUSTER
    }

    public Route {
        methods = Set.copyOf(methods);
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one method: " + pattern);
        }
    }

    /** The declared pattern ({@code /v1/kv/{key...}}): the route's name in metrics and docs. */
    public String path() {
        return pattern.text();
    }

    /** This route with {@code d} wrapped around its handler (the last decorator applied runs first). */
    public Route decorate(Decorator d) {
        return new Route(methods, pattern, acl, scope, d.wrap(this, handler));
    }
}
