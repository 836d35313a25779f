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

    /**
     * Consul answers the servers' WAN coordinates; Roster has no WAN pool yet, so it answers this
     * datacenter with its servers' LAN coordinates, named {@code <node>.<dc>} as Consul names WAN members.
     */
    void datacenters(Call call) {
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
