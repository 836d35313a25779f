package io.roster.agent.wan;

import io.roster.agent.client.ServerList;
import io.roster.agent.rpc.RpcClient;
import io.roster.agent.rpc.RpcProtocol;
import io.roster.gossip.Member;
import io.roster.gossip.coordinate.Coordinate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A server's way to the other datacenters: for each datacenter seen in the WAN pool, the list of
 * its alive servers (their WAN address and server port) and one {@link RpcClient} over it, the
 * same server RPC a client agent uses to reach its own servers. Requests go as they came (path,
 * query, {@code X-Consul-Token}, body) and the remote server answers them with its own route
 * table, blocking queries included (the remote blocks; nothing is parked here).
 *
 * <p>A datacenter with no alive server in the WAN pool has no path: callers answer Consul's
 * {@code No path to datacenter} at once. A server that does not answer costs at most the RPC's
 * connect timeout (or, over a connection already open, {@link #ANSWER_WITHIN} beyond a blocking
 * query's wait) before the next one is tried, and is then skipped for its backoff, so a cut WAN
 * link fails calls within seconds, not minutes; for {@link #NO_PATH_HOLD} after such a failure the
 * datacenter answers no path at once.
 */
public final class WanRouter implements AutoCloseable {
    /** What another datacenter's server has to answer a request in (beyond a blocking query's wait). */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    /** Opening a connection to another datacenter's server. */
    static final Duration CONNECT_WITHIN = Duration.ofSeconds(2);
    /** After no server of a datacenter could be reached, requests to it answer No path at once for this long. */
    static final Duration NO_PATH_HOLD = Duration.ofSeconds(5);
    /** Per datacenter: until when (System.nanoTime) it is held as having no path. */
    private final Map<String, Long> noPathUntil = new java.util.concurrent.ConcurrentHashMap<>();
    private final WanPool pool;
    private final String datacenter;
    private final io.roster.agent.tls.TlsContext tls;
    private final io.roster.agent.tls.TlsSettings.Side side;
    private final Map<String, Remote> remotes = new HashMap<>();
    private volatile boolean closed;

    private record Remote(ServerList servers, RpcClient rpc) {
    }

    /** @param tls the server port's TLS ({@code tls.internal_rpc}), or null when it is plaintext */
    public WanRouter(WanPool pool, String datacenter, io.roster.agent.tls.TlsContext tls,
                     io.roster.agent.tls.TlsSettings.Side side) {
        this.pool = pool;
        this.datacenter = datacenter;
        this.tls = tls;
        this.side = side;
    }

    /** The WAN pool this router follows. */
    public WanPool pool() {
        return pool;
    }

    /** This server's datacenter. */
    public String datacenter() {
        return datacenter;
    }

    /** Whether {@code dc} has an alive server in the WAN pool now. */
    public boolean reachable(String dc) {
        return !remote(dc).servers().servers().isEmpty();
    }

    private synchronized Remote remote(String dc) {
        if (closed) {
            throw new IllegalStateException("agent stopping");
        }
        return remotes.computeIfAbsent(dc, d -> {
            ServerList servers = new ServerList(pool::members, d);
            RpcClient rpc = (tls == null ? new RpcClient(servers) : new RpcClient(servers, tls, side)).connectTimeout(CONNECT_WITHIN);
            return new Remote(servers, rpc);
        });
    }

    /**
     * Forwards a request to a server of {@code dc}; null when the datacenter has no alive server
     * (the caller answers {@code No path to datacenter}).
     */
    public RpcClient.Pending<RpcProtocol.HttpResponse> forward(String dc, RpcProtocol.HttpRequest request, boolean read) {
        Remote r = remote(dc);
        if (r.servers().servers().isEmpty() || heldNoPath(dc)) {
            return null;
        }
        RpcClient.Pending<RpcProtocol.HttpResponse> p = r.rpc().forward(request, read, deadlineMillis(request.pathQuery()));
        p.future().whenComplete((ok, err) -> {
            if (err == null) {
                noPathUntil.remove(dc);
            } else {
                Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                if (c instanceof RpcClient.RpcException re && !re.reached() && !"cancelled".equals(re.getMessage())) {
                    noPathUntil.put(dc, System.nanoTime() + NO_PATH_HOLD.toNanos());
                }
            }
        });
        return p;
    }

    /**
     * Whether {@code dc} is held as having no path: no server of it could be reached moments ago
     * (a WAN link cut before gossip noticed), so callers get the answer at once rather than after
     * more connect timeouts; the hold ends after {@link #NO_PATH_HOLD} or at the first success.
     */
    private boolean heldNoPath(String dc) {
        Long until = noPathUntil.get(dc);
        return until != null && System.nanoTime() - until < 0;
    }

    /** How long a server of another datacenter may take: 10 s, plus the {@code wait} (and its jitter) of a blocking query. */
    static long deadlineMillis(String pathQuery) {
        long base = ANSWER_WITHIN.toMillis();
        int q = pathQuery.indexOf('?');
        if (q < 0) {
            return base;
        }
        boolean blocking = false;
        long waitMs = Duration.ofMinutes(5).toMillis();
        for (String kv : pathQuery.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            if (k.equals("index")) {
                blocking = true;
            } else if (k.equals("wait") && !v.isEmpty()) {
                try {
                    waitMs = io.roster.api.Durations.parse(v).toMillis();
                } catch (IllegalArgumentException e) {
                    // the remote answers the bad wait itself
                }
            }
        }
        if (!blocking) {
            return base;
        }
        waitMs = Math.min(Math.max(waitMs, 0), Duration.ofMinutes(10).toMillis());
        return waitMs + waitMs / 16 + base;
    }

    /**
     * Asks a server of {@code dc} (the primary datacenter) to resolve an ACL secret, as a client
     * agent asks its own servers: its effective rules, null when unknown there;
     * {@link io.roster.agent.acl.TokenCache.Unreachable} when no server of it answered.
     */
    public io.roster.agent.acl.TokenCache.Effective resolveToken(String dc, String secret, Duration timeout) {
        Remote r = remote(dc);
        if (r.servers().servers().isEmpty() || heldNoPath(dc)) {
            throw new io.roster.agent.acl.TokenCache.Unreachable("No path to datacenter");
        }
        return r.rpc().resolveToken(secret, timeout);
    }

    /** Asks a server of {@code dc} a DNS question; null when none answered within {@code timeout}. Blocking. */
    public byte[] dns(String dc, byte[] query, boolean tcp, Duration timeout) {
        Remote r = remote(dc);
        if (r.servers().servers().isEmpty()) {
            return null;
        }
        return r.rpc().dns(query, tcp, timeout);
    }

    /**
     * Every datacenter known, this one first, then the others nearest first: by the median
     * estimated round trip from this server's WAN coordinate to the coordinates of that
     * datacenter's servers, then by name (a datacenter with no coordinate yet sorts after those
     * with one). Consul sorts its own datacenter by the same median, which puts it first on any
     * real WAN; Roster pins it first, so servers sharing one network (tests) cannot order it
     * behind another by coordinate noise.
     */
    public List<String> datacentersByDistance() {
        Map<String, List<Double>> rtts = new HashMap<>();
        TreeSet<String> names = new TreeSet<>();
        names.add(datacenter);
        Coordinate self = pool.coordinate();
        Map<String, Coordinate> peers = pool.peerCoordinates();
        for (Member m : pool.members()) {
            String dc = m.tags().get("dc");
            if (dc == null || dc.isEmpty() || m.status() != 1 || dc.equals(datacenter)) {
                continue;
            }
            names.add(dc);
            Coordinate c = peers.get(m.name());
            if (self != null && c != null && self.compatibleWith(c)) {
                rtts.computeIfAbsent(dc, k -> new ArrayList<>()).add(self.distanceTo(c));
            }
        }
        // This datacenter first, at distance 0.
        rtts.put(datacenter, new ArrayList<>(List.of(-1.0)));
        Map<String, Double> median = new HashMap<>();
        for (Map.Entry<String, List<Double>> e : rtts.entrySet()) {
            List<Double> v = e.getValue();
            v.sort(null);
            median.put(e.getKey(), v.get(v.size() / 2));
        }
        List<String> out = new ArrayList<>(names);
        out.sort(Comparator.<String>comparingDouble(d -> median.getOrDefault(d, Double.MAX_VALUE))
                .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** Estimated round trip in seconds from this server to the nearest server of {@code dc}; MAX_VALUE when unknown. */
    public double rttTo(String dc) {
        if (dc.equals(datacenter)) {
            return 0;
        }
        Coordinate self = pool.coordinate();
        Map<String, Coordinate> peers = pool.peerCoordinates();
        double best = Double.MAX_VALUE;
        for (Member m : pool.members()) {
            Coordinate c = peers.get(m.name());
            if (m.status() == 1 && dc.equals(m.tags().get("dc")) && self != null && c != null && self.compatibleWith(c)) {
                best = Math.min(best, self.distanceTo(c));
            }
        }
        return best;
    }

    @Override
    public synchronized void close() {
        closed = true;
        remotes.values().forEach(r -> r.rpc().close());
        remotes.clear();
    }
}
