/**
 * What a client agent (neither {@code -server} nor {@code -dev}) needs to reach the servers: the
 * list of alive servers learned from gossip ({@code role=consul} members: their gossip address and
 * {@code port} tag, the server RPC address), and the catalog access anti-entropy uses through the
 * server RPC ({@code io.roster.agent.rpc}). A client agent holds no authoritative state; the HTTP
 * API forwards everything but its own {@code /v1/agent/*} endpoints. Nothing here uses a server's
 * HTTP or DNS address.
 */
package io.roster.agent.client;
