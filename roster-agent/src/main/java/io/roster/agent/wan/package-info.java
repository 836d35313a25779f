/**
 * A server's link to the other datacenters: its seat in the WAN gossip pool of every
 * datacenter's servers ({@link io.roster.agent.wan.WanPool}, members {@code <node>.<dc>}, Consul's
 * WAN timings) and the forwarding of requests and DNS questions to a server of another datacenter
 * over the server RPC ({@link io.roster.agent.wan.WanRouter}), with the datacenters ordered by the
 * WAN pool's coordinates; prepared-query failover's reads of another datacenter
 * ({@link io.roster.agent.wan.WanFailover}, for HTTP and DNS alike).
 *
 * <p>It owns no catalog state and never answers a request itself: the route table's datacenter
 * decorator, the DNS handler and prepared-query failover ask it where to send one. Client agents
 * have none of it; they forward {@code ?dc=} to their own servers.
 */
package io.roster.agent.wan;
