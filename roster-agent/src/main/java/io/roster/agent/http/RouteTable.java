package io.roster.agent.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The HTTP API's one route table. Every route is declared once, by method(s) and path pattern
 * ({@link PathPattern}); a request goes to the most specific pattern that matches its path,
 * whatever the order of declaration; a known path with a method it does not serve is Consul's
 * {@code 405 method X not allowed} with {@code Allow}; anything else {@code 404 page not found}.
 * Cross-cutting concerns attach here as {@link Decorator}s, to every route or to those a predicate
 * picks. Immutable: {@link Builder} makes one.
 */
public final class RouteTable {
    /** The outcome of a lookup: a route and its path parameters, or a 404/405 with the methods allowed. */
    public record Match(Route route, Map<String, String> params, Set<String> allowed) {
        boolean found() {
            return route != null;
        }
    }

    private static final Match NOT_FOUND = new Match(null, Map.of(), Set.of());

    /** Routes, most specific pattern first; routes of one pattern are adjacent. */
    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing(Route::pattern));
        this.routes = List.copyOf(sorted);
    }

    /** Every route, most specific first. */
    public List<Route> routes() {
        return routes;
    }

    /** Finds the route for {@code method} on the decoded {@code path}. */
    public Match match(String method, String path) {
        String[] segs = PathPattern.split(path);
        if (segs == null) {
            return NOT_FOUND;
        }
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            Map<String, String> params = r.pattern().match(segs);
            if (params == null) {
                continue;
            }
            // The most specific matching pattern: pick the route of that pattern serving the method.
            Set<String> allowed = new LinkedHashSet<>();
            for (int j = i; j < routes.size() && routes.get(j).pattern().sameShape(r.pattern()); j++) {
                Route same = routes.get(j);
                if (same.methods().contains(method)) {
                    return new Match(same, same == r ? params : same.pattern().match(segs), same.methods());
                }
                allowed.addAll(same.methods());
            }
            return new Match(null, Map.of(), order(allowed));
        }
        return NOT_FOUND;
    }

    /** This table with {@code d} attached to every route. */
    public RouteTable decorate(Decorator d) {
        return decorate(r -> true, d);
    }

    /** This table with {@code d} attached to the routes {@code which} picks. */
    public RouteTable decorate(Predicate<Route> which, Decorator d) {
        List<Route> out = new ArrayList<>(routes.size());
        for (Route r : routes) {
            out.add(which.test(r) ? r.decorate(d) : r);
        }
        return new RouteTable(out);
    }

    /** {@code Allow}'s order: the usual methods first, as Consul lists them. */
    private static Set<String> order(Set<String> methods) {
        List<String> known = List.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH");
        Set<String> out = new LinkedHashSet<>();
        for (String m : known) {
            if (methods.contains(m)) {
                out.add(m);
            }
        }
        out.addAll(new TreeSet<>(methods));
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Declares routes; refuses a second route for a method and pattern already declared. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        /** Declares {@code pattern} for {@code methods}, answered by {@code handler}. */
        public Builder add(Set<String> methods, String pattern, Acl acl, Route.Scope scope, Endpoint handler) {
            if (acl == null) {
                throw new IllegalArgumentException("route " + pattern + " declares no ACL (use Acl.none())");
            }
            PathPattern p = PathPattern.parse(pattern);
            for (Route r : routes) {
                if (r.pattern().sameShape(p) && r.methods().stream().anyMatch(methods::contains)) {
                    throw new IllegalArgumentException("route declared twice: " + methods + " " + pattern
                            + " (already " + r.methods() + " " + r.path() + ")");
                }
            }
            routes.add(new Route(methods, p, acl, scope, handler));
            return this;
        }

        public RouteTable build() {
            return new RouteTable(routes);
        }
    }
}
