package io.roster.agent.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.roster.agent.coordinate.CoordinateUpdates;
import io.roster.api.Coordinate;
import io.roster.state.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/coordinate/*}: the datacenters' server coordinates, every node's, one node's, and
 * {@code PUT /v1/coordinate/update} (queued and written in batches, see {@link CoordinateUpdates}).
 */
final class CoordinateEndpoint {
    private static final long MAX_BODY = 64 * 1024;

    private final Store store;
    private final BlockingQuery blocking;
    private final String datacenter;
    private final CoordinateUpdates updates;

    CoordinateEndpoint(Store store, BlockingQuery blocking, String datacenter, CoordinateUpdates updates) {
        this.store = store;
        this.blocking = blocking;
        this.datacenter = datacenter;
        this.updates = updates;
    }

    static Set<String> updateMethods() {
        return Set.of("PUT", "POST");
    }

    /** One datacenter's entry of {@code /v1/coordinate/datacenters} (Consul's {@code DatacenterMap}). */
    @JsonPropertyOrder({"Datacenter", "AreaID", "Coordinates"})
    record DatacenterMap(@JsonProperty("Datacenter") String datacenter, @JsonProperty("AreaID") String areaId,
                         @JsonProperty("Coordinates") List<Coordinate.Entry> coordinates) {
    }

    /** A server's WAN pool (null: a client agent, or {@code ports.serf_wan = -1}). */
    io.roster.agent.wan.WanPool wan;
    /** This server's node name (its WAN member is {@code <node>.<dc>}). */
    String nodeName = "";

    /**
     * Consul's answer: every datacenter of the WAN pool (sorted by name) with the WAN coordinates
     * of its alive servers, named {@code <node>.<dc>}: this server's own from its WAN Vivaldi, the
     * others' as learnt from WAN probes (a server not probed yet has none and is left out). Without
     * a WAN pool, this datacenter with its servers' LAN coordinates under the same names.
     */
    void datacenters(Call call) {
        io.roster.agent.wan.WanPool pool = wan;
        if (pool != null) {
            call.json(wanDatacenters(pool));
            return;
        }
        List<Coordinate.Entry> servers = new ArrayList<>();
        java.util.Set<String> serverNodes = new java.util.HashSet<>();
        store.catalogService(io.roster.state.WatchSet.NONE, "consul").value().forEach(s -> serverNodes.add(s.node()));
        for (Coordinate.Entry e : store.coordinates(io.roster.state.WatchSet.NONE).value()) {
            if (serverNodes.contains(e.node()) && e.segment().isEmpty()) {
                servers.add(new Coordinate.Entry(e.node() + "." + datacenter, "", e.coord()));
            }
        }
        call.json(List.of(new DatacenterMap(datacenter, "wan", servers)));
    }

    private List<DatacenterMap> wanDatacenters(io.roster.agent.wan.WanPool pool) {
        String self = io.roster.agent.wan.WanPool.memberName(nodeName, datacenter);
        java.util.Map<String, io.roster.gossip.coordinate.Coordinate> peers = pool.peerCoordinates();
        java.util.TreeMap<String, List<Coordinate.Entry>> byDc = new java.util.TreeMap<>();
        byDc.put(datacenter, new ArrayList<>());
        for (io.roster.gossip.Member m : pool.members()) {
            String dc = m.tags().get("dc");
            if (dc == null || dc.isEmpty() || m.status() != 1) {
                continue;
            }
            List<Coordinate.Entry> list = byDc.computeIfAbsent(dc, d -> new ArrayList<>());
            io.roster.gossip.coordinate.Coordinate c = m.name().equals(self) ? pool.coordinate() : peers.get(m.name());
            if (c != null) {
                list.add(new Coordinate.Entry(m.name(), "", wire(c)));
            }
        }
        List<DatacenterMap> out = new ArrayList<>();
        byDc.forEach((dc, list) -> {
            list.sort(java.util.Comparator.comparing(Coordinate.Entry::node));
            out.add(new DatacenterMap(dc, "wan", list));
        });
        return out;
    }

    private static Coordinate wire(io.roster.gossip.coordinate.Coordinate c) {
        List<Double> vec = new ArrayList<>();
        for (double d : c.vec()) {
            vec.add(d);
        }
        return new Coordinate(vec, c.error(), c.adjustment(), c.height());
    }

    void nodes(Call call) {
        String segment = call.param("segment");
        blocking.serve(call, store::coordinates, (c, r) -> {
            c.meta(r.index());
            List<io.roster.api.Coordinate.Entry> all = AclFilter.list(c, r.value(), "node", "read", io.roster.api.Coordinate.Entry::node);
            c.json(segment == null ? all : all.stream().filter(e -> e.segment().equals(segment)).toList());
        });
    }

    void node(Call call) {
        String node = call.rest();
        if (node.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        String segment = call.param("segment");
        blocking.serve(call, ws -> store.coordinatesOf(ws, node), (c, r) -> {
            c.meta(r.index());
            List<Coordinate.Entry> out = segment == null ? r.value()
                    : r.value().stream().filter(e -> e.segment().equals(segment)).toList();
            if (out.isEmpty()) {
                c.empty(404); // as Consul: a node without a coordinate is 404 with no body
            } else {
                c.json(out);
            }
        });
    }

    void update(Call call) {
        Coordinate.Entry e = call.json(Coordinate.Entry.class, MAX_BODY);
        if (e == null) {
            throw HttpError.badRequest("Request decode failed: EOF");
        }
        String err = updates.offer(e);
        if (err != null) {
            throw new HttpError(500, err);
        }
        call.empty(200);
    }
}
