/**
 * What a client agent (neither {@code -server} nor {@code -dev}) needs to reach the servers: the
 * list of alive servers learned from gossip ({@code role=consul} members and their {@code http}
 * tag), and the catalog access anti-entropy uses over a server's HTTP API. A client agent holds no
 * authoritative state; the HTTP API forwards everything but its own {@code /v1/agent/*} endpoints.
 */
package io.roster.agent.client;
