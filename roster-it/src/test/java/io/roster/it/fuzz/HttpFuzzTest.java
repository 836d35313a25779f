package io.roster.it.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the HTTP API of a real dev agent (in this JVM, on a free port) over raw
 * sockets, so paths and bodies go out byte for byte as generated: every route of the route table
 * (HttpServer) with random methods, path tails (percent escapes, dot segments, control bytes, very
 * long), query parameters of Consul's names with hostile values, and bodies built from the wire
 * types' field names with wrong kinds, truncated JSON, random bytes and oversized payloads.
 *
 * <p>Every answer must be HTTP with a status below 500 or a 500 that Consul answers for the same
 * route and reason ({@link #CONSUL_500S}, each entry naming Consul's behaviour), and must not carry
 * a stack trace, an exception or a Java class name. {@code -Dfuzz.inputs=N} (default 10,000),
 * {@code -Dfuzz.seed=S} (default 1, so CI is a regression test; printed). A failure prints the seed
 * and the input; the 500s are printed grouped by method, route and text.
 */
class HttpFuzzTest {
    /** Routes of HttpServer's table (prefix routes end in '/'); /v1/agent/leave is left out: it stops the agent. */
    static final List<String> ROUTES = List.of(
            "/v1/agent/members", "/v1/agent/join/", "/v1/agent/force-leave/", "/v1/event/fire/", "/v1/event/list",
            "/v1/operator/keyring", "/v1/agent/services", "/v1/agent/service/register", "/v1/agent/service/deregister/",
            "/v1/agent/service/maintenance/", "/v1/agent/service/", "/v1/agent/maintenance", "/v1/agent/checks",
            "/v1/agent/check/register", "/v1/agent/check/deregister/", "/v1/agent/check/pass/", "/v1/agent/check/warn/",
            "/v1/agent/check/fail/", "/v1/agent/check/update/", "/v1/agent/health/service/id/", "/v1/agent/health/service/name/",
            "/v1/agent/reload", "/v1/agent/self", "/v1/agent/connect/", "/v1/agent/metrics", "/v1/kv/", "/v1/kv", "/v1/txn",
            "/v1/session/create", "/v1/session/destroy/", "/v1/session/info/", "/v1/session/node/", "/v1/session/list",
            "/v1/session/renew/", "/v1/catalog/register", "/v1/catalog/deregister", "/v1/catalog/datacenters",
            "/v1/catalog/nodes", "/v1/catalog/services", "/v1/catalog/service/", "/v1/catalog/node/",
            "/v1/catalog/node-services/", "/v1/health/node/", "/v1/health/checks/", "/v1/health/service/",
            "/v1/health/state/", "/v1/snapshot", "/v1/operator/raft/configuration", "/v1/operator/raft/peer",
            "/v1/operator/autopilot/configuration", "/v1/operator/autopilot/health", "/v1/operator/autopilot/state",
            "/v1/config/", "/v1/connect/", "/v1/discovery-chain/", "/v1/catalog/connect/", "/v1/catalog/gateway-services/",
            "/v1/health/connect/", "/v1/health/ingress/", "/v1/status/leader", "/v1/status/peers", "/", "/v1/nope", "/ui/");
    static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "TRACE", "BREW");
    static final List<String> PARAMS = List.of("index", "wait", "cas", "acquire", "release", "recurse", "keys", "separator",
            "dc", "filter", "consistent", "stale", "raw", "flags", "token", "passing", "tag", "near", "node-meta", "ns",
            "replace-existing-checks", "enable", "reason", "note", "name", "node", "service", "cached", "pretty", "format",
            "max-stale", "state", "address", "id", "wan", "segment", "limit", "relay-factor", "local-only");
    /** Field names of the wire types (TxnOp, service/check definitions, sessions, catalog registration), any case. */
    static final List<String> FIELDS = List.of("KV", "Verb", "Key", "Value", "Index", "Flags", "Session", "Node", "Service",
            "Check", "Checks", "Name", "ID", "Port", "Address", "Tags", "Meta", "TTL", "Interval", "Timeout", "HTTP", "TCP",
            "Args", "LockDelay", "Behavior", "NodeChecks", "ServiceChecks", "Datacenter", "TaggedAddresses", "Weights",
            "EnableTagOverride", "DeregisterCriticalServiceAfter", "Status", "Output", "CheckID", "ServiceID", "Header",
            "Method", "Body", "name", "ttl", "lockdelay", "checks", "Passing", "Warning", "SkipNodeUpdate", "NodeMeta", "Kind");
    /**
     * A 500 that Consul answers too, for the same input: the routes it may come from (null: any route
     * that takes {@code ?dc}) and the start of its text. Any other 5xx is a failure.
     */
    record Consul500(List<String> routes, String text) {
        boolean allows(String route, String body) {
            return (routes == null || routes.contains(route)) && body.startsWith(text);
        }
    }

    /** Every entry names what Consul does (agent/http.go turns any error that is not a typed 4xx into 500). */
    static final List<Consul500> CONSUL_500S = List.of(
            // ?dc= naming a datacenter with no route: the RPC layer's structs.ErrNoDCPath, a plain error (hashicorp/consul#908, #4901)
            new Consul500(null, "No path to datacenter"),
            // Connect disabled: the Connect endpoints return ErrConnectNotEnabled (hashicorp/consul#8033, #12835)
            new Consul500(List.of("/v1/connect/", "/v1/agent/connect/", "/v1/discovery-chain/"),
                    "Connect must be enabled in order to use this endpoint"),
            // keyring operations without gossip encryption: the members' keyring query answers errors, which the
            // operator endpoint returns as one error
            new Consul500(List.of("/v1/operator/keyring"), "keyring: gossip encryption is not enabled"),
            // force-leave of a name that is no member: Agent.ForceLeave's fmt.Errorf("agent: No node found with name '%s'")
            new Consul500(List.of("/v1/agent/force-leave/"), "agent: No node found with name '"),
            // a join that reaches nobody: AgentJoin returns JoinLAN's error (the text is Roster's, the status Consul's)
            new Consul500(List.of("/v1/agent/join/"), "Error joining address '"),
            // acquire/release with a session that does not exist: the state store's fmt.Errorf("invalid session %#v")
            new Consul500(List.of("/v1/kv/", "/v1/kv"), "invalid session \""),
            // session create: the Session.Apply RPC validates Behavior and TTL with plain errors
            new Consul500(List.of("/v1/session/create"), "Invalid Behavior setting '"),
            new Consul500(List.of("/v1/session/create"), "Session TTL '"),
            new Consul500(List.of("/v1/session/create"), "Invalid Session TTL '"),
            // operator raft remove-peer of an unknown peer: fmt.Errorf("id %q was not found in the Raft configuration")
            new Consul500(List.of("/v1/operator/raft/peer"), "id \""),
            new Consul500(List.of("/v1/operator/raft/peer"), "address \""));

    private static final Pattern LEAK = Pattern.compile(
            "(?:For input string|\\b(?:java|javax|jdk|sun|com\\.fasterxml|org\\.eclipse|org\\.apache|io\\.roster|io\\.grpc)\\.[a-z]+\\.|Exception\\b|\\tat |\\bat [a-z]+\\.[a-z]+\\.|\\[Source:)");

    @Test
    void randomRequestsGetConsulStatusesAndNoLeaks() throws Exception {
        int inputs = Integer.getInteger("fuzz.inputs", 10_000);
        // CI replays seed 1 (a regression test); longer runs pass -Dfuzz.seed and -Dfuzz.inputs
        long seed = Long.getLong("fuzz.seed", 1L);
        System.out.printf("HttpFuzzTest: %d inputs from seed %d (replay: -Dfuzz.seed=%d)%n", inputs, seed, seed);
        Random rnd = new Random(seed);
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> fiveHundreds = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int parked = 0;
        long t0 = System.nanoTime();
        try (Agent agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName("fuzz-node").build()).start()) {
            URI base = URI.create(agent.httpAddress());
            send(base, new Request("GET", "/v1/agent/self", new byte[0])); // warm-up: the first answer loads classes
            for (int i = 0; i < inputs && failures.size() < 20; i++) {
                Request req = generate(rnd);
                Answer a;
                try {
                    a = send(base, req);
                } catch (SocketTimeoutException e) {
                    // a blocking query parked (index and wait given) is no failure; anything else must answer
                    if (req.target.contains("index=")) {
                        parked++;
                        continue;
                    }
                    failures.add("#" + i + " no answer in 15 s: " + req);
                    continue;
                }
                statuses.merge(a.status, 1, Integer::sum);
                if (req.method.equals("HEAD") && a.status >= 500) {
                    // a HEAD answer has no body to judge: judge the same request's GET answer
                    a = send(base, new Request("GET", req.target, req.body));
                }
                if (a.status >= 500) {
                    fiveHundreds.merge(group(req, a), 1, Integer::sum);
                }
                String problem = judge(req, a);
                if (problem != null) {
                    failures.add("#" + i + " " + problem + ": " + req + " -> " + a.status + " " + abbreviate(a.body));
                }
                if (i % 1000 == 999) {
                    Answer alive = send(base, new Request("GET", "/v1/status/leader", new byte[0]));
                    assertThat(alive.status).as("agent still serving after %d inputs (seed %d)", i + 1, seed).isEqualTo(200);
                }
            }
        }
        System.out.printf("HttpFuzzTest: %d inputs in %d ms, statuses %s, %d parked blocking queries, %d failures%n",
                inputs, (System.nanoTime() - t0) / 1_000_000, statuses, parked, failures.size());
        fiveHundreds.forEach((g, n) -> System.out.println("HttpFuzzTest: 5xx " + n + " x " + g));
        failures.forEach(f -> System.out.println("HttpFuzzTest: " + f));
        assertThat(failures).as("seed %d", seed).isEmpty();
        assertThat(statuses.keySet()).as("the inputs reached handlers, not only the parser").contains(200, 400, 404);
    }

    /** Why an answer is wrong, or null. */
    static String judge(Request req, Answer a) {
        if (a.status < 100 || a.status > 599) {
            return "not HTTP";
        }
        String body = new String(a.body, StandardCharsets.UTF_8);
        if (LEAK.matcher(body).find()) {
            return "leaks an exception, a stack trace or a Java class name";
        }
        if (a.status >= 500) {
            String text = body.strip();
            String route = route(req);
            if (CONSUL_500S.stream().noneMatch(c -> a.status == 500 && c.allows(route, text))) {
                return "5xx that Consul does not answer here (not in CONSUL_500S)";
            }
        }
        return null;
    }

    /** A 5xx's group for the summary: method, the route it went to, status, and its text with numbers and names blurred. */
    static String group(Request req, Answer a) {
        String route = route(req);
        String text = new String(a.body, StandardCharsets.UTF_8).strip();
        text = text.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("'[^']*'", "'…'").replaceAll("[0-9]+", "N");
        return req.method + " " + route + " -> " + a.status + " " + (text.length() > 90 ? text.substring(0, 90) + "…" : text);
    }

    /** The route of ROUTES a request went to (the longest that matches), or its path cut to 40 characters. */
    static String route(Request req) {
        String path = req.target.split("\\?", 2)[0];
        return ROUTES.stream().filter(r -> r.endsWith("/") ? path.startsWith(r) : path.equals(r))
                .max(java.util.Comparator.comparingInt(String::length)).orElse(path.length() > 40 ? path.substring(0, 40) : path);
    }

    // ---- generation ------------------------------------------------------------------------

    record Request(String method, String target, byte[] body) {
        @Override
        public String toString() {
            return method + " " + abbreviate(target.getBytes(StandardCharsets.ISO_8859_1)) + " body " + abbreviate(body);
        }
    }

    static Request generate(Random rnd) {
        String route = ROUTES.get(rnd.nextInt(ROUTES.size()));
        String method = rnd.nextInt(10) < 8 ? List.of("GET", "PUT", "POST", "DELETE").get(rnd.nextInt(4)) : METHODS.get(rnd.nextInt(METHODS.size()));
        StringBuilder path = new StringBuilder(route);
        if (route.endsWith("/") || rnd.nextInt(5) == 0) {
            path.append(pathTail(rnd));
        }
        List<String> query = new ArrayList<>();
        int nParams = rnd.nextInt(4);
        for (int p = 0; p < nParams; p++) {
            String name = rnd.nextInt(10) == 0 ? token(rnd, 8) : PARAMS.get(rnd.nextInt(PARAMS.size()));
            query.add(rnd.nextInt(6) == 0 ? name : name + "=" + paramValue(rnd, name));
        }
        // never park for long: a blocking query gets a short (or invalid) wait
        if (query.stream().anyMatch(q -> q.startsWith("index")) && query.stream().noneMatch(q -> q.startsWith("wait"))) {
            query.add("wait=" + List.of("1ms", "10ms", "0s", "x", "-1s").get(rnd.nextInt(5)));
        }
        String target = path + (query.isEmpty() ? "" : "?" + String.join("&", query));
        byte[] body = method.equals("GET") || method.equals("HEAD") ? (rnd.nextInt(20) == 0 ? body(rnd) : new byte[0]) : body(rnd);
        return new Request(method, target, body);
    }

    private static String pathTail(Random rnd) {
        return switch (rnd.nextInt(12)) {
            case 0 -> "";
            case 1 -> "a%2Fb%2F..%2Fc";
            case 2 -> "../../etc/passwd";
            case 3 -> "%00%ff%fe";
            case 4 -> "x".repeat(1 + rnd.nextInt(9000));
            case 5 -> "%" + token(rnd, 1);
            case 6 -> "caf%C3%A9/%E2%98%83/" + token(rnd, 5);
            case 7 -> "service:" + token(rnd, 6);
            case 8 -> "a//b///c/";
            case 9 -> ";jsessionid=" + token(rnd, 4);
            case 10 -> "%2e%2e/%2e/" + token(rnd, 3);
            default -> token(rnd, 1 + rnd.nextInt(20)) + (rnd.nextBoolean() ? "/" + token(rnd, 4) : "");
        };
    }

    private static String paramValue(Random rnd, String name) {
        return switch (rnd.nextInt(14)) {
            case 0 -> "";
            case 1 -> "-1";
            case 2 -> "0";
            case 3 -> Long.toString(rnd.nextLong());
            case 4 -> "18446744073709551616";
            case 5 -> "1.5";
            case 6 -> "abc";
            case 7 -> List.of("1ms", "5s", "1h", "10m", "-5s", "1e9s", "9223372036854775807ns").get(rnd.nextInt(7));
            case 8 -> "%22" + token(rnd, 4) + "%22%20in%20Tags";
            case 9 -> "Service.Port%20%3D%3D%20" + rnd.nextInt(100);
            case 10 -> "%ZZ";
            case 11 -> "x".repeat(rnd.nextInt(5000));
            case 12 -> "true";
            default -> token(rnd, 6);
        };
    }

    private static byte[] body(Random rnd) {
        String s = switch (rnd.nextInt(12)) {
            case 0 -> "";
            case 1 -> json(rnd, 0);
            case 2, 3 -> "[" + op(rnd) + (rnd.nextBoolean() ? "," + op(rnd) : "") + "]";
            case 4 -> obj(rnd, 0);
            case 5 -> truncate(rnd, obj(rnd, 0));
            case 6 -> {
                byte[] b = new byte[rnd.nextInt(300)];
                rnd.nextBytes(b);
                yield new String(b, StandardCharsets.ISO_8859_1);
            }
            case 7 -> "{\"Name\":\"" + token(rnd, 5) + "\",\"Port\":" + json(rnd, 2) + ",\"Check\":" + json(rnd, 1) + "}";
            case 8 -> "[" + "[".repeat(rnd.nextInt(3000)) + "]";
            case 9 -> rnd.nextInt(8) == 0 ? "x".repeat(600_000 + rnd.nextInt(2_000_000)) : "\"" + "y".repeat(rnd.nextInt(70_000)) + "\"";
            case 10 -> "{\"TTL\":\"" + paramValue(rnd, "wait") + "\",\"LockDelay\":" + json(rnd, 2) + ",\"Behavior\":" + json(rnd, 2) + "}";
            default -> token(rnd, 10);
        };
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String op(Random rnd) {
        String verb = List.of("set", "get", "cas", "lock", "unlock", "delete", "delete-tree", "delete-cas", "check-index",
                "check-session", "check-not-exists", "get-tree", "nope").get(rnd.nextInt(13));
        return "{\"" + List.of("KV", "Node", "Service", "Check", "Session", "kv").get(rnd.nextInt(6)) + "\":{\"Verb\":\"" + verb
                + "\",\"Key\":" + (rnd.nextInt(5) == 0 ? json(rnd, 2) : "\"fz/" + token(rnd, 3) + "\"")
                + ",\"Value\":" + (rnd.nextInt(4) == 0 ? json(rnd, 2) : "\"" + java.util.Base64.getEncoder().encodeToString(token(rnd, 4).getBytes(StandardCharsets.UTF_8)) + "\"")
                + ",\"Index\":" + (rnd.nextInt(3) == 0 ? json(rnd, 2) : Integer.toString(rnd.nextInt(50)))
                + (rnd.nextBoolean() ? ",\"Flags\":" + json(rnd, 2) : "")
                + (rnd.nextBoolean() ? ",\"Session\":" + json(rnd, 2) : "") + "}}";
    }

    static String obj(Random rnd, int depth) {
        Map<String, String> m = new LinkedHashMap<>();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            String f = FIELDS.get(rnd.nextInt(FIELDS.size()));
            m.put(rnd.nextInt(6) == 0 ? f.toLowerCase() : f, json(rnd, depth + 1));
        }
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }

    static String json(Random rnd, int depth) {
        int k = depth > 3 ? 2 + rnd.nextInt(6) : rnd.nextInt(9);
        return switch (k) {
            case 0 -> obj(rnd, depth);
            case 1 -> "[" + json(rnd, depth + 1) + (rnd.nextBoolean() ? "," + json(rnd, depth + 1) : "") + "]";
            case 2 -> "null";
            case 3 -> rnd.nextBoolean() ? "true" : "false";
            case 4 -> Long.toString(rnd.nextLong());
            case 5 -> List.of("1e400", "-0", "1.5", "99999999999999999999999", "NaN").get(rnd.nextInt(5));
            case 6 -> "\"" + paramValue(rnd, "x").replace("\"", "") + "\"";
            case 7 -> "\"\\u0000\\ud800" + token(rnd, 3) + "\"";
            default -> "\"" + token(rnd, 6) + "\"";
        };
    }

    private static String truncate(Random rnd, String s) {
        return s.isEmpty() ? s : s.substring(0, rnd.nextInt(s.length()));
    }

    private static String token(Random rnd, int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABC0123456789-_.:~";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    // ---- raw HTTP ----------------------------------------------------------------------------

    record Answer(int status, byte[] body) {
    }

    static Answer send(URI base, Request req) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            String head = req.method + " " + req.target + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nContent-Length: " + req.body.length + "\r\nConnection: close\r\n\r\n";
            try {
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.write(req.body);
                out.flush();
            } catch (IOException e) {
                // the server may answer (413) and close before reading a large body: read what it said
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    all.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // a reset after the answer was sent (large unread body) keeps what was read
            }
            return parse(all.toByteArray());
        }
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int sp = text.indexOf(' ');
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || sp < 0 || end < 0) {
            return new Answer(0, raw);
        }
        int status = Integer.parseInt(text.substring(sp + 1, sp + 4));
        String headers = text.substring(0, end).toLowerCase();
        byte[] body = text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
        if (headers.contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return new Answer(status, body);
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int pos = 0;
        for (int guard = 0; guard < 100_000 && pos < s.length(); guard++) {
            int nl = s.indexOf("\r\n", pos);
            if (nl < 0) {
                break;
            }
            int size = Integer.parseInt(s.substring(pos, nl).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.write(b, nl + 2, Math.min(size, b.length - nl - 2));
            pos = nl + 2 + size + 2;
        }
        return out.toByteArray();
    }

    static String abbreviate(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 200), StandardCharsets.ISO_8859_1).replaceAll("[\\x00-\\x1f\\x7f-\\xff]", "?");
        return b.length > 200 ? s + "...(" + b.length + " bytes)" : s;
    }
}
