/**
 * The HTTP API (Consul's /v1): one route table ({@link io.roster.agent.http.ApiRoutes} declares
 * every route once, by method and path pattern, with the ACL it needs in Consul's rule names and
 * whether each agent or the servers answer it; {@link io.roster.agent.http.RouteTable} picks the
 * most specific match), the decorators attached there (metrics per route, the {@code ?dc=} check,
 * the leader gate, the RPC count, a client agent's forwarding), the endpoint classes named by URL
 * group ({@code KvEndpoint}, {@code StatusEndpoint}, {@code OperatorEndpoint}, ...), the one
 * blocking-query helper, and the ways a request arrives: Jetty on {@code client_addr}
 * ({@link io.roster.agent.http.HttpServer} owns the connectors, nothing else) or a forwarded
 * request dispatched straight into the table ({@link io.roster.agent.http.LocalExchange}).
 * The web UI's static files ({@code /ui/}, from the jar's {@code io/roster/agent/ui/} or
 * {@code ui_config.dir}) are served by {@link io.roster.agent.http.UiHandler}, in front of the API
 * when the UI is on; the UI reads Consul's UI data endpoints ({@code UiEndpoint}) like any client.
 *
 * <p>A handler sees an immutable {@link io.roster.agent.http.ApiRequest} through
 * {@link io.roster.agent.http.Call} and answers it exactly once. Cross-cutting checks belong in a
 * decorator, not in an endpoint. Endpoints reach the state only through
 * {@code io.roster.agent.server.StateServer} (writes), the store's reads and the
 * {@code Replicator} seam (Raft peers, barriers); gossip through {@code lan.LanPool}; they never
 * open sockets of their own (the {@code Forwarder} uses {@code rpc.RpcClient}). Errors reach a client as Consul's status and one line, never a stack
 * trace.
 */
package io.roster.agent.http;
