package io.roster.agent.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a name under the DNS domain asks for, by Consul's documented forms (labels are given lower
 * case, left to right, without the domain):
 *
 * <pre>
 * (empty)                                          the domain itself (SOA, NS)
 * [tag.]service.service[.dc | .dc.dc]              standard service lookup
 * _service._tag[.service][.dc | .dc.dc]            RFC 2782 lookup; tag "tcp" means any tag
 * node.node[.dc | .dc.dc]                          node lookup (node names may contain dots)
 * hex.addr[.dc | .dc.dc]                           8 hex digits: an IPv4 address; 32: IPv6
 * query.query[.dc]                                 prepared query
 * ...[.default.ns][.default.ap]                    Consul Enterprise labels: only "default" exists here
 * </pre>
 *
 * Pure: no I/O, no state; {@link #parse} never throws.
 */
record QueryName(Kind kind, String datacenter, String service, String tag, String node, String addr, String query) {

    enum Kind {
        /** The domain itself. */
        APEX,
        SERVICE,
        NODE,
        ADDR,
        /** A prepared query, executed as {@code /v1/query/<name>/execute} would. */
        QUERY,
        /** A form Consul has and Roster does not serve yet ({@code connect}, {@code ingress}, {@code virtual}, peers). */
        UNSUPPORTED,
        /** Not a form Consul answers. */
        INVALID
    }

    private static final Set<String> TYPES = Set.of("service", "node", "addr", "query", "connect", "ingress", "virtual");

    static QueryName parse(List<String> labels) {
        List<String> l = new ArrayList<>(labels);
        if (l.isEmpty()) {
            return of(Kind.APEX, null);
        }
        String dc = null;
        // Labelled pairs from the right: <dc>.dc, <ns>.ns, <partition>.ap, <peer>.peer, <group>.sg.
        while (l.size() >= 2) {
            String last = l.get(l.size() - 1);
            String value = l.get(l.size() - 2);
            if (last.equals("dc")) {
                if (dc != null) {
                    return of(Kind.INVALID, null);
                }
                dc = value;
            } else if (last.equals("ns") || last.equals("ap")) {
                if (!value.equals("default")) {
                    return of(Kind.UNSUPPORTED, dc);
                }
            } else if (last.equals("peer") || last.equals("sg")) {
                return of(Kind.UNSUPPORTED, dc);
            } else {
                break;
            }
            l.remove(l.size() - 1);
            l.remove(l.size() - 1);
        }
        // RFC 2782 without ".service": _service._tag[.dc]
        if (l.size() >= 2 && l.get(0).startsWith("_") && l.get(1).startsWith("_")
                && (l.size() == 2 || l.size() == 3 && dc == null && !TYPES.contains(l.get(2)))) {
            if (l.size() == 3) {
                dc = l.get(2);
            }
            return rfc2782(l.get(0), l.get(1), dc);
        }
        // The old form: <type>.<dc>.domain, the datacenter unlabelled after the type.
        if (dc == null && l.size() >= 2 && !TYPES.contains(l.get(l.size() - 1)) && TYPES.contains(l.get(l.size() - 2))) {
            dc = l.remove(l.size() - 1);
        }
        String type = l.remove(l.size() - 1);
        if (dc != null && dc.isEmpty()) {
            return of(Kind.INVALID, null);
        }
        switch (type) {
            case "service" -> {
                int n = l.size();
                if (n == 0) {
                    return of(Kind.INVALID, dc);
                }
                if (n == 2 && l.get(0).startsWith("_") && l.get(1).startsWith("_")) {
                    return rfc2782(l.get(0), l.get(1), dc);
                }
                String tag = n == 1 ? null : String.join(".", l.subList(0, n - 1));
                return new QueryName(Kind.SERVICE, dc, l.get(n - 1), tag, null, null, null);
            }
            case "node" -> {
                if (l.isEmpty()) {
                    return of(Kind.INVALID, dc);
                }
                return new QueryName(Kind.NODE, dc, null, null, String.join(".", l), null, null);
            }
            case "addr" -> {
                if (l.size() != 1) {
                    return of(Kind.INVALID, dc);
                }
                return new QueryName(Kind.ADDR, dc, null, null, null, l.get(0), null);
            }
            case "query" -> {
                if (l.isEmpty()) {
                    return of(Kind.INVALID, dc);
                }
                return new QueryName(Kind.QUERY, dc, null, null, null, null, String.join(".", l));
            }
            case "connect", "ingress", "virtual" -> {
                return of(Kind.UNSUPPORTED, dc);
            }
            default -> {
                return of(Kind.INVALID, dc);
            }
        }
    }

    private static QueryName rfc2782(String service, String protocol, String dc) {
        String s = service.substring(1);
        String tag = protocol.substring(1);
        if (s.isEmpty() || tag.isEmpty()) {
            return of(Kind.INVALID, dc);
        }
        // "_tcp" is the protocol, not a tag: any instance matches (as in Consul).
        return new QueryName(Kind.SERVICE, dc, s, tag.equals("tcp") ? null : tag, null, null, null);
    }

    private static QueryName of(Kind kind, String dc) {
        return new QueryName(kind, dc, null, null, null, null, null);
    }
}
