/**
 * The DNS interface: Consul's names ({@code web.service.consul}, {@code _web._tcp.service.consul},
 * {@code node1.node.consul}, {@code 7f000001.addr.consul}, reverse PTR) answered from the catalog, on
 * UDP and TCP.
 *
 * <h2>Theory of operation</h2>
 * <ul>
 *   <li>{@link io.roster.agent.dns.DnsServer} owns the sockets and threads, and nothing about DNS
 *       names. It hands each received message to {@code QueryHandler} and sends back what it returns.</li>
 *   <li>{@code QueryHandler} validates the message (FORMERR, NOTIMP, BADVERS, REFUSED), decides whether
 *       the name is ours (the domain, the alt domain, or a reverse name of a catalog address), and
 *       either answers, drops, or asks for a forward to the recursors ({@code Recursor}, blocking, run
 *       by the server on a virtual thread).</li>
 *   <li>{@code QueryName} parses the labels under the domain into a lookup; {@code Resolver} turns a
 *       lookup into records by reading the {@link io.roster.state.Store}: healthy instances only,
 *       shuffled by weight, TTLs from {@code dns_config}; prepared queries ({@code .query}) executed
 *       through {@link io.roster.agent.query.PreparedQueries} with their {@code DNS.TTL}; {@code Responses} puts them on the wire,
 *       trimming answers to the transport's size and setting TC.</li>
 *   <li>On a client agent (no catalog of its own) names in the domain go to a {@link
 *       io.roster.agent.dns.ServerDns}: a server's resolver over the server RPC, never a server's
 *       DNS port. {@link io.roster.agent.dns.DnsServer#resolver} is that resolver without a socket,
 *       which a server's RPC answers with.</li>
 *   <li>{@code ReadCache} keeps what the resolver read from the store until the store's last applied
 *       index moves, so a steady stream of queries does not copy instances out of the store each
 *       time; any write makes it re-read.</li>
 * </ul>
 *
 * <p>The package reads the store and never writes it; it does not touch the HTTP API, the local
 * agent state or Raft. Every read is a plain read of this agent's own copy of the store (a
 * follower's may lag the leader), which is what Consul's {@code allow_stale = true} default gives;
 * {@code max_stale} is not enforced.
 */
package io.roster.agent.dns;
