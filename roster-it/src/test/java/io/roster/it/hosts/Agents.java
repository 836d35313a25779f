package io.roster.it.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Consul HTTP and DNS calls made from inside a host against its own agent (127.0.0.1:8500 and
 * :8600), as an operator on that machine would with curl and dig. Every call is bounded (curl
 * -m 10, dig 2 s).
 */
public final class Agents {
    private Agents() {
    }

    /** Awaitility with a poll interval that suits one curl process per poll. */
    public static ConditionFactory await(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(300)).pollDelay(Duration.ZERO).ignoreExceptions();
    }

    /** {@code /v1/status/leader} of the host's agent ({@code "10.10.10.10:8300"}), "" when none or no answer. */
    public static String leader(Host h) {
        Host.HttpResult r = h.get("/v1/status/leader");
        return r.status() == 200 ? r.json().asText() : "";
    }

    /** {@code /v1/status/peers}, sorted. */
    public static Set<String> peers(Host h) {
        Set<String> out = new TreeSet<>();
        Host.HttpResult r = h.get("/v1/status/peers");
        if (r.status() == 200) {
            r.json().forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /** The host of {@code hosts} whose address is the IP part of an {@code ip:port}. */
    public static Host hostOf(NetHosts hosts, String address) {
        return hosts.hostWithIp(address.substring(0, address.lastIndexOf(':')));
    }

    /** {@code PUT /v1/kv/<key>} with the value; the HTTP answer. */
    public static Host.HttpResult kvPut(Host h, String key, String value) {
        return h.put("/v1/kv/" + key, value);
    }

    /** True when the put answered 200 {@code true}. */
    public static boolean kvPutOk(Host h, String key, String value) {
        Host.HttpResult r = kvPut(h, key, value);
        return r.status() == 200 && r.body().strip().equals("true");
    }

    /** {@code GET /v1/kv/<key>?raw&stale}: the host's own copy; null when missing or no answer. */
    public static String kvStale(Host h, String key) {
        Host.HttpResult r = h.get("/v1/kv/" + key + "?raw&stale");
        return r.status() == 200 ? r.body() : null;
    }

    /** {@code key=ModifyIndex} of every key under a prefix ({@code ?recurse&stale}), for comparing servers. */
    public static List<String> kvIndexStale(Host h, String prefix) {
        Host.HttpResult r = h.get("/v1/kv/" + prefix + "?recurse&stale");
        List<String> out = new ArrayList<>();
        if (r.status() == 200) {
            for (JsonNode e : r.json()) {
                out.add(e.path("Key").asText() + "=" + e.path("ModifyIndex").asLong());
            }
        } else if (r.status() != 404) {
            throw new IllegalStateException("kv recurse on " + h + ": " + r);
        }
        return out;
    }

    /** {@code /v1/agent/members}: the {@code Addr} of each member, sorted. */
    public static Set<String> memberAddresses(Host h) {
        Set<String> out = new TreeSet<>();
        for (JsonNode m : h.get("/v1/agent/members").json()) {
            out.add(m.path("Addr").asText());
        }
        return out;
    }

    /** The status of a node's check ({@code serfHealth}, {@code service:postgres}) in the host's view of the catalog ("" when absent). */
    public static String checkStatus(Host h, String node, String checkId) {
        Host.HttpResult r = h.get("/v1/health/node/" + node + "?stale");
        if (r.status() != 200) {
            return "";
        }
        for (JsonNode c : r.json()) {
            if (c.path("CheckID").asText().equals(checkId)) {
                return c.path("Status").asText();
            }
        }
        return "";
    }

    /** {@code dig +short} answers (one per line), sorted; empty when none. */
    public static Set<String> dig(Host h, String... query) {
        Host.Result r = h.dig(query);
        Set<String> out = new TreeSet<>();
        if (r.ok()) {
            for (String line : r.out().split("\n")) {
                if (!line.isBlank() && !line.startsWith(";")) {
                    out.add(line.strip());
                }
            }
        }
        return out;
    }
}
