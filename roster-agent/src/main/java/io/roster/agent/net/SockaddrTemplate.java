package io.roster.agent.net;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Evaluates the go-sockaddr templates Consul accepts in its address settings
 * ({@code {{ GetPrivateIP }}}, {@code {{ GetAllInterfaces | include "network" "10.0.0.0/8" | attr "address" }}}),
 * over a list of interface addresses. Text outside {@code {{ }}} is kept as written.
 *
 * <p>Supported: the sources {@code GetAllInterfaces}, {@code GetDefaultInterfaces},
 * {@code GetPrivateInterfaces}, {@code GetPublicInterfaces}, {@code GetPrivateIP(s)},
 * {@code GetPublicIP(s)}, {@code GetInterfaceIP(s) "name"}; the list functions {@code include},
 * {@code exclude} (by address, name, network, type, flag(s), rfc(s), size), {@code sort},
 * {@code limit}, {@code offset}, {@code unique}; and {@code attr} / {@code join} to turn a list
 * into text. The semantics follow go-sockaddr's documentation (e.g. "private" means RFC 6890,
 * forwardable, on an interface that is up). Anything else is refused with a one-line reason.
 */
public final class SockaddrTemplate {
    private SockaddrTemplate() {
    }

    /** RFC 6890 special-purpose blocks: go-sockaddr's "private". */
    static final List<Cidr> RFC6890 = Cidr.all("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.2.0/24", "192.88.99.0/24",
            "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
            "::1/128", "::/128", "64:ff9b::/96", "::ffff:0:0/96", "100::/64", "2001::/16", "2001:2::/48", "2001:db8::/32",
            "2001:10::/28", "2002::/16", "fc00::/7", "fe80::/10");
    /** Blocks go-sockaddr calls not forwardable. */
    static final List<Cidr> NOT_FORWARDABLE = Cidr.all("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24",
            "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32", "::1/128", "::/128",
            "::ffff:0:0/96", "2001:db8::/32", "2001:10::/28", "fe80::/10");
    private static final java.util.Map<String, List<Cidr>> RFCS = java.util.Map.of(
            "1918", Cidr.all("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
            "6890", RFC6890,
            "6598", Cidr.all("100.64.0.0/10"),
            "4193", Cidr.all("fc00::/7"),
            "3927", Cidr.all("169.254.0.0/16"),
            "4291", Cidr.all("::1/128", "fe80::/10"),
            "1122", Cidr.all("0.0.0.0/8", "127.0.0.0/8"));

    /** True when {@code s} holds a template action. */
    public static boolean isTemplate(String s) {
        return s != null && s.contains("{{");
    }

    /**
     * Evaluates {@code input} over {@code ifs}.
     *
     * @throws IllegalArgumentException with a one-line reason (unknown function, bad argument, syntax)
     */
    public static String evaluate(String input, List<IfAddr> ifs) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < input.length()) {
            int open = input.indexOf("{{", i);
            if (open < 0) {
                out.append(input, i, input.length());
                break;
            }
            int close = input.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{{' in template " + quote(input));
            }
            out.append(input, i, open);
            String action = input.substring(open + 2, close);
            if (action.startsWith("-")) {
                action = action.substring(1);
                int n = out.length();
                while (n > 0 && Character.isWhitespace(out.charAt(n - 1))) {
                    n--;
                }
                out.setLength(n);
            }
            boolean trimRight = action.endsWith("-");
            if (trimRight) {
                action = action.substring(0, action.length() - 1);
            }
            out.append(render(pipeline(action, input, ifs)));
            i = close + 2;
            if (trimRight) {
                while (i < input.length() && Character.isWhitespace(input.charAt(i))) {
                    i++;
                }
            }
        }
        return out.toString();
    }

    private static String render(Object v) {
        if (v instanceof String s) {
            return s;
        }
        @SuppressWarnings("unchecked")
        List<IfAddr> l = (List<IfAddr>) v;
        return String.join(" ", l.stream().map(IfAddr::text).toList());
    }

    // ------------------------------------------------------------------ parsing

    private static Object pipeline(String action, String input, List<IfAddr> ifs) {
        List<List<Object>> commands = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        int i = 0;
        while (i < action.length()) {
            char c = action.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '|') {
                if (current.isEmpty()) {
                    throw new IllegalArgumentException("empty command before '|' in template " + quote(input));
                }
                commands.add(current);
                current = new ArrayList<>();
                i++;
            } else if (c == '"') {
                StringBuilder s = new StringBuilder();
                i++;
                while (i < action.length() && action.charAt(i) != '"') {
                    char x = action.charAt(i);
                    if (x == '\\' && i + 1 < action.length()) {
                        char e = action.charAt(++i);
                        s.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> e;
                        });
                    } else {
                        s.append(x);
                    }
                    i++;
                }
                if (i >= action.length()) {
                    throw new IllegalArgumentException("unterminated string in template " + quote(input));
                }
                current.add(new Str(s.toString()));
                i++;
            } else if (c == '`') {
                int end = action.indexOf('`', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated string in template " + quote(input));
                }
                current.add(new Str(action.substring(i + 1, end)));
                i = end + 1;
            } else {
                int start = i;
                while (i < action.length() && !Character.isWhitespace(action.charAt(i)) && action.charAt(i) != '|'
                        && action.charAt(i) != '"') {
                    i++;
                }
                String word = action.substring(start, i);
                if (word.matches("[+-]?\\d+")) {
                    current.add(new Str(word));
                } else if (word.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    current.add(word);
                } else {
                    throw new IllegalArgumentException("unsupported syntax '" + word + "' in template " + quote(input)
                            + " (Roster evaluates pipelines of go-sockaddr functions)");
                }
            }
        }
        if (current.isEmpty()) {
            throw new IllegalArgumentException(commands.isEmpty() ? "empty action '{{ }}' in template " + quote(input)
                    : "empty command after '|' in template " + quote(input));
        }
        commands.add(current);
        Object value = null;
        for (List<Object> cmd : commands) {
            if (!(cmd.get(0) instanceof String name)) {
                throw new IllegalArgumentException("a command must start with a function name in template " + quote(input));
            }
            List<String> args = new ArrayList<>();
            for (Object a : cmd.subList(1, cmd.size())) {
                if (!(a instanceof Str s)) {
                    throw new IllegalArgumentException("argument '" + a + "' of " + name + " must be quoted in template " + quote(input));
                }
                args.add(s.value());
            }
            value = call(name, args, value, ifs, input);
        }
        return value;
    }

    private record Str(String value) {
    }

    // ------------------------------------------------------------------ functions

    private static Object call(String name, List<String> args, Object piped, List<IfAddr> ifs, String input) {
        switch (name) {
            case "GetAllInterfaces" -> {
                arity(name, args, 0, piped, input);
                return new ArrayList<>(ifs);
            }
            case "GetDefaultInterfaces" -> {
                arity(name, args, 0, piped, input);
                return ifs.stream().filter(a -> a.defaultRoute() && a.up()).toList();
            }
            case "GetPrivateInterfaces" -> {
                arity(name, args, 0, piped, input);
                return privateInterfaces(ifs, true);
            }
            case "GetPublicInterfaces" -> {
                arity(name, args, 0, piped, input);
                return privateInterfaces(ifs, false);
            }
            case "GetPrivateIP", "GetPublicIP" -> {
                arity(name, args, 0, piped, input);
                List<IfAddr> l = privateInterfaces(ifs, name.equals("GetPrivateIP"));
                return l.isEmpty() ? "" : l.get(0).text();
            }
            case "GetPrivateIPs", "GetPublicIPs" -> {
                arity(name, args, 0, piped, input);
                return render(privateInterfaces(ifs, name.equals("GetPrivateIPs")));
            }
            case "GetInterfaceIP", "GetInterfaceIPs" -> {
                arity(name, args, 1, piped, input);
                Pattern re = regex(args.get(0), input);
                List<IfAddr> l = new ArrayList<>(ifs.stream().filter(a -> re.matcher(a.name()).find())
                        .filter(SockaddrTemplate::forwardable).toList());
                l.sort(comparator("+type,+size", input));
                if (name.equals("GetInterfaceIP")) {
                    return l.isEmpty() ? "" : l.get(0).text();
                }
                return render(l);
            }
            case "include", "exclude" -> {
                List<IfAddr> in = list(name, args, 2, piped, input);
                List<IfAddr> matched = select(args.get(0), args.get(1), in, input);
                if (name.equals("include")) {
                    return matched;
                }
                List<IfAddr> rest = new ArrayList<>(in);
                rest.removeAll(matched);
                return rest;
            }
            case "sort" -> {
                List<IfAddr> in = new ArrayList<>(list(name, args, 1, piped, input));
                in.sort(comparator(args.get(0), input));
                return in;
            }
            case "limit" -> {
                List<IfAddr> in = list(name, args, 1, piped, input);
                int n = number(name, args.get(0), input);
                if (n < 0) {
                    throw new IllegalArgumentException("limit needs a count of 0 or more in template " + quote(input));
                }
                return in.subList(0, Math.min(n, in.size()));
            }
            case "offset" -> {
                List<IfAddr> in = list(name, args, 1, piped, input);
                int n = number(name, args.get(0), input);
                int from = n >= 0 ? n : in.size() + n;
                if (from < 0 || from > in.size()) {
                    throw new IllegalArgumentException("offset " + n + " is outside the list of " + in.size()
                            + " addresses in template " + quote(input));
                }
                return in.subList(from, in.size());
            }
            case "unique" -> {
                List<IfAddr> in = list(name, args, 1, piped, input);
                String by = args.get(0).toLowerCase(Locale.ROOT);
                if (!by.equals("address") && !by.equals("name")) {
                    throw new IllegalArgumentException("unique takes \"address\" or \"name\", not \"" + args.get(0)
                            + "\", in template " + quote(input));
                }
                Set<String> seen = new LinkedHashSet<>();
                return in.stream().filter(a -> seen.add(by.equals("name") ? a.name() : a.text())).toList();
            }
            case "attr" -> {
                List<IfAddr> in = list(name, args, 1, piped, input);
                return in.isEmpty() ? "" : attribute(in.get(0), args.get(0), input);
            }
            case "join" -> {
                List<IfAddr> in = list(name, args, 2, piped, input);
                List<String> parts = new ArrayList<>();
                for (IfAddr a : in) {
                    parts.add(attribute(a, args.get(0), input));
                }
                return String.join(args.get(1), parts);
            }
            default -> throw new IllegalArgumentException("unknown function \"" + name + "\" in template " + quote(input)
                    + " (Roster supports GetAllInterfaces, GetDefaultInterfaces, GetPrivateInterfaces, GetPublicInterfaces,"
                    + " GetPrivateIP(s), GetPublicIP(s), GetInterfaceIP(s), include, exclude, sort, limit, offset,"
                    + " unique, attr, join)");
        }
    }

    private static void arity(String name, List<String> args, int n, Object piped, String input) {
        if (piped != null) {
            throw new IllegalArgumentException(name + " does not take piped input in template " + quote(input));
        }
        if (args.size() != n) {
            throw new IllegalArgumentException(name + " takes " + n + " argument(s), not " + args.size()
                    + ", in template " + quote(input));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<IfAddr> list(String name, List<String> args, int n, Object piped, String input) {
        if (args.size() != n) {
            throw new IllegalArgumentException(name + " takes " + n + " argument(s) and a piped list of addresses, not "
                    + args.size() + " argument(s), in template " + quote(input));
        }
        if (!(piped instanceof List<?>)) {
            throw new IllegalArgumentException(name + " needs a list of addresses piped into it (e.g. GetAllInterfaces | "
                    + name + " ...) in template " + quote(input));
        }
        return (List<IfAddr>) piped;
    }

    private static int number(String name, String v, String input) {
        try {
            return Integer.parseInt(v.startsWith("+") ? v.substring(1) : v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, not \"" + v + "\", in template " + quote(input));
        }
    }

    private static Pattern regex(String re, String input) {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression \"" + re + "\" in template " + quote(input));
        }
    }

    /** go-sockaddr's private (or public) interfaces: IP, forwardable, up, sorted default,type,size, in (or out of) RFC 6890. */
    static List<IfAddr> privateInterfaces(List<IfAddr> ifs, boolean wantPrivate) {
        List<IfAddr> l = new ArrayList<>(ifs.stream().filter(SockaddrTemplate::forwardable).filter(IfAddr::up)
                .filter(a -> Cidr.any(RFC6890, a.address().getAddress()) == wantPrivate).toList());
        l.sort(comparator("default,type,size", ""));
        return l;
    }

    static boolean forwardable(IfAddr a) {
        return !Cidr.any(NOT_FORWARDABLE, a.address().getAddress());
    }

    private static List<IfAddr> select(String selector, String value, List<IfAddr> in, String input) {
        String sel = selector.toLowerCase(Locale.ROOT);
        switch (sel) {
            case "address" -> {
                Pattern re = regex(value, input);
                return in.stream().filter(a -> re.matcher(a.text()).find()).toList();
            }
            case "name" -> {
                Pattern re = regex(value, input);
                return in.stream().filter(a -> re.matcher(a.name()).find()).toList();
            }
            case "network" -> {
                List<Cidr> nets = new ArrayList<>();
                for (String n : value.split("\\|")) {
                    try {
                        nets.add(Cidr.parse(n));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(e.getMessage() + " in template " + quote(input));
                    }
                }
                return in.stream().filter(a -> Cidr.any(nets, a.address().getAddress())).toList();
            }
            case "type" -> {
                Set<String> types = new LinkedHashSet<>();
                for (String t : value.toLowerCase(Locale.ROOT).split("\\|")) {
                    if (!Set.of("ip", "ipv4", "ipv6", "unix").contains(t)) {
                        throw new IllegalArgumentException("unknown type \"" + t + "\" (use ip, ipv4, ipv6 or unix) in template "
                                + quote(input));
                    }
                    types.add(t);
                }
                return in.stream().filter(a -> types.contains("ip") || types.contains(a.ipv4() ? "ipv4" : "ipv6")).toList();
            }
            case "flag", "flags" -> {
                List<String> flags = List.of(value.toLowerCase(Locale.ROOT).split("\\|"));
                for (String f : flags) {
                    flag(null, f, input); // validates
                }
                return in.stream().filter(a -> flags.stream().allMatch(f -> flag(a, f, input))).toList();
            }
            case "rfc", "rfcs" -> {
                List<Cidr> nets = new ArrayList<>();
                for (String r : value.split("\\|")) {
                    List<Cidr> blocks = RFCS.get(r.trim());
                    if (blocks == null) {
                        throw new IllegalArgumentException("RFC " + r + " is not known to Roster (known: "
                                + String.join(", ", new java.util.TreeSet<>(RFCS.keySet())) + ") in template " + quote(input));
                    }
                    nets.addAll(blocks);
                }
                return in.stream().filter(a -> Cidr.any(nets, a.address().getAddress())).toList();
            }
            case "size" -> {
                int bits = number("size", value, input);
                return in.stream().filter(a -> a.prefix() == bits).toList();
            }
            case "port" -> {
                return value.equals("0") ? in : List.of(); // interface addresses carry no port
            }
            default -> throw new IllegalArgumentException("unknown selector \"" + selector
                    + "\" (use address, name, network, type, flag, rfc, size or port) in template " + quote(input));
        }
    }

    /** Whether {@code a} has {@code flag}; with a null address only checks that the flag is known. */
    private static boolean flag(IfAddr a, String flag, String input) {
        byte[] ip = a == null ? new byte[4] : a.address().getAddress();
        java.net.InetAddress x = a == null ? null : a.address();
        return switch (flag.trim()) {
            case "up" -> a == null || a.up();
            case "down" -> a == null || !a.up();
            case "loopback" -> a == null || a.flags().contains("loopback") || x.isLoopbackAddress();
            case "broadcast" -> a == null || a.flags().contains("broadcast");
            case "multicast" -> a == null || a.flags().contains("multicast");
            case "point-to-point" -> a == null || a.flags().contains("point-to-point");
            case "forwardable" -> a == null || forwardable(a);
            case "global unicast" -> a == null || !(x.isLoopbackAddress() || x.isLinkLocalAddress() || x.isMulticastAddress()
                    || x.isAnyLocalAddress() || (ip.length == 4 && (ip[0] & 0xff) == 255));
            case "link-local unicast" -> a == null || x.isLinkLocalAddress();
            case "link-local multicast" -> a == null || x.isMCLinkLocal();
            case "interface-local multicast" -> a == null || x.isMCNodeLocal();
            case "unspecified" -> a == null || x.isAnyLocalAddress();
            default -> throw new IllegalArgumentException("unknown flag \"" + flag + "\" in template " + quote(input));
        };
    }

    private static String attribute(IfAddr a, String attr, String input) {
        return switch (attr.toLowerCase(Locale.ROOT)) {
            case "address", "host" -> a.text();
            case "name" -> a.name();
            case "network" -> IfAddr.text(a.network());
            case "mask_bits", "size" -> Integer.toString(a.prefix());
            case "string" -> a.text() + "/" + a.prefix();
            case "type" -> a.ipv4() ? "IPv4" : "IPv6";
            case "port" -> "0";
            case "netmask" -> netmask(a);
            case "flags" -> String.join("|", a.flags());
            default -> throw new IllegalArgumentException("unknown attribute \"" + attr
                    + "\" (use address, name, network, mask_bits, netmask, string, type or flags) in template " + quote(input));
        };
    }

    private static String netmask(IfAddr a) {
        byte[] b = new byte[a.address().getAddress().length];
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, a.prefix() - i * 8));
            b[i] = (byte) ((0xff << (8 - keep)) & 0xff);
        }
        try {
            return IfAddr.text(java.net.InetAddress.getByAddress(b));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Comparator<IfAddr> comparator(String criteria, String input) {
        Comparator<IfAddr> c = null;
        for (String raw : criteria.split(",")) {
            String k = raw.trim().toLowerCase(Locale.ROOT);
            boolean desc = k.startsWith("-");
            if (k.startsWith("+") || k.startsWith("-")) {
                k = k.substring(1);
            }
            Comparator<IfAddr> one = switch (k) {
                case "address" -> Comparator.comparing((IfAddr a) -> a.address().getAddress().length)
                        .thenComparing(a -> a.address().getAddress(), java.util.Arrays::compareUnsigned);
                case "default" -> Comparator.comparing((IfAddr a) -> !a.defaultRoute());
                case "name" -> Comparator.comparing(IfAddr::name);
                case "port" -> (x, y) -> 0;
                case "private" -> Comparator.comparing((IfAddr a) -> !Cidr.any(RFC6890, a.address().getAddress()));
                case "size" -> Comparator.comparingInt(IfAddr::prefix); // larger networks (shorter prefixes) first
                case "type" -> Comparator.comparing((IfAddr a) -> a.address() instanceof Inet4Address ? 0 : 1);
                default -> throw new IllegalArgumentException("unknown sort key \"" + raw.trim()
                        + "\" (use address, default, name, port, private, size or type, with + or -) in template " + quote(input));
            };
            if (desc) {
                one = one.reversed();
            }
            c = c == null ? one : c.thenComparing(one);
        }
        return c == null ? (x, y) -> 0 : c;
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }
}
