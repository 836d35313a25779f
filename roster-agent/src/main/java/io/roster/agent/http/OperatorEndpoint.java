package io.roster.agent.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.roster.agent.lan.LanPool;
import io.roster.api.Durations;
import io.roster.gossip.GossipException;
import io.roster.gossip.Member;
import io.roster.state.Replicator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/operator/raft/configuration} and {@code /v1/operator/raft/peer};
 * {@code /v1/operator/keyring} (this agent's LAN pool keys; every agent answers it itself);
 * {@code /v1/operator/autopilot/configuration|health|state}, answered from the Raft state this
 * server sees (its configuration, the leader's view of each follower's match index and last
 * contact, the gossip status of each server).
 */
final class OperatorEndpoint {
    /** Consul's autopilot defaults (Roster does not let them be changed yet). */
    static final Duration LAST_CONTACT_THRESHOLD = Duration.ofMillis(200);
    static final long MAX_TRAILING_LOGS = 250;
    static final Duration STABILIZATION = Duration.ofSeconds(10);

    private final Replicator replicator;
    private final LanPool lan;
    private final String version;
    /** When this agent first saw each server healthy (Consul's StableSince). */
    private final Map<String, Instant> stableSince = new java.util.concurrent.ConcurrentHashMap<>();

    OperatorEndpoint(Replicator replicator, LanPool lan, String version) {
        this.replicator = replicator;
        this.lan = lan;
        this.version = version;
    }

    void autopilotConfiguration(Call call) {
        long idx = replicator.configurationIndex();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CleanupDeadServers", true);
        out.put("LastContactThreshold", Durations.format(LAST_CONTACT_THRESHOLD));
        out.put("MaxTrailingLogs", MAX_TRAILING_LOGS);
        out.put("MinQuorum", 0);
        out.put("ServerStabilizationTime", Durations.format(STABILIZATION));
        out.put("RedundancyZoneTag", "");
        out.put("DisableUpgradeMigration", false);
        out.put("UpgradeVersionTag", "");
        out.put("CreateIndex", idx);
        out.put("ModifyIndex", idx);
        call.json(out);
    }

    /** One server as autopilot judges it. */
    private record ServerHealth(String id, String name, String address, String serfStatus, boolean leader,
                                boolean voter, long lastContactNanos, long lastIndex, long lastTerm, boolean healthy,
                                Instant stableSince) {
    }

    private List<ServerHealth> judge() {
        List<Replicator.PeerStatus> peers = replicator.peerStatus();
        long leaderIndex = 0;
        for (Replicator.PeerStatus p : peers) {
            if (p.leader()) {
                leaderIndex = p.lastIndex();
            }
        }
        long term = replicator.term();
        boolean known = !replicator.leaderAddress().isEmpty();
        List<ServerHealth> out = new ArrayList<>();
        for (Replicator.PeerStatus p : peers) {
            Member m = member(p.address());
            String serf = m == null ? "none" : switch (m.status()) {
                case 1 -> "alive";
                case 2 -> "leaving";
                case 3 -> "left";
                default -> "failed";
            };
            boolean contactOk = p.leader() || (p.lastContactNanos() >= 0 && p.lastContactNanos() <= LAST_CONTACT_THRESHOLD.toNanos());
            boolean indexOk = p.lastIndex() >= 0 && leaderIndex - p.lastIndex() <= MAX_TRAILING_LOGS;
            boolean healthy = known && "alive".equals(serf) && contactOk && indexOk;
            Instant since = healthy ? stableSince.computeIfAbsent(p.address(), a -> Instant.now()) : null;
            if (!healthy) {
                stableSince.remove(p.address());
            }
            out.add(new ServerHealth(p.address().replace(':', '_'), m == null ? p.address() : m.name(), p.address(), serf,
                    p.leader(), p.voter(), Math.max(0, p.lastContactNanos()), Math.max(0, p.lastIndex()), term, healthy,
                    since == null ? Instant.EPOCH : since));
        }
        return out;
    }

    /** The gossip member at a Raft address: same host, its {@code port} tag the Raft port. */
    private Member member(String raftAddress) {
        if (lan == null) {
            return null;
        }
        int colon = raftAddress.lastIndexOf(':');
        String host = colon < 0 ? raftAddress : raftAddress.substring(0, colon);
        String port = colon < 0 ? "" : raftAddress.substring(colon + 1);
        for (Member m : lan.members()) {
            if (m.address().equals(host) && port.equals(m.tags().get("port")) && "consul".equals(m.tags().get("role"))) {
                return m;
            }
        }
        return null;
    }

    private static int failureTolerance(List<ServerHealth> servers) {
        int voters = 0;
        int healthyVoters = 0;
        for (ServerHealth s : servers) {
            if (s.voter()) {
                voters++;
                if (s.healthy()) {
                    healthyVoters++;
                }
            }
        }
        return Math.max(0, healthyVoters - (voters / 2 + 1));
    }

    /** Whether every server of the configuration is healthy (consul.autopilot.healthy); records each follower's last contact. */
    boolean healthy() {
        List<ServerHealth> servers = judge();
        return !servers.isEmpty() && servers.stream().allMatch(ServerHealth::healthy);
    }

    /** {@code GET /v1/operator/autopilot/health}: 200 when every server is healthy, else 429 (as Consul). */
    void autopilotHealth(Call call) {
        List<ServerHealth> servers = judge();
        boolean healthy = !servers.isEmpty() && servers.stream().allMatch(ServerHealth::healthy);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ServerHealth s : servers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", s.id());
            m.put("Name", s.name());
            m.put("Address", s.address());
            m.put("SerfStatus", s.serfStatus());
            m.put("Version", version);
            m.put("Leader", s.leader());
            m.put("LastContact", Durations.format(Duration.ofNanos(s.lastContactNanos())));
            m.put("LastTerm", s.lastTerm());
            m.put("LastIndex", s.lastIndex());
            m.put("Healthy", s.healthy());
            m.put("Voter", s.voter());
            m.put("StableSince", s.stableSince().toString());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Healthy", healthy);
        out.put("FailureTolerance", failureTolerance(servers));
        out.put("Servers", list);
        call.jsonBytes(healthy ? 200 : 429, WireJson.write(out));
    }

    /** {@code GET /v1/operator/autopilot/state}: the same judgement in Consul's state shape. */
    void autopilotState(Call call) {
        List<ServerHealth> servers = judge();
        boolean healthy = !servers.isEmpty() && servers.stream().allMatch(ServerHealth::healthy);
        Map<String, Object> byId = new LinkedHashMap<>();
        List<String> voters = new ArrayList<>();
        String leader = "";
        for (ServerHealth s : servers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", s.id());
            m.put("Name", s.name());
            m.put("Address", s.address());
            m.put("NodeStatus", s.serfStatus());
            m.put("Version", version);
            m.put("LastContact", Durations.format(Duration.ofNanos(s.lastContactNanos())));
            m.put("LastTerm", s.lastTerm());
            m.put("LastIndex", s.lastIndex());
            m.put("Healthy", s.healthy());
            m.put("StableSince", s.stableSince().toString());
            m.put("ReadReplica", false);
            m.put("Status", s.leader() ? "leader" : s.voter() ? "voter" : "non-voter");
            m.put("Meta", Map.of());
            m.put("NodeType", "voter");
            byId.put(s.id(), m);
            if (s.voter()) {
                voters.add(s.id());
            }
            if (s.leader()) {
                leader = s.id();
            }
        }
        int tolerance = failureTolerance(servers);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Healthy", healthy);
        out.put("FailureTolerance", tolerance);
        out.put("OptimisticFailureTolerance", Math.max(0, voters.size() - (voters.size() / 2 + 1)));
        out.put("Servers", byId);
        out.put("Leader", leader);
        out.put("Voters", voters);
        call.json(out);
    }

    /**
     * {@code GET /v1/operator/raft/configuration}: as Consul, {@code ID} is the server's node ID (its
     * Raft peer ID), {@code Node} its node name (from the catalog, by ID) and {@code Address} its
     * server address.
     */
    void raftConfiguration(Call call) {
        String leader = replicator.leaderAddress();
        Map<String, String> names = new java.util.HashMap<>();
        for (io.roster.api.Node n : replicator.store().nodes(io.roster.state.WatchSet.NONE).value()) {
            if (n.id() != null && !n.id().isEmpty()) {
                names.put(n.id(), n.node());
            }
        }
        List<Map<String, Object>> servers = new java.util.ArrayList<>();
        for (Map.Entry<String, String> peer : replicator.peerIds().entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("ID", peer.getKey());
            s.put("Node", names.getOrDefault(peer.getKey(), peer.getValue()));
            s.put("Address", peer.getValue());
            s.put("Leader", peer.getValue().equals(leader));
            s.put("Voter", true);
            s.put("ProtocolVersion", "3");
            servers.add(s);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Servers", servers);
        out.put("Index", replicator.configurationIndex());
        call.json(out);
    }

    /** {@code DELETE /v1/operator/raft/peer?address=|?id=}: removes a server from the Raft configuration. */
    void removePeer(Call call) {
        String id = call.param("id");
        String address = call.param("address");
        String target = id != null && !id.isEmpty() ? id : address;
        if (target == null || target.isEmpty()) {
            throw HttpError.badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        replicator.removePeer(target).whenComplete((ok, err) -> {
            if (err == null) {
                call.empty(200);
                return;
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            call.error(500, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        });
    }

    private record KeyRequest(@JsonProperty("Key") String key) {
    }

    /** A server's WAN pool (its keyring is listed and changed with the LAN one's), or null. */
    private io.roster.agent.wan.WanPool wan;

    OperatorEndpoint withWan(io.roster.agent.wan.WanPool w) {
        this.wan = w;
        return this;
    }

    /**
     * {@code GET /v1/operator/keyring}: the keys of the WAN pool (a server's, listed first with
     * {@code WAN: true}, as Consul lists it) and of the LAN pool, and how many members hold each.
     */
    void keyringList(Call call) {
        try {
            List<io.roster.agent.lan.LanPool.KeyringView> views = lan.keyring();
            io.roster.agent.wan.WanPool w = wan;
            if (w != null) {
                List<io.roster.agent.lan.LanPool.KeyringView> both = new java.util.ArrayList<>();
                both.add(w.keyring());
                both.addAll(views);
                views = both;
            }
            call.json(views);
        } catch (GossipException e) {
            call.error(500, e.getMessage()); // "keyring: gossip encryption is not enabled ...", as a change answers
        }
    }

    /** {@code POST /v1/operator/keyring}: installs a key on every member (of the WAN pool too, on a server). */
    void keyringInstall(Call call) {
        keyringChange(call, k -> {
            lan.installKey(k);
            if (wan != null) {
                wan.installKey(k);
            }
        });
    }

    /** {@code PUT /v1/operator/keyring}: makes an installed key the one used to encrypt (WAN too, on a server). */
    void keyringUse(Call call) {
        keyringChange(call, k -> {
            lan.useKey(k);
            if (wan != null) {
                wan.useKey(k);
            }
        });
    }

    /** {@code DELETE /v1/operator/keyring}: removes a key that is not in use (WAN too, on a server). */
    void keyringRemove(Call call) {
        keyringChange(call, k -> {
            lan.removeKey(k);
            if (wan != null) {
                wan.removeKey(k);
            }
        });
    }

    private interface KeyChange {
        void apply(String key) throws GossipException;
    }

    private void keyringChange(Call call, KeyChange change) {
        try {
            KeyRequest r = call.json(KeyRequest.class, 64 * 1024);
            if (r == null || r.key() == null || r.key().isEmpty()) {
                throw HttpError.badRequest("Request decode failed: missing Key");
            }
            change.apply(r.key());
            call.empty(200);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        } catch (GossipException e) {
            call.error(500, e.getMessage());
        }
    }
}
