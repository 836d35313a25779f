package io.roster.agent.http;

import java.util.List;
import java.util.function.Supplier;

/** {@code /v1/status/leader} and {@code /v1/status/peers}: the Raft leader's and the servers' addresses. */
final class StatusEndpoint {
    private final Supplier<String> leader;
    private final Supplier<List<String>> peers;

    StatusEndpoint(Supplier<String> leader, Supplier<List<String>> peers) {
        this.leader = leader;
        this.peers = peers;
    }

    /** {@code GET /v1/status/leader}: {@code "host:port"} of the leader's server address, {@code ""} when none. */
    void leader(Call call) {
        call.json(leader.get());
    }

    /** {@code GET /v1/status/peers}: the server addresses in the Raft configuration. */
    void peers(Call call) {
        call.json(peers.get());
    }
}
