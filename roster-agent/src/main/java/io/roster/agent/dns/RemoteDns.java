package io.roster.agent.dns;

/**
 * A server's way to ask another datacenter's servers a DNS question ({@code <name>.service.<dc>.<domain>},
 * {@code .node.<dc>}, {@code .query.<dc>}): the whole message goes over the WAN to a server there,
 * whose resolver answers it as its own DNS port would.
 */
public interface RemoteDns {
    /** Whether {@code datacenter} has a server to ask now. */
    boolean knows(String datacenter);

    /** The answer of a server of {@code datacenter} to {@code query}, or null when none answered. Blocks. */
    byte[] exchange(String datacenter, byte[] query, boolean tcp);

    /** How {@code <query>.query} names fail over to other datacenters (null: they do not). */
    default io.roster.agent.query.PreparedQueries.Failover failover() {
        return null;
    }
}
