package io.roster.agent.query;

import io.roster.agent.filter.Schema;
import io.roster.api.Durations;
import io.roster.api.PreparedQuery;
import io.roster.api.ServiceEntry;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.Command;
import io.roster.state.Replicator;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The server side of prepared queries: what Consul's {@code PreparedQuery.Apply} checks before
 * replicating (the leader picks the ID; definitions and templates are checked here, with Consul's
 * texts, so apply only has to keep the table's integrity), and {@code Execute}/{@code Explain}:
 * resolve by ID or name, render a template, select the healthy instances, shuffle, sort by
 * {@code Near}, put the near node first, apply the limit. With no healthy instance here, the
 * query fails over ({@link Failover}): to its {@code Failover.NearestN} nearest other datacenters
 * by WAN round trip, then to its {@code Failover.Datacenters} in order (unknown ones and ones
 * already tried skipped), until one has an instance; {@code Failovers} counts the datacenters
 * asked, {@code Datacenter} names the one that answered. The other datacenter's health entries of
 * the service are read there (over the WAN) and this query's filters applied to them here, so the
 * query need not exist in the other datacenter.
 */
public final class PreparedQueries {
    /** Consul's {@code ErrQueryNotFound} text; the HTTP API answers 404 with it. */
    public static final String NOT_FOUND = "Query not found";

    private final Replicator replicator;
    private final Store store;
    private final Schema entrySchema;
    private final Function<ServiceEntry, com.fasterxml.jackson.databind.JsonNode> tree;

    /**
     * @param entrySchema the health entry's filter fields ({@code Filter} is checked against them)
     * @param tree        a health entry as its wire JSON (what {@code Filter} is evaluated on)
     */
    public PreparedQueries(Replicator replicator, Store store, Schema entrySchema,
                           Function<ServiceEntry, com.fasterxml.jackson.databind.JsonNode> tree) {
        this.replicator = replicator;
        this.store = store;
        this.entrySchema = entrySchema;
        this.tree = tree;
    }

    /** A server's view of the other datacenters, for failover. */
    public interface Failover {
        /** Every datacenter known, this one included, nearest first. */
        List<String> datacentersByDistance();

        /**
         * The health entries of {@code service} in {@code datacenter} (every status; the query's
         * own filters are applied here), or null when it could not be asked. Blocks, bounded.
         */
        List<ServiceEntry> serviceHealth(String datacenter, String service, String token);
    }

    private volatile Failover failover;

    /** Fails over to other datacenters through {@code f} (null: never). */
    public PreparedQueries withFailover(Failover f) {
        this.failover = f;
        return this;
    }

    /** A failure with a one-line message and the HTTP status Consul gives it. */
    public static final class QueryError extends RuntimeException {
        private final int status;

        public QueryError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Creates a query; completes with its new ID, or an {@link ApplyError}. */
    public CompletableFuture<ApplyResult> create(PreparedQuery q) {
        if (!q.id().isEmpty()) {
            return done(new ApplyError("ID must be empty when creating a new prepared query"));
        }
        String id;
        do {
            id = UUID.randomUUID().toString();
        } while (store.preparedQuery(WatchSet.NONE, id).value() != null);
        return apply(withId(q, id));
    }

    /** Replaces a query (the ID comes from the path); completes with the ID or an {@link ApplyError}. */
    public CompletableFuture<ApplyResult> update(String id, PreparedQuery q) {
        if (store.preparedQuery(WatchSet.NONE, id).value() == null) {
            return done(new ApplyError("Cannot modify non-existent prepared query: '" + id + "'"));
        }
        return apply(withId(q, id));
    }

    public CompletableFuture<ApplyResult> delete(String id) {
        if (store.preparedQuery(WatchSet.NONE, id).value() == null) {
            return done(new ApplyError("Cannot modify non-existent prepared query: '" + id + "'"));
        }
        return replicator.submit(new Command.PreparedQueryDelete(id));
    }

    private CompletableFuture<ApplyResult> apply(PreparedQuery q) {
        String invalid = invalid(q);
        if (invalid != null) {
            return done(new ApplyError("Invalid prepared query: " + invalid));
        }
        String template = Templates.check(q);
        if (template != null) {
            return done(new ApplyError("failed compiling template: " + template));
        }
        return replicator.submit(new Command.PreparedQuerySet(q));
    }

    /** Consul's {@code parseQuery}: the checks of a definition, or null when it is fine. */
    String invalid(PreparedQuery q) {
        boolean template = !q.template().type().isEmpty();
        if (q.name().isEmpty() && !template && q.session().isEmpty()) {
            return "Must be bound to a session";
        }
        if (q.token().equals("<hidden>")) {
            return "Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted";
        }
        if (q.service().service().isEmpty()) {
            return "Must provide a Service name to query";
        }
        PreparedQuery.Failover failover = q.service().failover();
        if (failover.nearestN() < 0) {
            return "Bad NearestN '" + failover.nearestN() + "', must be >= 0";
        }
        if ((failover.nearestN() != 0 || !failover.datacenters().isEmpty()) && !failover.targets().isEmpty()) {
            return "Targets cannot be populated with NearestN or Datacenters";
        }
        for (java.util.Map<String, String> t : failover.targets()) {
            String peer = t.get("Peer");
            if (peer != null && !peer.isEmpty()) {
                return "Bad failover target: Peer '" + peer + "': cluster peering is not supported; use Datacenter";
            }
        }
        if (!q.dns().ttl().isEmpty() && !q.dns().ttl().contains("${")) {
            try {
                if (Durations.parse(q.dns().ttl()).isNegative()) {
                    return "DNS TTL '" + q.dns().ttl() + "', must be >=0";
                }
            } catch (IllegalArgumentException e) {
                return "Bad DNS TTL '" + q.dns().ttl() + "': " + e.getMessage();
            }
        }
        // A template's filter may only be complete once rendered: it is checked at execute.
        if (!(template && q.service().filter().contains("${"))) {
            String f = QueryExecutor.validate(q, entrySchema);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static PreparedQuery withId(PreparedQuery q, String id) {
        return new PreparedQuery(id, q.name(), q.session(), q.token(), q.service(), q.dns(), q.template(), 0, 0);
    }

    private static CompletableFuture<ApplyResult> done(ApplyResult o) {
        return CompletableFuture.completedFuture(o);
    }

    /** A resolved (and, for a template, rendered) query with the index of the query table. */
    public record Resolved(PreparedQuery query, long index) {
    }

    /**
     * The query an execute or explain names, rendered when it is a template.
     *
     * @throws QueryError 404 {@link #NOT_FOUND}, or 500 for a template named by its ID
     */
    public Resolved resolve(String idOrName) {
        if (idOrName.isEmpty()) {
            throw new QueryError(500, "Missing query ID");
        }
        Store.Read<PreparedQuery> r = store.resolvePreparedQuery(WatchSet.NONE, idOrName);
        PreparedQuery q = r.value();
        if (q == null) {
            throw new QueryError(404, NOT_FOUND);
        }
        if (!q.template().type().isEmpty()) {
            if (q.id().equalsIgnoreCase(idOrName)) {
                throw new QueryError(500, "prepared query templates can only be resolved up by name, not by ID");
            }
            q = Templates.render(q, idOrName);
        }
        return new Resolved(q, r.index());
    }

    /** What an execute answers (Consul's {@code PreparedQueryExecuteResponse}). */
    public record Result(String service, List<ServiceEntry> nodes, PreparedQuery.Dns dns, String datacenter,
                         int failovers, long index) {
    }

    /**
     * Runs a query in this datacenter.
     *
     * @param agentNode the node of the agent that asked ({@code _agent})
     * @param nearParam {@code ?near=} (wins over the query's {@code Near}); null when absent
     * @param sourceIp  the asker's address, for {@code _ip}; null when unknown
     * @param limit     at most this many nodes; 0 for all
     */
    public Result execute(String idOrName, String agentNode, String nearParam, String sourceIp, int limit,
                          String datacenter) {
        Resolved r = resolve(idOrName);
        PreparedQuery q = r.query();
        Store.Read<List<ServiceEntry>> health = store.serviceHealth(WatchSet.NONE, q.service().service());
        List<ServiceEntry> nodes;
        try {
            nodes = new ArrayList<>(QueryExecutor.select(q.service(), health.value(), entrySchema, tree));
        } catch (io.roster.agent.filter.FilterException e) {
            throw new QueryError(500, e.getMessage());
        }
        Collections.shuffle(nodes);
        String near = nearParam != null && !nearParam.isEmpty() ? nearParam : q.service().near();
        if ("_agent".equals(near)) {
            near = agentNode;
        } else if ("_ip".equals(near)) {
            near = null;
            if (sourceIp != null) {
                for (io.roster.api.Node n : store.nodes(WatchSet.NONE).value()) {
                    if (n.address().equals(sourceIp)) {
                        near = n.node();
                        break;
                    }
                }
            }
        }
        if (near != null && !near.isEmpty()) {
            nodes = new ArrayList<>(Near.sort(nodes, e -> e.node().node(),
                    near, Near.bySegmentDefault(store.coordinates(WatchSet.NONE).value())));
            // The near node itself first, looking no deeper than Consul does (10 entries).
            for (int i = 0; i < Math.min(10, nodes.size()); i++) {
                if (nodes.get(i).node().node().equals(near)) {
                    Collections.swap(nodes, 0, i);
                    break;
                }
            }
        }
        long index = Math.max(r.index(), health.index());
        Failover f = failover;
        if (nodes.isEmpty() && f != null) {
            return failover(f, q, limit, datacenter, index);
        }
        if (limit > 0 && nodes.size() > limit) {
            nodes = new ArrayList<>(nodes.subList(0, limit));
        }
        return new Result(q.service().service(), nodes, q.dns(), datacenter, 0, index);
    }

    /**
     * The datacenters a query with no local instance fails over to, in order (Consul's
     * {@code queryFailover}): the {@code NearestN} nearest, then {@code Datacenters}, or (Consul
     * 1.13+, instead of both) the {@code Datacenter} of each of {@code Targets}; this datacenter,
     * unknown ones and repeats skipped.
     */
    static List<String> failoverOrder(PreparedQuery.Failover spec, List<String> known, String local) {
        List<String> order = new ArrayList<>();
        if (!spec.targets().isEmpty()) {
            for (java.util.Map<String, String> t : spec.targets()) {
                String dc = t.getOrDefault("Datacenter", "");
                if (!dc.isEmpty() && !dc.equals(local) && known.contains(dc) && !order.contains(dc)) {
                    order.add(dc);
                }
            }
            return order;
        }
        int n = spec.nearestN();
        for (String dc : known) {
            if (n <= 0) {
                break;
            }
            if (!dc.equals(local)) {
                order.add(dc);
                n--;
            }
        }
        for (String dc : spec.datacenters()) {
            if (!dc.equals(local) && known.contains(dc) && !order.contains(dc)) {
                order.add(dc);
            }
        }
        return order;
    }

    private Result failover(Failover f, PreparedQuery q, int limit, String datacenter, long index) {
        List<String> order = failoverOrder(q.service().failover(), f.datacentersByDistance(), datacenter);
        int failovers = 0;
        for (String dc : order) {
            failovers++;
            List<ServiceEntry> remote = f.serviceHealth(dc, q.service().service(), q.token());
            if (remote == null) {
                continue;
            }
            List<ServiceEntry> nodes;
            try {
                nodes = new ArrayList<>(QueryExecutor.select(q.service(), remote, entrySchema, tree));
            } catch (io.roster.agent.filter.FilterException e) {
                throw new QueryError(500, e.getMessage());
            }
            if (nodes.isEmpty()) {
                continue;
            }
            Collections.shuffle(nodes);
            if (limit > 0 && nodes.size() > limit) {
                nodes = new ArrayList<>(nodes.subList(0, limit));
            }
            return new Result(q.service().service(), nodes, q.dns(), dc, failovers, index);
        }
        return new Result(q.service().service(), List.of(), q.dns(), datacenter, failovers, index);
    }
}
