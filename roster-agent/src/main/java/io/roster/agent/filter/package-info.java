/**
 * Consul's filter language ({@code ?filter=}, go-bexpr's grammar): {@link io.roster.agent.filter.Expression}
 * parses an expression into a tree, {@link io.roster.agent.filter.Schema} is the field set of one
 * endpoint's elements (derived from the API record's Jackson properties, so the names are the wire
 * names), and {@link io.roster.agent.filter.Filter} checks an expression against a schema once and
 * then evaluates it against each element's JSON tree.
 *
 * <p>This package owns only the language: it knows nothing of HTTP, the store or blocking queries.
 * Endpoints compile a filter per request and apply it to the rows a query returned, after the
 * query, so the blocking index and watch set are the unfiltered query's.
 */
package io.roster.agent.filter;
