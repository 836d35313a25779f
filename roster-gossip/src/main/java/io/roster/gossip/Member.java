package io.roster.gossip;

import java.util.Map;

/**
 * An immutable snapshot of one member as the local member sees it.
 *
 * @param address     the host other members reach it at
 * @param port        its gossip port (UDP and TCP)
 * @param tags        its tags (role, dc, port, version, ...), as it last published them
 * @param incarnation its incarnation number: bumped by the member itself to refute suspicion or to
 *                    publish new tags
 */
public record Member(String name, String address, int port, Map<String, String> tags, MemberState state, long incarnation) {

    public Member {
        tags = Map.copyOf(tags);
    }

    /** Consul's status code for {@code /v1/agent/members}: 1 alive, 2 leaving, 3 left, 4 failed. */
    public int status() {
        return state.status();
    }

    /** {@code host:port}. */
    public String hostPort() {
        return address + ":" + port;
    }
}
