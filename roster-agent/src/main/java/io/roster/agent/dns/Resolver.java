package io.roster.agent.dns;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.api.ServiceEntry;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Answers questions about names under the DNS domain (and reverse names) from the catalog: which
 * records, in which order, with which TTLs, and the SOA that goes with negative answers. It reads
 * the {@link Store} and nothing else; it knows nothing of sockets, sizes or truncation
 * ({@link Responses} does that).
 */
final class Resolver {
    static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
    static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

    private final Store store;
    private final String datacenter;
    private final DnsConfig config;
    private final Supplier<RandomGenerator> random;
    private final ReadCache cache;

    Resolver(Store store, String datacenter, DnsConfig config, Supplier<RandomGenerator> random) {
        this.store = store;
        this.datacenter = datacenter.toLowerCase(Locale.ROOT);
        this.config = config;
        this.random = random;
        this.cache = new ReadCache(store);
        // Filters were checked against Consul's field set when the query was stored (HTTP).
        this.queries = new io.roster.agent.query.PreparedQueries(null, store, io.roster.agent.filter.Schema.ANY,
                e -> io.roster.api.Json.mapper().valueToTree(e));
    }

    /**
     * The datacenter of the agent that took the question when that agent has
     * {@code translate_wan_addrs} on (null: no translation): records about nodes and services of
     * any other datacenter carry their {@code wan}, {@code wan_ipv4}, {@code wan_ipv6} tagged
     * addresses (Consul's {@code TranslateAddress}). Bound to the answering thread.
     */
    private static final ThreadLocal<String> ASKER_DC = new ThreadLocal<>();

    /** Answers with WAN address translation for {@code askerDatacenter} (null: none). */
    static <T> T askedFrom(String askerDatacenter, Supplier<T> answer) {
        if (askerDatacenter == null) {
            return answer.get();
        }
        String before = ASKER_DC.get();
        ASKER_DC.set(askerDatacenter);
        try {
            return answer.get();
        } finally {
            if (before == null) {
                ASKER_DC.remove();
            } else {
                ASKER_DC.set(before);
            }
        }
    }

    /** Whether records about {@code dc}'s nodes get WAN addresses for this question. */
    private boolean wan(String dc) {
        String asker = ASKER_DC.get();
        String of = dc == null || dc.isEmpty() ? datacenter : dc;
        return asker != null && !asker.equalsIgnoreCase(of);
    }

    /** {@code <query>.query} fails over to other datacenters through {@code f} (null: never). */
    void failover(io.roster.agent.query.PreparedQueries.Failover f) {
        queries.withFailover(f);
    }

    /** With ACLs on: the resolver of this agent's tokens; DNS answers as the agent's default token (Consul). */
    private volatile io.roster.agent.acl.AclResolver acl;

    void acl(io.roster.agent.acl.AclResolver r) {
        this.acl = r;
    }

    /** What the default token (none: anonymous) may read; an unknown default token may read nothing. */
    private io.roster.agent.acl.Authorizer authz() {
        io.roster.agent.acl.AclResolver r = acl;
        if (r == null || !r.enabled()) {
            return io.roster.agent.acl.Authorizer.MANAGE;
        }
        try {
            return r.resolve(AskerToken.current()).authz(); // "": the agent's default token
        } catch (io.roster.agent.acl.AclError e) {
            return io.roster.agent.acl.Authorizer.of(List.of(), false);
        }
    }

    /** Answers {@code qname} (a name at or under {@code zone}, the domain or the alt domain). */
    Reply resolve(Name qname, int qtype, Name zone) {
        return resolve(qname, qtype, zone, Integer.MAX_VALUE);
    }

    /**
     * The same with at most {@code maxAnswers} answer records: what the reply can carry (the UDP
     * answer limit, or what fits its size), plus one so that {@link Responses} sees there were more and
     * sets TC. A service's instances are drawn in random order until that many answers are built, so
     * an answer costs what it returns, not the service's size.
     */
    Reply resolve(Name qname, int qtype, Name zone, int maxAnswers) {
        return resolve(qname, qtype, zone, 1, Math.max(1, maxAnswers));
    }

    /** Instances looked at to build answers so far (what a test compares with the answers' size). */
    long instancesLooked() {
        return instancesLooked.sum();
    }

    private final java.util.concurrent.atomic.LongAdder instancesLooked = new java.util.concurrent.atomic.LongAdder();

    /** {@code depth}: how many CNAMEs into the domain may still be followed (Consul follows them too). */
    private Reply resolve(Name qname, int qtype, Name zone, int depth, int cap) {
        int n = qname.labels() - zone.labels();
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            labels.add(qname.getLabelString(i).toLowerCase(Locale.ROOT));
        }
        QueryName q = QueryName.parse(labels);
        if (q.datacenter() != null && !q.datacenter().equals(datacenter)) {
            return nxdomain(zone); // no WAN federation yet: other datacenters are unknown
        }
        return switch (q.kind()) {
            case APEX -> apex(qtype, zone);
            case SERVICE -> service(qname, qtype, zone, q.service(), q.tag(), depth, cap);
            case NODE -> node(qname, qtype, zone, q.node());
            case ADDR -> addr(qname, qtype, zone, q.addr());
            case QUERY -> query(qname, qtype, zone, q.query(), depth, cap);
            case UNSUPPORTED, INVALID -> nxdomain(zone);
        };
    }

    // ------------------------------------------------------------------ prepared queries

    /** The node {@code Near: _agent} means: this agent's. */
    private volatile String agentNode = "";
    private final io.roster.agent.query.PreparedQueries queries;

    void agentNode(String node) {
        this.agentNode = node == null ? "" : node;
    }

    /**
     * {@code <query>.query[.<dc>].<domain>}: the query executed as {@code /v1/query/<query>/execute}
     * would, answered like a service lookup, with the query's {@code DNS.TTL} when it has one.
     * No such query, or no healthy instance, is NXDOMAIN (as Consul).
     */
    private Reply query(Name qname, int qtype, Name zone, String idOrName, int depth, int cap) {
        io.roster.agent.query.PreparedQueries.Result r;
        try {
            r = queries.execute(idOrName, agentNode, null, null, 0, datacenter);
        } catch (io.roster.agent.query.PreparedQueries.QueryError e) {
            return e.status() == 404 ? nxdomain(zone) : Reply.error(Rcode.SERVFAIL, List.of());
        }
        if (r.nodes().isEmpty()) {
            return nxdomain(zone);
        }
        long ttl = config.serviceTtlSeconds(r.service());
        if (!r.dns().ttl().isEmpty()) {
            try {
                ttl = io.roster.api.Durations.parse(r.dns().ttl()).toSeconds();
            } catch (IllegalArgumentException e) {
                // Checked when the query was stored; a template may render a bad one: keep the default.
            }
        }
        return records(qname, qtype, zone, r.nodes(), null, ttl, depth, cap);
    }

    // ------------------------------------------------------------------ the domain itself

    private Reply apex(int qtype, Name zone) {
        List<Record> answers = new ArrayList<>();
        List<List<Record>> extras = new ArrayList<>();
        if (qtype == Type.SOA || qtype == Type.ANY) {
            answers.add(soa(zone));
            extras.add(List.of());
        }
        if (qtype == Type.NS || qtype == Type.ANY) {
            List<ServiceEntry> servers = cache.service("consul", this::healthy);
            for (ServiceEntry e : servers == null ? List.<ServiceEntry>of() : servers) {
                Name ns = nodeName(e.node().node(), zone);
                if (ns == null) {
                    continue;
                }
                NSRecord rec = new NSRecord(zone, DClass.IN, config.nodeTtlSeconds(), ns);
                if (!answers.contains(rec)) {
                    answers.add(rec);
                    extras.add(addressRecords(ns, e.node().address(), e.node().taggedAddresses(), Type.ANY,
                            config.nodeTtlSeconds(), false, wan(e.node().datacenter())));
                }
            }
        }
        return answers.isEmpty() ? nodata(zone) : Reply.of(answers, extras);
    }

    // ------------------------------------------------------------------ services

    /** A service's healthy instances (with the tag, if one was asked) and their DNS weights. */
    private record Live(List<ServiceEntry> entries, RandomOrder.Pool pool) {
    }

    private Live live(List<ServiceEntry> entries) {
        int[] w = new int[entries.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.clamp(weight(entries.get(i)), 0, 65535);
        }
        return new Live(entries, RandomOrder.Pool.of(w));
    }

    private Reply service(Name qname, int qtype, Name zone, String name, String tag, int depth, int cap) {
        io.roster.agent.acl.Authorizer authz = authz();
        if (!authz.allowed("service", name, "read")) {
            return nxdomain(zone); // as Consul: what the token may not read is not there
        }
        // Healthy instances and their weights: computed once per store index, name and tag.
        Live live = cache.service(name, tag == null ? "live" : "live:" + tag.toLowerCase(Locale.ROOT), all -> {
            List<ServiceEntry> ok = healthy(all);
            return live(List.copyOf(tag == null ? ok : withTag(ok, tag)));
        });
        if (live == null) {
            return nxdomain(zone);
        }
        if (!authz.isManagement()) {
            live = live(live.entries().stream().filter(e -> authz.allowed("node", e.node().node(), "read")).toList());
        }
        if (live.entries().isEmpty()) {
            return nxdomain(zone); // as Consul: a service with no healthy instance is not found
        }
        long ttl = config.serviceTtlSeconds(live.entries().get(0).service().service());
        return records(qname, qtype, zone, live.entries(), new RandomOrder(live.pool(), random.get()), ttl, depth, cap);
    }

    /**
     * The answer for instances in {@code order} (null: as listed): SRV with their targets, or their
     * addresses; at most {@code cap} answers, looking at instances only until it has them.
     */
    private Reply records(Name qname, int qtype, Name zone, List<ServiceEntry> entries, RandomOrder order, long ttl,
                          int depth, int cap) {
        int[] at = {0};
        java.util.function.Supplier<ServiceEntry> next = () -> {
            int i = order == null ? (at[0] < entries.size() ? at[0]++ : -1) : order.next();
            if (i < 0) {
                return null;
            }
            instancesLooked.increment();
            return entries.get(i);
        };
        List<Record> answers = new ArrayList<>();
        List<List<Record>> extras = new ArrayList<>();
        if (qtype == Type.SRV) {
            Set<String> seen = new HashSet<>();
            Map<String, List<Record>> extraByTarget = new HashMap<>();
            for (ServiceEntry e; answers.size() < cap && (e = next.get()) != null; ) {
                srv(qname, zone, e, ttl, answers, extras, seen, extraByTarget);
            }
        } else if (qtype == Type.A || qtype == Type.AAAA || qtype == Type.ANY) {
            Set<String> seen = new HashSet<>();
            int limit = Math.min(cap, config.aRecordLimit() > 0 ? config.aRecordLimit() : Integer.MAX_VALUE);
            Record cname = null;
            for (ServiceEntry e; answers.size() < limit && (e = next.get()) != null; ) {
                NodeService s = e.service();
                boolean wan = wan(e.node().datacenter());
                boolean own = !serviceAddress(s, wan).isEmpty();
                List<Record> recs = addressRecords(qname, own ? s.address() : e.node().address(),
                        own ? serviceTagged(s) : e.node().taggedAddresses(), qtype, ttl, true, wan);
                for (Record r : recs) {
                    if (r.getType() == Type.CNAME) {
                        cname = cname == null ? r : cname; // a name has one CNAME at most: the first
                    } else if (answers.size() < limit && seen.add(r.getType() + " " + r.rdataToString())) {
                        // Duplicates (two instances on one address) are left out, as Consul does.
                        answers.add(r);
                        extras.add(List.of());
                    }
                }
            }
            // Addresses win over host names; only with none is the CNAME the answer (as Consul).
            if (answers.isEmpty() && cname != null) {
                answers.add(cname);
                extras.add(List.of());
                Name target = ((CNAMERecord) cname).getTarget();
                if (depth > 0 && target.subdomain(zone)) {
                    Reply chased = resolve(target, qtype, zone, depth - 1, cap);
                    if (chased.rcode() == Rcode.NOERROR) {
                        for (Record r : chased.answers()) {
                            answers.add(r);
                            extras.add(List.of());
                        }
                    }
                }
            }
        }
        return answers.isEmpty() ? nodata(zone) : Reply.of(answers, extras);
    }

    private void srv(Name qname, Name zone, ServiceEntry e, long ttl, List<Record> answers, List<List<Record>> extras,
                     Set<String> seen, Map<String, List<Record>> extraByTarget) {
        NodeService s = e.service();
        Node node = e.node();
        boolean wan = wan(node.datacenter());
        Name target;
        List<Record> extra;
        String serviceAddress = serviceAddress(s, wan);
        byte[] serviceIp = ipBytes(serviceAddress);
        if (serviceAddress.isEmpty() || serviceIp != null && Arrays.equals(serviceIp, ipBytes(nodeAddress(node, wan)))) {
            // No address of its own (or the node's): the target is the node, as Consul names it.
            target = nodeName(node.node(), zone);
            if (target == null) {
                return;
            }
            // One list per target, so that Responses writes a node's records once however many instances it has.
            extra = extraByTarget.computeIfAbsent("n:" + node.node(), k -> {
                List<Record> x = new ArrayList<>(addressRecords(target, node.address(), node.taggedAddresses(), Type.ANY,
                        ttl, true, wan));
                if (config.nodeMetaTxt()) {
                    x.addAll(metaTxt(target, node.meta(), ttl));
                }
                return x;
            });
        } else {
            byte[] ip = serviceIp;
            if (ip != null) {
                target = cache.name(HexFormat.of().formatHex(ip) + ".addr." + datacenter, zone);
                Name t = target;
                extra = t == null ? List.of()
                        : extraByTarget.computeIfAbsent("a:" + t, k -> List.of(addressRecord(t, ip, ttl)));
            } else {
                target = absolute(serviceAddress); // a host name: the client resolves it
                extra = List.of();
            }
            if (target == null) {
                return;
            }
        }
        int weight = Math.clamp(weight(e), 0, 65535);
        int port = s.port();
        io.roster.api.ServiceDefinition.ServiceAddress wanTagged = wan ? s.taggedAddresses().get("wan") : null;
        if (wanTagged != null && wanTagged.port() != 0) {
            port = wanTagged.port(); // Consul's TranslateServicePort
        }
        if (seen.add(target + " " + port)) {
            answers.add(new SRVRecord(qname, DClass.IN, ttl, 1, weight, port, target));
            extras.add(extra);
        }
    }

    /** Instances that are not critical (and not warning, with {@code only_passing}). */
    private List<ServiceEntry> healthy(List<ServiceEntry> entries) {
        List<ServiceEntry> out = new ArrayList<>(entries.size());
        for (ServiceEntry e : entries) {
            String status = status(e.checks());
            if (status.equals(HealthCheck.CRITICAL) || status.equals(HealthCheck.WARNING) && config.onlyPassing()) {
                continue;
            }
            out.add(e);
        }
        return out;
    }

    /** Instances with the tag, compared case-insensitively. */
    private static List<ServiceEntry> withTag(List<ServiceEntry> entries, String tag) {
        List<ServiceEntry> out = new ArrayList<>(entries.size());
        for (ServiceEntry e : entries) {
            for (String t : e.service().tags()) {
                if (t.equalsIgnoreCase(tag)) {
                    out.add(e);
                    break;
                }
            }
        }
        return out;
    }

    /** The worst status of the node's checks and the instance's own (maintenance counts as critical). */
    static String status(List<HealthCheck> checks) {
        return HealthCheck.aggregate(checks);
    }

    /** The instance's DNS weight: {@code Weights.Passing} or {@code Weights.Warning} by its health. */
    private static int weight(ServiceEntry e) {
        ServiceDefinition.Weights w = e.service().weights();
        return status(e.checks()).equals(HealthCheck.WARNING) ? w.warning() : w.passing();
    }

    /*
     * The order of a service's answers (RandomOrder): an instance of weight w comes first with
     * probability w / (sum of weights), and so on down the list (Efraimidis-Spirakis). Equal weights give
     * a uniform shuffle; weight 0 sorts after every positive weight. Consul shuffles uniformly and
     * ignores weights; clients that take the first address, or that get a truncated list, then spread
     * their load by the weights.
     */

    /** A node's address as Consul's {@code TranslateAddress} gives it for an address query of no family: {@code wan} when translating. */
    private static String nodeAddress(Node n, boolean wan) {
        String w = wan ? n.taggedAddresses().getOrDefault("wan", "") : "";
        return w.isEmpty() ? n.address() : w;
    }

    /** A service's own address ({@code ""}: none, the node's applies); its {@code wan} tagged address when translating. */
    private static String serviceAddress(NodeService s, boolean wan) {
        if (wan) {
            io.roster.api.ServiceDefinition.ServiceAddress w = s.taggedAddresses().get("wan");
            if (w != null && !w.address().isEmpty()) {
                return w.address();
            }
        }
        return s.address();
    }

    private static Map<String, String> serviceTagged(NodeService s) {
        if (s.taggedAddresses().isEmpty()) {
            return Map.of();
        }
        Map<String, String> m = new TreeMap<>();
        s.taggedAddresses().forEach((k, v) -> m.put(k, v.address()));
        return m;
    }

    // ------------------------------------------------------------------ nodes and addresses

    private Reply node(Name qname, int qtype, Name zone, String name) {
        if (!authz().allowed("node", name, "read")) {
            return nxdomain(zone);
        }
        Store.NodeInfo info = nodeInfo(name);
        if (info == null) {
            return nxdomain(zone);
        }
        Node node = info.node();
        long ttl = config.nodeTtlSeconds();
        List<Record> answers = new ArrayList<>();
        List<List<Record>> extras = new ArrayList<>();
        if (qtype == Type.A || qtype == Type.AAAA || qtype == Type.ANY) {
            List<Record> meta = config.nodeMetaTxt() && qtype != Type.ANY ? metaTxt(qname, node.meta(), ttl) : List.of();
            for (Record r : addressRecords(qname, node.address(), node.taggedAddresses(), qtype, ttl, true, wan(node.datacenter()))) {
                answers.add(r);
                extras.add(meta);
            }
        }
        if (qtype == Type.TXT || qtype == Type.ANY) {
            for (Record r : metaTxt(qname, node.meta(), ttl)) {
                answers.add(r);
                extras.add(List.of());
            }
        }
        return answers.isEmpty() ? nodata(zone) : Reply.of(answers, extras);
    }

    private Store.NodeInfo nodeInfo(String name) {
        return cache.node(name);
    }

    private Reply addr(Name qname, int qtype, Name zone, String hex) {
        byte[] ip;
        try {
            ip = hex.length() == 8 || hex.length() == 32 ? HexFormat.of().parseHex(hex) : null;
        } catch (IllegalArgumentException e) {
            ip = null;
        }
        if (ip == null) {
            return nxdomain(zone);
        }
        boolean v4 = ip.length == 4;
        if (qtype == Type.ANY || qtype == (v4 ? Type.A : Type.AAAA)) {
            return Reply.of(List.of(addressRecord(qname, ip, config.nodeTtlSeconds())), List.of(List.of()));
        }
        return nodata(zone);
    }

    // ------------------------------------------------------------------ reverse lookups

    /**
     * PTR answers for an {@code in-addr.arpa.} or {@code ip6.arpa.} name that is the address of a
     * catalog node ({@code <node>.node.<dc>.<domain>}) or of a service instance
     * ({@code <service>.service.<dc>.<domain>}); null when no node or instance has that address, so
     * the caller may ask a recursor.
     */
    Reply reverse(Name qname, int qtype, Name zone) {
        byte[] ip = reverseAddress(qname);
        if (ip == null) {
            return null;
        }
        InetAddress wanted;
        try {
            wanted = InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            return null;
        }
        Set<Name> targets = new LinkedHashSet<>();
        List<Long> ttls = new ArrayList<>();
        for (Node n : store.nodes(WatchSet.NONE).value()) {
            if (sameAddress(n.address(), wanted)) {
                Name t = nodeName(n.node(), zone);
                if (t != null && targets.add(t)) {
                    ttls.add(config.nodeTtlSeconds());
                }
            }
        }
        for (String svc : store.serviceNames(WatchSet.NONE).value().keySet()) {
            for (io.roster.api.CatalogService cs : store.catalogService(WatchSet.NONE, svc).value()) {
                if (!cs.serviceAddress().isEmpty() && sameAddress(cs.serviceAddress(), wanted)) {
                    Name t = name(svc + ".service." + datacenter, zone);
                    if (t != null && targets.add(t)) {
                        ttls.add(config.serviceTtlSeconds(svc));
                    }
                }
            }
        }
        if (targets.isEmpty()) {
            return null;
        }
        if (qtype != Type.PTR && qtype != Type.ANY) {
            return Reply.of(List.of(), List.of());
        }
        List<Record> answers = new ArrayList<>();
        List<List<Record>> extras = new ArrayList<>();
        int i = 0;
        for (Name t : targets) {
            answers.add(new PTRRecord(qname, DClass.IN, ttls.get(i++), t));
            extras.add(List.of());
        }
        return Reply.of(answers, extras);
    }

    /** The address a reverse name stands for, or null when it is not a complete one. */
    static byte[] reverseAddress(Name qname) {
        if (qname.subdomain(IN_ADDR_ARPA)) {
            int n = qname.labels() - IN_ADDR_ARPA.labels();
            if (n != 4) {
                return null;
            }
            byte[] ip = new byte[4];
            for (int i = 0; i < 4; i++) {
                String l = qname.getLabelString(i);
                if (!l.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(l) > 255) {
                    return null;
                }
                ip[3 - i] = (byte) Integer.parseInt(l);
            }
            return ip;
        }
        if (qname.subdomain(IP6_ARPA)) {
            int n = qname.labels() - IP6_ARPA.labels();
            if (n != 32) {
                return null;
            }
            byte[] ip = new byte[16];
            for (int i = 0; i < 32; i++) {
                String l = qname.getLabelString(i);
                int d = l.length() == 1 ? Character.digit(l.charAt(0), 16) : -1;
                if (d < 0) {
                    return null;
                }
                int nibble = 31 - i; // the first label is the last nibble
                ip[nibble / 2] |= (byte) (nibble % 2 == 0 ? d << 4 : d);
            }
            return ip;
        }
        return null;
    }

    private static boolean sameAddress(String address, InetAddress wanted) {
        byte[] ip = ipBytes(address);
        return ip != null && Arrays.equals(ip, wanted.getAddress());
    }

    // ------------------------------------------------------------------ records

    /**
     * The A and/or AAAA records for an address as {@code qtype} asks, as Consul's
     * {@code TranslateAddress} picks it: for A the {@code lan_ipv4} tagged address when there is
     * one, for AAAA {@code lan_ipv6}, else the address ({@code ANY}: the address, whichever family
     * it is); with {@code wan} (an answer about another datacenter for an agent with
     * {@code translate_wan_addrs}) {@code wan_ipv4}, {@code wan_ipv6} and {@code wan} instead where set. A
     * CNAME when the address is a host name (only if {@code cname}).
     */
    private static List<Record> addressRecords(Name owner, String address, Map<String, String> tagged, int qtype,
                                               long ttl, boolean cname, boolean wan) {
        List<Record> out = new ArrayList<>(1);
        String def = address;
        if (wan && !tagged.getOrDefault("wan", "").isEmpty()) {
            def = tagged.get("wan");
        }
        // Consul: the wan_ forms replace the lan_ ones only where they are set.
        byte[] v4 = ipBytes(wan && tagged.containsKey("wan_ipv4") ? tagged.get("wan_ipv4") : tagged.getOrDefault("lan_ipv4", ""));
        byte[] v6 = ipBytes(wan && tagged.containsKey("wan_ipv6") ? tagged.get("wan_ipv6") : tagged.getOrDefault("lan_ipv6", ""));
        if (qtype == Type.A && v4 != null && v4.length == 4) {
            out.add(addressRecord(owner, v4, ttl));
            return out;
        }
        if (qtype == Type.AAAA && v6 != null && v6.length == 16) {
            out.add(addressRecord(owner, v6, ttl));
            return out;
        }
        byte[] ip = ipBytes(def);
        if (ip == null) {
            if (cname && !def.isEmpty()) {
                Name target = absolute(def);
                if (target != null) {
                    out.add(new CNAMERecord(owner, DClass.IN, ttl, target));
                }
            }
            return out;
        }
        boolean wantV4 = qtype == Type.A || qtype == Type.ANY;
        boolean wantV6 = qtype == Type.AAAA || qtype == Type.ANY;
        if (ip.length == 4 ? wantV4 : wantV6) {
            out.add(addressRecord(owner, ip, ttl));
        }
        return out;
    }

    private static Record addressRecord(Name owner, byte[] ip, long ttl) {
        return ip.length == 4 ? new ARecord(owner, DClass.IN, ttl, ip) : new AAAARecord(owner, DClass.IN, ttl, ip);
    }

    /**
     * Node metadata as TXT records, one per key in key order: {@code key=value} encoded as RFC 1464 says
     * (a backquote escapes {@code `}, {@code =} and leading or trailing spaces of the key), or the value
     * alone for keys starting with {@code rfc1035-}. Long texts are split into 255-byte
     * character-strings of one record.
     */
    private static List<Record> metaTxt(Name owner, Map<String, String> meta, long ttl) {
        if (meta.isEmpty()) {
            return List.of();
        }
        List<Record> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(meta).entrySet()) {
            String k = e.getKey();
            String text = k.toLowerCase(Locale.ROOT).startsWith("rfc1035-") ? e.getValue() : rfc1464(k, e.getValue());
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream rdata = new ByteArrayOutputStream(b.length + 2);
            int off = 0;
            do {
                int len = Math.min(255, b.length - off);
                rdata.write(len);
                rdata.write(b, off, len);
                off += len;
            } while (off < b.length);
            out.add(Record.newRecord(owner, Type.TXT, DClass.IN, ttl, rdata.toByteArray()));
        }
        return out;
    }

    static String rfc1464(String key, String value) {
        String k = key.replace("`", "``").replace("=", "`=");
        int lead = 0;
        while (lead < k.length() && k.charAt(lead) == ' ') {
            lead++;
        }
        int trail = 0;
        while (trail < k.length() - lead && k.charAt(k.length() - 1 - trail) == ' ') {
            trail++;
        }
        k = "` ".repeat(lead) + k.substring(lead, k.length() - trail) + "` ".repeat(trail);
        return k + "=" + value.replace("`", "``");
    }

    Record soa(Name zone) {
        DnsConfig.Soa s = config.soa();
        long serial = (System.currentTimeMillis() / 1000) & 0xFFFFFFFFL;
        return new SOARecord(zone, DClass.IN, s.minTtl(), cache.name("ns", zone), cache.name("hostmaster", zone), serial,
                s.refresh(), s.retry(), s.expire(), s.minTtl());
    }

    Reply nxdomain(Name zone) {
        return Reply.error(Rcode.NXDOMAIN, List.of(soa(zone)));
    }

    Reply nodata(Name zone) {
        return Reply.error(Rcode.NOERROR, List.of(soa(zone)));
    }

    private Name nodeName(String node, Name zone) {
        return cache.name(node + ".node." + datacenter, zone);
    }

    /** {@code relative} under {@code zone}, or null when it is not a valid name. */
    static Name name(String relative, Name zone) {
        try {
            return Name.fromString(relative, zone);
        } catch (TextParseException e) {
            return null;
        }
    }

    private static Name absolute(String host) {
        try {
            return Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return null;
        }
    }

    /** The bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 gives 4 bytes), or null for anything else. */
    static byte[] ipBytes(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        byte[] v4 = ipv4(s);
        if (v4 != null) {
            return v4;
        }
        if (s.indexOf(':') < 0) {
            return null; // a host name: never look it up
        }
        try {
            InetAddress a = InetAddress.getByName(s.startsWith("[") ? s : "[" + s + "]");
            return a.getAddress(); // IPv4-mapped IPv6 comes back as an Inet4Address: 4 bytes
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] ipv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (value == 0) {
                    return null; // no leading zeros
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else if (c == '.') {
                if (value < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }
}
