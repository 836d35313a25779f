/**
 * Prepared queries (issue 21, part 2), being built in slices. This package holds the execution of
 * a query's {@code Service} part over the health entries of a service, as Consul's
 * {@code PreparedQuery.Execute} filters them: health (critical always dropped, warning too with
 * {@code OnlyPassing}, {@code IgnoreCheckIDs} not counted), {@code Tags} with {@code !tag},
 * {@code NodeMeta}, {@code ServiceMeta}, then {@code Filter}. Storage (a replicated table), the
 * {@code /v1/query} endpoints, templates and {@code .query.consul} DNS are not here yet.
 *
 * <p>It reads nothing itself: callers pass the entries a store read returned, so it stays a pure
 * function that the HTTP and DNS paths can share.
 */
package io.roster.agent.query;
