package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.it.hosts.Agents;
import io.roster.it.hosts.Host;
import io.roster.it.hosts.NetHosts;
import io.roster.it.hosts.NetHostsExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two datacenters on network-namespace hosts: {@code dc1} (servers 10.10.10.10-12, client
 * 10.10.10.13) and {@code dc2} (servers 10.10.10.20-22, client 10.10.10.23), 8 agents with small
 * heaps. Each datacenter's servers form their Raft cluster through their LAN pool; all six servers
 * form the WAN pool ({@code -retry-join-wan}). Asked through the client agents, as applications
 * ask: cross-datacenter KV by {@code ?dc=}, catalog reads, a blocking query across datacenters
 * woken by a remote write, DNS names of the other datacenter, a prepared query failing over to
 * dc2 when dc1's instance goes critical and back when it passes; then dc2's four hosts are cut off
 * (the WAN link): dc1 keeps working, calls to dc2 fail with {@code No path to datacenter} in
 * bounded time, and work again once the link is back.
 */
class MultiDatacenterHostsTest {
    @RegisterExtension
    static final NetHostsExtension HOSTS = NetHostsExtension.perTest();
    private static final List<String> DC1 = List.of("10.10.10.10", "10.10.10.11", "10.10.10.12");
    private static final List<String> DC2 = List.of("10.10.10.20", "10.10.10.21", "10.10.10.22");
    private static final String C1 = "10.10.10.13";
    private static final String C2 = "10.10.10.23";
    private static final List<String> SERVER_JVM = List.of("-Xmx160m", "-Xss512k");
    private static final List<String> CLIENT_JVM = List.of("-Xmx96m", "-Xss512k");

    private static List<String> serverArgs(NetHosts hosts, String dc, String name, String ip, List<String> lan) {
        List<String> a = new ArrayList<>(List.of("-server", "-datacenter=" + dc, "-node=" + name, "-bind=" + ip,
                "-data-dir=" + hosts.logDir().resolve(name + "-data"), "-bootstrap-expect=3", "-retry-interval=2s",
                "-retry-interval-wan=2s", "-log-level=info"));
        for (String s : lan) {
            a.add("-retry-join=" + s);
        }
        for (String s : DC1) {
            a.add("-retry-join-wan=" + s);
        }
        for (String s : DC2) {
            a.add("-retry-join-wan=" + s);
        }
        return a;
    }

    private static List<String> clientArgs(NetHosts hosts, String dc, String name, String ip, List<String> lan) {
        List<String> a = new ArrayList<>(List.of("-datacenter=" + dc, "-node=" + name, "-bind=" + ip,
                "-data-dir=" + hosts.logDir().resolve(name + "-data"),
                "-retry-interval=2s", "-log-level=info"));
        for (String s : lan) {
            a.add("-retry-join=" + s);
        }
        return a;
    }

    @Test
    void twoDatacenters(NetHosts hosts) throws Exception {
        List<Host> servers1 = new ArrayList<>();
        List<Host> servers2 = new ArrayList<>();
        List<Host.Proc> procs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers1.add(hosts.addHost("dc1-s" + (i + 1), DC1.get(i)));
            servers2.add(hosts.addHost("dc2-s" + (i + 1), DC2.get(i)));
        }
        Host c1 = hosts.addHost("dc1-c1", C1);
        Host c2 = hosts.addHost("dc2-c1", C2);
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            procs.add(servers1.get(i).startAgent("agent", SERVER_JVM, serverArgs(hosts, "dc1", "dc1-s" + (i + 1), DC1.get(i), DC1)));
            procs.add(servers2.get(i).startAgent("agent", SERVER_JVM, serverArgs(hosts, "dc2", "dc2-s" + (i + 1), DC2.get(i), DC2)));
        }
        procs.add(c1.startAgent("agent", CLIENT_JVM, clientArgs(hosts, "dc1", "dc1-c1", C1, DC1)));
        procs.add(c2.startAgent("agent", CLIENT_JVM, clientArgs(hosts, "dc2", "dc2-c1", C2, DC2)));
        List<Host> allServers = new ArrayList<>(servers1);
        allServers.addAll(servers2);
        for (Host h : allServers) {
            Agents.await(Duration.ofSeconds(180)).failFast(() -> procs.stream().anyMatch(p -> !p.isAlive()))
                    .until(() -> !Agents.leader(h).isEmpty() && wanMembers(h) == 6);
        }
        for (Host c : List.of(c1, c2)) {
            Agents.await(Duration.ofSeconds(60)).until(() -> c.get("/v1/status/leader").status() == 200
                    && !c.get("/v1/status/leader").json().asText().isEmpty());
        }
        System.out.printf("MultiDatacenterHostsTest: 2 datacenters x (3 servers + 1 client) up, WAN pool of 6, in %d ms (JVM starts included)%n",
                (System.nanoTime() - t0) / 1_000_000);

        // The WAN pool lists <node>.<dc> for every server, on every server.
        JsonNode wan = servers1.get(0).get("/v1/agent/members?wan=1").json();
        List<String> names = new ArrayList<>();
        wan.forEach(m -> names.add(m.get("Name").asText()));
        assertThat(names).containsExactlyInAnyOrder("dc1-s1.dc1", "dc1-s2.dc1", "dc1-s3.dc1", "dc2-s1.dc2", "dc2-s2.dc2", "dc2-s3.dc2");
        Host.Result members = servers2.get(0).roster("members", "-wan");
        System.out.println("MultiDatacenterHostsTest: roster members -wan on dc2-s1:\n" + members.out().stripTrailing());
        assertThat(members.out()).contains("dc1-s1.dc1", "10.10.10.10:8302", "dc2-s3.dc2", "10.10.10.22:8302");
        JsonNode dcs = c1.get("/v1/catalog/datacenters").json();
        assertThat(dcs.size()).isEqualTo(2);
        assertThat(dcs.get(0).asText()).isEqualTo("dc1");
        assertThat(c2.get("/v1/catalog/datacenters").json().get(0).asText()).isEqualTo("dc2");

        // Cross-datacenter KV through the client agents.
        assertThat(c1.put("/v1/kv/mdc/from-dc1?dc=dc2", "hello").toString()).isEqualTo("200 true");
        assertThat(c2.get("/v1/kv/mdc/from-dc1?raw").body()).isEqualTo("hello");
        assertThat(c1.get("/v1/kv/mdc/from-dc1?raw").status()).isEqualTo(404);
        assertThat(c2.put("/v1/kv/mdc/from-dc2?dc=dc1", "back").toString()).isEqualTo("200 true");
        assertThat(c1.get("/v1/kv/mdc/from-dc2?raw").body()).isEqualTo("back");
        assertThat(c1.get("/v1/kv/mdc/from-dc1?dc=dc2&raw").body()).isEqualTo("hello");

        // Services on each client, TTL checks passing; catalog reads across datacenters.
        for (Host c : List.of(c1, c2)) {
            assertThat(c.put("/v1/agent/service/register",
                    "{\"Name\":\"web\",\"Port\":80,\"Check\":{\"CheckID\":\"web-ttl\",\"TTL\":\"10m\"}}").status()).isEqualTo(200);
            assertThat(c.put("/v1/agent/check/pass/web-ttl", "").status()).isEqualTo(200);
        }
        Agents.await(Duration.ofSeconds(30)).until(() -> nodeAddresses(c1.get("/v1/health/service/web?dc=dc2&passing").json()).equals(Set.of(C2)));
        Agents.await(Duration.ofSeconds(30)).until(() -> nodeAddresses(c2.get("/v1/health/service/web?dc=dc1&passing").json()).equals(Set.of(C1)));
        JsonNode remoteNodes = c1.get("/v1/catalog/nodes?dc=dc2").json();
        Set<String> remoteAddrs = nodeAddresses(remoteNodes);
        assertThat(remoteAddrs).contains(C2, "10.10.10.20", "10.10.10.21", "10.10.10.22").doesNotContain(C1, "10.10.10.10");
        remoteNodes.forEach(n -> assertThat(n.get("Datacenter").asText()).isEqualTo("dc2"));

        // A blocking query across datacenters, parked in dc2, woken by a write in dc2.
        Host.HttpResult first = c1.get("/v1/kv/mdc/watched?dc=dc2");
        c2.put("/v1/kv/mdc/watched", "v1");
        long index = indexOf(c1, "/v1/kv/mdc/watched?dc=dc2");
        CompletableFuture<Host.HttpResult> parked = CompletableFuture.supplyAsync(() -> c1.http("GET",
                "http://127.0.0.1:8500/v1/kv/mdc/watched?dc=dc2&index=" + index + "&wait=5m", null, Duration.ofSeconds(400)));
        Thread.sleep(2000); // give it time to park there; then show it has not answered
        assertThat(parked).as("blocking query across datacenters answered before any write (first read %s)", first).isNotDone();
        assertThat(c2.put("/v1/kv/mdc/watched", "v2").toString()).isEqualTo("200 true");
        Host.HttpResult woken = parked.get(60, TimeUnit.SECONDS);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(java.util.Base64.getDecoder().decode(woken.json().get(0).get("Value").asText())).asString().isEqualTo("v2");

        // DNS names of the other datacenter, asked of each client's local DNS.
        Agents.await(Duration.ofSeconds(30)).until(() -> Agents.dig(c1, "web.service.dc2.consul").equals(Set.of(C2)));
        assertThat(Agents.dig(c1, "web.service.consul")).isEqualTo(Set.of(C1));
        assertThat(Agents.dig(c1, "dc2-c1.node.dc2.consul")).isEqualTo(Set.of(C2));
        assertThat(Agents.dig(c2, "web.service.dc1.consul")).isEqualTo(Set.of(C1));

        // A prepared query in dc1 failing over to dc2 when dc1's instance is critical, and back.
        Host.HttpResult created = c1.http("POST", "http://127.0.0.1:8500/v1/query",
                "{\"Name\":\"web-q\",\"Service\":{\"Service\":\"web\",\"Failover\":{\"NearestN\":1,\"Datacenters\":[\"dc2\"]}}}",
                Duration.ofSeconds(10));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode local = c1.get("/v1/query/web-q/execute").json();
        assertThat(local.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(local.get("Failovers").asInt()).isZero();
        assertThat(nodeAddresses(local.get("Nodes"))).isEqualTo(Set.of(C1));
        assertThat(c1.put("/v1/agent/check/fail/web-ttl", "").status()).isEqualTo(200);
        Agents.await(Duration.ofSeconds(30)).until(() -> "dc2".equals(c1.get("/v1/query/web-q/execute").json().get("Datacenter").asText()));
        JsonNode failed = c1.get("/v1/query/web-q/execute").json();
        assertThat(failed.get("Failovers").asInt()).isEqualTo(1);
        assertThat(nodeAddresses(failed.get("Nodes"))).isEqualTo(Set.of(C2));
        System.out.println("MultiDatacenterHostsTest: web-q with dc1's web critical: " + failed);
        assertThat(c1.put("/v1/agent/check/pass/web-ttl", "").status()).isEqualTo(200);
        Agents.await(Duration.ofSeconds(30)).until(() -> "dc1".equals(c1.get("/v1/query/web-q/execute").json().get("Datacenter").asText()));
        assertThat(nodeAddresses(c1.get("/v1/query/web-q/execute").json().get("Nodes"))).isEqualTo(Set.of(C1));

        // The WAN link cut: dc2's hosts off the network.
        for (Host h : servers2) {
            h.linkDown();
        }
        c2.linkDown();
        long cut = System.nanoTime();
        // dc1 is unaffected.
        assertThat(c1.put("/v1/kv/mdc/during-cut", "ok").toString()).isEqualTo("200 true");
        assertThat(c1.get("/v1/kv/mdc/during-cut?raw").body()).isEqualTo("ok");
        assertThat(nodeAddresses(c1.get("/v1/health/service/web?passing").json())).isEqualTo(Set.of(C1));
        // Calls to dc2 fail with Consul's error, each within the curl bound (30 s), never hang.
        List<Long> failMs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long s = System.nanoTime();
            Host.HttpResult r = c1.http("GET", "http://127.0.0.1:8500/v1/kv/mdc/from-dc1?dc=dc2", null, Duration.ofSeconds(30));
            failMs.add((System.nanoTime() - s) / 1_000_000);
            assertThat(r.status()).as("?dc=dc2 with the WAN cut: %s", r).isEqualTo(500);
            assertThat(r.body().strip()).isEqualTo("No path to datacenter");
        }
        System.out.printf("MultiDatacenterHostsTest: ?dc=dc2 with the WAN link cut answered 500 No path to datacenter in %s ms%n", failMs);
        // Heal: dc2 answers again.
        for (Host h : servers2) {
            h.linkUp();
        }
        c2.linkUp();
        long healed = System.nanoTime();
        Agents.await(Duration.ofSeconds(180)).until(() -> "hello".equals(c1.get("/v1/kv/mdc/from-dc1?dc=dc2&raw").body()));
        System.out.printf("MultiDatacenterHostsTest: cut for %d ms; ?dc=dc2 answered again %d ms after the link came back%n",
                (healed - cut) / 1_000_000, (System.nanoTime() - healed) / 1_000_000);
        assertThat(c1.put("/v1/kv/mdc/after-heal?dc=dc2", "1").toString()).isEqualTo("200 true");
        Agents.await(Duration.ofSeconds(30)).until(() -> "1".equals(c2.get("/v1/kv/mdc/after-heal?raw").body()));
        assertThat(procs).allMatch(Host.Proc::isAlive);
    }

    private static int wanMembers(Host h) {
        Host.HttpResult r = h.get("/v1/agent/members?wan=1");
        if (r.status() != 200) {
            return -1;
        }
        int alive = 0;
        for (JsonNode m : r.json()) {
            alive += m.get("Status").asInt() == 1 ? 1 : 0;
        }
        return alive;
    }

    private static long indexOf(Host h, String path) {
        Host.Result r = h.exec(Duration.ofSeconds(15), null, List.of("curl", "-sS", "-m", "10", "-D", "-", "-o", "/dev/null",
                "http://127.0.0.1:8500" + path));
        for (String line : r.out().split("\r?\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("x-consul-index:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no X-Consul-Index from " + path + ": " + r.describe());
    }

    /** The node addresses of catalog nodes, health entries or query nodes. */
    private static Set<String> nodeAddresses(JsonNode list) {
        Set<String> out = new java.util.TreeSet<>();
        for (JsonNode e : list) {
            JsonNode n = e.has("Node") && e.get("Node").isObject() ? e.get("Node") : e;
            out.add(n.get("Address").asText());
        }
        return out;
    }
}
