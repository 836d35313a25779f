package io.roster.agent.dns;

/**
 * Where a DNS question is answered from a catalog: on a client agent, a server over the server
 * RPC; on a server, its own resolver ({@link DnsServer#resolver}). Blocking (up to the RPC or
 * recursor timeout): call it on a virtual thread.
 */
@FunctionalInterface
public interface ServerDns {
    /** The answer to {@code query} (a whole DNS message), or null when there is none. */
    byte[] exchange(byte[] query, boolean tcp);
}
