package io.roster.agent.http;

import io.roster.agent.lan.LanPool;
import io.roster.gossip.GossipException;
import io.roster.gossip.Member;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LAN gossip pool's members over HTTP: {@code /v1/agent/members}, {@code /v1/agent/join},
 * {@code /v1/agent/force-leave}. Served by every agent from its own member (a client agent does
 * not forward these).
 */
final class MembersEndpoint {
    private final LanPool pool;
    private final io.roster.agent.AgentConfig config;

    /** A server's WAN pool, or null (client agents, {@code serf_wan = -1}). */
    private final io.roster.agent.wan.WanPool wanPool;

    MembersEndpoint(LanPool pool, io.roster.agent.AgentConfig config) {
        this(pool, config, null);
    }

    MembersEndpoint(LanPool pool, io.roster.agent.AgentConfig config, io.roster.agent.wan.WanPool wanPool) {
        this.pool = pool;
        this.config = config;
        this.wanPool = wanPool;
    }

    private static boolean wan(Call call) {
        // Consul: any non-empty value of ?wan asks for the WAN pool.
        String v = call.param("wan");
        return v != null && !v.isEmpty();
    }

    /** The fields of a {@code /v1/agent/members} element, for {@code ?filter=} (Consul's {@code api.AgentMember}). */
    static final io.roster.agent.filter.Schema MEMBER_SCHEMA = memberSchema();

    private static io.roster.agent.filter.Schema memberSchema() {
        Map<String, io.roster.agent.filter.Schema> f = new LinkedHashMap<>();
        f.put("Name", io.roster.agent.filter.Schema.STRING);
        f.put("Addr", io.roster.agent.filter.Schema.STRING);
        f.put("Port", io.roster.agent.filter.Schema.INT);
        f.put("Tags", io.roster.agent.filter.Schema.map(io.roster.agent.filter.Schema.STRING));
        f.put("Status", io.roster.agent.filter.Schema.INT);
        for (String k : List.of("ProtocolMin", "ProtocolMax", "ProtocolCur", "DelegateMin", "DelegateMax", "DelegateCur")) {
            f.put(k, io.roster.agent.filter.Schema.INT);
        }
        return io.roster.agent.filter.Schema.struct(f);
    }

    /** A member as {@code /v1/agent/members} shows it (serf's protocol numbers as Consul reports them). */
    static Map<String, Object> render(Member m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Name", m.name());
        out.put("Addr", m.address());
        out.put("Port", m.port());
        out.put("Tags", m.tags());
        out.put("Status", m.status());
        out.put("ProtocolMin", 1);
        out.put("ProtocolMax", 5);
        out.put("ProtocolCur", 2);
        out.put("DelegateMin", 2);
        out.put("DelegateMax", 5);
        out.put("DelegateCur", 4);
        return out;
    }

    /**
     * {@code GET /v1/agent/members}: the LAN pool. With {@code ?wan}, what a single datacenter's
     * WAN pool: the servers of every datacenter, named {@code <node>.<datacenter>} (a client agent,
     * which has no WAN pool, lists none; a server without one lists its datacenter's servers).
     * {@code ?segment} is ignored.
     */
    void members(Call call) {
        io.roster.agent.filter.Filter filter = Filters.filter(call, MEMBER_SCHEMA);
        boolean wan = wan(call);
        if (wan && call.param("segment") != null && !call.param("segment").isEmpty() && !"_all".equals(call.param("segment"))) {
            throw HttpError.badRequest("Cannot provide a segment with wan=true");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        if (wan && !config.server()) {
            call.json(out);
            return;
        }
        if (wan && wanPool != null) {
            for (Member m : wanPool.members()) {
                out.add(render(m));
            }
            call.json(Filters.apply(filter, out));
            return;
        }
        for (Member m : pool.members()) {
            if (wan && !"consul".equals(m.tags().get("role"))) {
                continue;
            }
            Map<String, Object> r = render(m);
            if (wan) {
                r.put("Name", m.name() + "." + m.tags().getOrDefault("dc", config.datacenter()));
            }
            out.add(r);
        }
        call.json(Filters.apply(filter, AclFilter.list(call, out, "node", "read", r -> String.valueOf(r.get("Name")))));
    }

    /**
     * {@code PUT /v1/agent/join/<address>}: joins through one agent (host or host:port, 8301 by
     * default). With {@code ?wan}: a client agent answers Consul's {@code Must be a server to join
     * WAN cluster}; a server of this single datacenter is already the only member of its WAN pool,
     * so joining its own address succeeds and any other address is refused (no WAN federation yet).
     */
    void join(Call call) {
        String addr = call.rest();
        if (addr.isEmpty()) {
            throw HttpError.badRequest("Missing address to join");
        }
        if (wan(call)) {
            if (!config.server()) {
                call.error(500, "Must be a server to join WAN cluster");
                return;
            }
            String host = addr.startsWith("[") ? addr.substring(1, Math.max(1, addr.indexOf(']')))
                    : addr.contains(":") ? addr.substring(0, addr.lastIndexOf(':')) : addr;
            if (wanPool != null) {
                try {
                    wanPool.join(List.of(addr));
                } catch (GossipException e) {
                    call.error(500, "Error joining address '" + addr + "': " + e.getMessage());
                    return;
                }
                call.empty(200);
                return;
            }
            if (isSelf(host)) {
                call.empty(200);
                return;
            }
            call.error(500, "Error joining address '" + addr + "': WAN federation is not supported by Roster yet");
            return;
        }
        try {
            pool.join(List.of(addr));
        } catch (GossipException e) {
            call.error(500, "Error joining address '" + addr + "': " + e.getMessage());
            return;
        }
        call.empty(200);
    }

    private boolean isSelf(String host) {
        for (Member m : pool.members()) {
            if (m.name().equals(config.nodeName()) && m.address().equals(host)) {
                return true;
            }
        }
        return host.equals(config.bindAddr()) || host.equals(config.clientAddr())
                || (host.equals("localhost") && config.clientAddr().startsWith("127."));
    }

    /** {@code PUT /v1/agent/force-leave/<node>[?prune]}. */
    void forceLeave(Call call) {
        String node = call.rest();
        if (node.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        boolean prune = call.has("prune") && !"false".equals(call.param("prune"));
        if (wan(call) && wanPool != null) {
            if (!wanPool.forceLeave(node, prune)) {
                call.error(500, "agent: No node found with name '" + node + "'");
                return;
            }
            call.empty(200);
            return;
        }
        if (!pool.forceLeave(node, prune)) {
            call.error(500, "agent: No node found with name '" + node + "'");
            return;
        }
        call.empty(200);
    }

}
